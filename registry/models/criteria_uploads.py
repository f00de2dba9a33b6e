"""Criteria sets uploaded by an administrator in the web UI (drafts, active and retired)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.models._mixins import utcnow
from registry.models.users import User


class UploadStatus(enum.StrEnum):
    """A draft is stored and previewed only; an active upload is used by the evaluation."""

    draft = "draft"
    active = "active"
    retired = "retired"


class CriteriaUpload(Base):
    """The TOML text of one criteria set version, validated when it was uploaded.

    ``(set_id, version)`` is unique here and never equal to a shipped set's: stored results
    refer to a set by id and version, so a number once used is never given to other criteria.
    """

    __tablename__ = "criteria_uploads"
    __table_args__ = (UniqueConstraint("set_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[UploadStatus] = mapped_column(
        Enum(UploadStatus, native_enum=False, length=20), default=UploadStatus.draft, index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # when it stopped being used; with activated_at, part of the cache generation (sets.py)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    activated_by: Mapped[User | None] = relationship(foreign_keys=[activated_by_id])
    retired_by: Mapped[User | None] = relationship(foreign_keys=[retired_by_id])

    @property
    def key(self) -> str:
        """``<id>-v<version>``, as stored with every result."""
        return f"{self.set_id}-v{self.version}"
