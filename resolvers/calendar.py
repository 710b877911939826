"""The dates people must not miss, for `/calendar.ics` (`web.calendar`): the end dates and notice
deadlines of the agreements in force a caller may see, and the due dates of their open
commitments, each an all-day entry with a UID that stays the same across reads (built from the
global ID and what the date is), so a calendar application updates an entry instead of adding
another when a date moves."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import tables as t
from db.base import table_of
from db.engine import reads_engine
from db.enums import AgreementStatus, CommitmentStatus
from resolvers.agreements import notice_deadline
from resolvers.ids import encode_id
from resolvers.viewer import Viewer
from resolvers.visibility import visible

__all__ = ["MAX_ENTRIES", "CalendarEntry", "calendar_entries"]

AGREEMENT = table_of(t.Agreement)
COMMITMENT = table_of(t.Commitment)
IN_FORCE = [AgreementStatus.SIGNED.value, AgreementStatus.ACTIVE.value]
MAX_ENTRIES = 10_000
"""The most agreements and the most commitments one calendar lists (nearest dates first)."""


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    uid: str
    day: date
    summary: str
    description: str
    changed_at: datetime
    """When the record behind it last changed (the entry's DTSTAMP and LAST-MODIFIED)."""
    what: str
    """`end`, `notice` or `due`."""
    node_id: str


async def calendar_entries(engine: AsyncEngine, viewer: Viewer) -> list[CalendarEntry]:
    """The entries `viewer` may see, by date, then UID."""
    a, c = AGREEMENT.c, COMMITMENT.c
    agreements = (
        sa.select(a.id, a.title, a.effective_to, a.notice_period_days, a.updated_at)
        .where(visible(viewer, AGREEMENT), a.status.in_(IN_FORCE), a.effective_to.is_not(None))
        .order_by(a.effective_to, a.id)
        .limit(MAX_ENTRIES)
    )
    commitments = (
        sa.select(c.id, c.description, c.due_on, c.updated_at, a.title)
        .join(AGREEMENT, a.id == c.agreement_id)
        .where(
            visible(viewer, COMMITMENT),
            c.status == CommitmentStatus.OPEN.value,
            c.due_on.is_not(None),
            a.status.in_(IN_FORCE),
        )
        .order_by(c.due_on, c.id)
        .limit(MAX_ENTRIES)
    )
    async with reads_engine(engine).connect() as connection:
        agreement_rows = (await connection.execute(agreements)).all()
        commitment_rows = (await connection.execute(commitments)).all()
    found: list[CalendarEntry] = []
    for row in agreement_rows:
        key = encode_id("Agreement", row.id)
        found.append(
            CalendarEntry(
                uid=f"{key}.end@partnergraph",
                day=row.effective_to,
                summary=f"Agreement ends: {row.title}",
                description=f"The last day agreement {key} is in force.",
                changed_at=row.updated_at,
                what="end",
                node_id=key,
            )
        )
        deadline = notice_deadline(row.effective_to, row.notice_period_days)
        if deadline is not None:
            found.append(
                CalendarEntry(
                    uid=f"{key}.notice@partnergraph",
                    day=deadline,
                    summary=f"Notice deadline: {row.title}",
                    description=f"The last day to give notice on agreement {key} "
                    f"({row.notice_period_days} days before it ends on {row.effective_to}).",
                    changed_at=row.updated_at,
                    what="notice",
                    node_id=key,
                )
            )
    for row in commitment_rows:
        key = encode_id("Commitment", row.id)
        found.append(
            CalendarEntry(
                uid=f"{key}.due@partnergraph",
                day=row.due_on,
                summary=f"Due: {row.description} ({row.title})",
                description=f"Commitment {key} is due.",
                changed_at=row.updated_at,
                what="due",
                node_id=key,
            )
        )
    found.sort(key=lambda e: (e.day, e.uid))
    return found
