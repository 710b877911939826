"""The change log: one row per change of an agreement, membership or commitment."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import UTCDateTime, updated_stamp, utcnow

__all__ = ["HistoryEntry"]


class HistoryEntry(SQLModel, table=True):
    __tablename__ = "history_entry"
    __table_args__ = (sa.Index("ix_history_entry_subject", "subject_type", "subject_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_type: str = Field(max_length=40)
    subject_id: int
    agreement_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=60)
    actor: str | None = Field(default=None, max_length=200)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    updated_at: datetime = updated_stamp(server_default=True)
    """As `changed_at`: an entry never changes (every node type has `updatedAt`)."""
