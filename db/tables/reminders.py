"""The reminders sent: one row per deadline and threshold, so that each is sent once.

`resolvers.reminders` inserts a row before it records the reminder's change event, in the same
transaction; the unique key makes a second insert (a later run, or another worker running at
the same moment) do nothing, so no reminder is told twice. Not traced by the change feed: the
event the row stands for is in the feed already (`event_id`).
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import UTCDateTime, utcnow

__all__ = ["ReminderSent"]


class ReminderSent(SQLModel, table=True):
    __tablename__ = "reminder_sent"
    __table_args__ = (
        sa.UniqueConstraint("entity_type", "entity_id", "kind", "deadline", "lead_days"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity_type: str = Field(max_length=40)
    entity_id: int
    kind: str = Field(max_length=40)
    """The change kind recorded: `expiring`, `notice_deadline`, `due` or `overdue`."""
    deadline: date
    """The date reminded of: the end date, the notice deadline or the due date. A deadline that
    moves (an agreement extended) is a new deadline, reminded of again."""
    lead_days: int
    """The threshold: the reminder was due this many days before the deadline (0: `overdue`)."""
    event_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
