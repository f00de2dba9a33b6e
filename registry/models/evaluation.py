"""Evaluation data: committee assessments (attested criteria) and stored yearly results."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.models._mixins import Versioned, utcnow
from registry.models.users import User


class Assessment(Versioned, Base):
    """A committee's score or yes/no for one attested criterion of one subject and year."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "year", "criterion_id"),
        Index("ix_assessments_lookup", "subject_type", "year", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    year: Mapped[int]
    criterion_id: Mapped[str] = mapped_column(String(60))
    score: Mapped[float | None] = mapped_column(Float)
    yes: Mapped[bool | None]
    evidence: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    entered_by: Mapped[User | None] = relationship()


class EvaluationResult(Base):
    """The stored outcome of one subject for one year: written in bulk by the evaluator.

    ``unit_id`` is the area the subject lives in (a citizen's or household's village, a clan's
    or organisation's unit, an area unit itself): roll-ups and scoping use it. ``points`` keeps
    the per-criterion points in set order, ``;``-separated; the explanation page recomputes the
    facts of one subject to say why.
    """

    __tablename__ = "evaluation_results"
    __table_args__ = (
        UniqueConstraint("year", "subject_type", "subject_id"),
        Index("ix_evaluation_results_rollup", "year", "subject_type", "unit_id", "passed"),
        # one subject's results over the years (citizen status page, explanations)
        Index("ix_evaluation_results_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    set_id: Mapped[str] = mapped_column(String(60))
    set_version: Mapped[int]
    total: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool]
    level: Mapped[str | None] = mapped_column(String(60))
    points: Mapped[str] = mapped_column(Text, default="")
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
