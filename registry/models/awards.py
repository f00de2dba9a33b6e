"""Recognitions: decisions (quyết định công nhận) and the certificates they grant."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.models._mixins import utcnow
from registry.models.units import AdminUnit
from registry.models.users import User


class Decision(Base):
    """A recognition decision: number, date, issuing body and signer."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("unit_id", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    year: Mapped[int]
    set_id: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date] = mapped_column(Date)
    issuer_name: Mapped[str] = mapped_column(String(200))
    issuer_short: Mapped[str] = mapped_column(String(200))
    place_name: Mapped[str] = mapped_column(String(100))
    signer_title: Mapped[str] = mapped_column(String(200))
    signer_name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[AdminUnit] = relationship()
    created_by: Mapped[User | None] = relationship()
    recognitions: Mapped[list[Recognition]] = relationship(back_populates="decision")


class Recognition(Base):
    """One subject recognised for one title and year; its certificate is printed from
    ``snapshot`` (JSON taken at approval), so a reprint years later is identical."""

    __tablename__ = "recognitions"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "year", "set_id"),
        Index("ix_recognitions_unit_year", "unit_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    year: Mapped[int]
    set_id: Mapped[str] = mapped_column(String(60))
    set_version: Mapped[int]
    total: Mapped[float] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(60))
    points: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[str] = mapped_column(Text)
    search_name: Mapped[str] = mapped_column(String(200), default="")  # vn.fold of the name
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    decision: Mapped[Decision] = relationship(back_populates="recognitions")
    unit: Mapped[AdminUnit] = relationship()
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
