"""Administrative units: an effective-dated adjacency-list tree, and old → new mappings."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.models._mixins import Versioned


class UnitLevel(enum.StrEnum):
    """Levels of the hierarchy. Rows, not columns: the 2025 reform dropped ``district``."""

    province = "province"
    district = "district"
    commune = "commune"
    village = "village"


LEVEL_DEPTH = {
    UnitLevel.province: 0,
    UnitLevel.district: 1,
    UnitLevel.commune: 2,
    UnitLevel.village: 3,
}


class AdminUnit(Versioned, Base):
    """A node of the administrative hierarchy (tỉnh, huyện, xã, thôn)."""

    __tablename__ = "admin_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    # the word the unit's name is written with: "tỉnh", "huyện", "xã", "phường", "thôn", ...
    kind: Mapped[str] = mapped_column(String(30))
    level: Mapped[UnitLevel] = mapped_column(Enum(UnitLevel, native_enum=False, length=20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    parent: Mapped[AdminUnit | None] = relationship(back_populates="children", remote_side=[id])
    children: Mapped[list[AdminUnit]] = relationship(back_populates="parent")

    @property
    def display_name(self) -> str:
        """The name as written in lists: "Xã Tân Hòa"."""
        return f"{self.kind[:1].upper()}{self.kind[1:]} {self.name}"

    def is_valid_on(self, day: date) -> bool:
        """Whether the unit exists on ``day`` (its validity dates are inclusive)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def ancestors(self) -> list[AdminUnit]:
        """The chain from this unit up to the root, this unit first."""
        chain: list[AdminUnit] = []
        node: AdminUnit | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class UnitMapping(Base):
    """Where an abolished or merged unit went (history stays attached to the old unit)."""

    __tablename__ = "unit_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    new_unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")

    old_unit: Mapped[AdminUnit] = relationship(foreign_keys=[old_unit_id])
    new_unit: Mapped[AdminUnit] = relationship(foreign_keys=[new_unit_id])
