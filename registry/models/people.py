"""Citizens and the groups they belong to: households, clans, organisations."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.models._mixins import Versioned
from registry.models.units import AdminUnit


class Relation(enum.StrEnum):
    """A household member's relationship to the head of the household."""

    head = "head"
    spouse = "spouse"
    child = "child"
    parent = "parent"
    grandchild = "grandchild"
    sibling = "sibling"
    other = "other"


class CitizenStatus(enum.StrEnum):
    """Whether a citizen still counts in the registry's denominators."""

    active = "active"
    moved = "moved"
    deceased = "deceased"


class Household(Versioned, Base):
    """A hộ gia đình living in a village."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("citizens.id", use_alter=True, ondelete="SET NULL")
    )
    address: Mapped[str] = mapped_column(String(200), default="")

    village: Mapped[AdminUnit] = relationship()
    head: Mapped[Citizen | None] = relationship(foreign_keys=[head_id], post_update=True)
    members: Mapped[list[Citizen]] = relationship(
        back_populates="household", foreign_keys="Citizen.household_id"
    )


class Clan(Versioned, Base):
    """A dòng họ (or chi họ): a lineage within an area, spanning many households."""

    __tablename__ = "clans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    search_name: Mapped[str] = mapped_column(String(150), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[AdminUnit] = relationship()


class Organisation(Versioned, Base):
    """An agency, school or enterprise whose staff make it a learning unit."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20))  # agency | school | enterprise | other
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)

    unit: Mapped[AdminUnit] = relationship()


class Citizen(Versioned, Base):
    """A person in the registry. Names are stored NFC with their Vietnamese sort and search keys."""

    __tablename__ = "citizens"
    __table_args__ = (
        Index("ix_citizens_village_sort", "village_id", "sort_key"),
        Index("ix_citizens_household", "household_id"),
        Index("ix_citizens_clan", "clan_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(40))
    middle_name: Mapped[str] = mapped_column(String(80))
    given_name: Mapped[str] = mapped_column(String(40))
    sort_key: Mapped[str] = mapped_column(String(255))
    search_name: Mapped[str] = mapped_column(String(120))
    gender: Mapped[str] = mapped_column(String(1))  # "M" | "F"
    birth_date: Mapped[date] = mapped_column(Date)
    cccd: Mapped[str | None] = mapped_column(String(12), unique=True)
    phone: Mapped[str | None] = mapped_column(String(10))
    village_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    relation: Mapped[Relation | None] = mapped_column(Enum(Relation, native_enum=False, length=20))
    clan_id: Mapped[int | None] = mapped_column(ForeignKey("clans.id"))
    status: Mapped[CitizenStatus] = mapped_column(
        Enum(CitizenStatus, native_enum=False, length=20), default=CitizenStatus.active
    )
    left_on: Mapped[date | None] = mapped_column(Date)

    village: Mapped[AdminUnit] = relationship()
    household: Mapped[Household | None] = relationship(
        back_populates="members", foreign_keys=[household_id]
    )
    clan: Mapped[Clan | None] = relationship()
    memberships: Mapped[list[OrganisationMember]] = relationship(
        back_populates="citizen", cascade="all, delete-orphan"
    )


class OrganisationMember(Base):
    """A citizen's membership of an organisation (staff, or learner for schools)."""

    __tablename__ = "organisation_members"
    __table_args__ = (UniqueConstraint("organisation_id", "citizen_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="staff")

    organisation: Mapped[Organisation] = relationship()
    citizen: Mapped[Citizen] = relationship(back_populates="memberships")
