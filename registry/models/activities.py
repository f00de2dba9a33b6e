"""Learning activities recorded for citizens, and their configurable categories."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.models._mixins import Versioned
from registry.models.people import Citizen


class ActivityCategory(Base):
    """A kind of learning activity; rows loaded from ``registry/data/activity_categories.toml``."""

    __tablename__ = "activity_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class Activity(Versioned, Base):
    """One learning activity of one citizen (a course, a campaign event, self-study...)."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_citizen_held", "citizen_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("activity_categories.id"))
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200), default="")
    # the activity counts in the year of held_on (its first day)
    held_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Numeric(7, 2, asdecimal=False))
    evidence: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    citizen: Mapped[Citizen] = relationship()
    category: Mapped[ActivityCategory] = relationship()
