"""Reminders before deadlines, told through the change feed (docs/changes.md, "Reminders").

A run (`run_reminders`, scheduled by `ReminderJob` in `partnergraph worker` and inside `serve`,
or by hand: `partnergraph reminders run [--today DATE]`) looks at the deadlines of `today` and
records one change event per reminder due, with the actor `job:reminders`:

- `expiring` (webhook type `agreement.expiring`): an agreement in force (SIGNED or ACTIVE) ends
  within one of its lead times;
- `notice_deadline` (`agreement.notice_deadline`): its notice deadline (`noticePeriodDays`
  before its end) falls within one of its lead times;
- `due` (`commitment.due`): an open commitment of an agreement in force is due within one of
  the agreement's lead times;
- `overdue` (`commitment.overdue`): its due date has passed.

**Lead times.** An agreement's are the union of those set by its parties
(`Organization.reminderLeadDays`) and by the alliances its parties are current members of
(`Alliance.reminderLeadDays`); when none of them set any, the server's default
(`PARTNERGRAPH_REMINDER_LEAD_DAYS`, 90, 30 and 7). A deadline `n` days away is reminded of at
the smallest lead time at or above `n`: an agreement made 20 days before its end gets its
30-day reminder at once and its 7-day one later, not a burst of 90 and 30 together.

**Exactly once.** Each reminder is a row of `reminder_sent` keyed by (entity, kind, deadline,
lead time), inserted with `ON CONFLICT DO NOTHING` in the transaction that records the event:
only the transaction whose insert took the row records it. Two runs at once (two workers) on
PostgreSQL: the second insert waits for the first transaction and then does nothing; SQLite
serializes writers. A deadline that moves (an agreement extended) is a new deadline.

**Visibility** is the feed's: the event names the agreement or commitment, and a caller sees
it when it may see that entity (`resolvers.changes`), through `changes`, subscriptions and
webhooks alike.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import tables as t
from db.base import table_of
from db.enums import AgreementStatus, ChangeKind, CommitmentStatus
from resolvers.agreements import notice_deadline
from resolvers.background import RunningJob
from resolvers.change_actor import Actor
from resolvers.change_recording import record_change
from resolvers.change_wakeup import announce, committed
from settings import Settings

__all__ = [
    "ACTOR",
    "Reminder",
    "ReminderJob",
    "ReminderRun",
    "due_reminders",
    "lead_threshold",
    "run_reminders",
    "start_reminder_job",
]

log = logging.getLogger("partnergraph.reminders")

ACTOR = Actor.system("reminders")
AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
COMMITMENT = table_of(t.Commitment)
ORGANIZATION = table_of(t.Organization)
ALLIANCE = table_of(t.Alliance)
MEMBERSHIP = table_of(t.Membership)
SENT = table_of(t.ReminderSent)

IN_FORCE = [AgreementStatus.SIGNED.value, AgreementStatus.ACTIVE.value]
BATCH = 100
"""Reminders recorded per transaction."""
CHUNK = 500
"""Ids per `IN (...)` list."""


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder due: an event of `kind` for the entity, about `deadline`, at `lead_days`."""

    entity_type: str
    entity_id: int
    kind: ChangeKind
    deadline: date
    lead_days: int
    organization_ids: tuple[int, ...] = ()


@dataclass(slots=True)
class ReminderRun:
    """What a run did: the reminders it found due and those it recorded (not sent before)."""

    found: int = 0
    recorded: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.recorded.values())


def lead_threshold(days_left: int, leads: Iterable[int]) -> int | None:
    """The lead time a deadline `days_left` away is reminded of: the smallest at or above it;
    None when it is further away than every lead time (or already past)."""
    if days_left < 0:
        return None
    fitting = [lead for lead in leads if lead >= days_left]
    return min(fitting) if fitting else None


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


async def _configured_leads(connection: AsyncConnection) -> list[int]:
    """Every lead time some organization or alliance set (to bound the deadlines read)."""
    found: list[int] = []
    for table in (ORGANIZATION, ALLIANCE):
        rows = await connection.scalars(
            sa.select(table.c.reminder_lead_days).where(table.c.reminder_lead_days.is_not(None))
        )
        for leads in rows:
            found += list(leads or [])
    return found


async def _parties(
    connection: AsyncConnection, agreement_ids: Sequence[int]
) -> dict[int, list[int]]:
    parties: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(agreement_ids):
        rows = await connection.execute(
            sa.select(PARTY.c.agreement_id, PARTY.c.organization_id).where(
                PARTY.c.agreement_id.in_(chunk)
            )
        )
        for agreement_id, organization_id in rows:
            parties[agreement_id].append(organization_id)
    return parties


async def _leads_of_organizations(
    connection: AsyncConnection, organization_ids: Sequence[int]
) -> dict[int, list[tuple[int, ...]]]:
    """Per organization, the lead times set by itself and by its current alliances."""
    found: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    for chunk in _chunks(organization_ids):
        own = await connection.execute(
            sa.select(ORGANIZATION.c.id, ORGANIZATION.c.reminder_lead_days).where(
                ORGANIZATION.c.id.in_(chunk), ORGANIZATION.c.reminder_lead_days.is_not(None)
            )
        )
        for organization_id, leads in own:
            if leads is not None:  # SQLite's JSON keeps a null as the text `null`
                found[organization_id].append(tuple(leads))
        through = await connection.execute(
            sa.select(MEMBERSHIP.c.organization_id, ALLIANCE.c.reminder_lead_days)
            .join(ALLIANCE, ALLIANCE.c.id == MEMBERSHIP.c.alliance_id)
            .where(
                MEMBERSHIP.c.organization_id.in_(chunk),
                MEMBERSHIP.c.left_on.is_(None),
                ALLIANCE.c.reminder_lead_days.is_not(None),
            )
        )
        for organization_id, leads in through:
            if leads is not None:
                found[organization_id].append(tuple(leads))
    return found


def _agreement_leads(
    parties: Sequence[int],
    by_organization: Mapping[int, list[tuple[int, ...]]],
    default: Sequence[int],
) -> frozenset[int]:
    sets = [leads for party in parties for leads in by_organization.get(party, [])]
    if not sets:
        return frozenset(default)
    return frozenset(lead for leads in sets for lead in leads)


async def due_reminders(
    connection: AsyncConnection, *, today: date, default_leads: Sequence[int]
) -> list[Reminder]:
    """Every reminder due on `today`, sent before or not, in a stable order."""
    horizon = today + timedelta(days=max([*default_leads, *await _configured_leads(connection)]))
    a = AGREEMENT.c
    agreements = (
        await connection.execute(
            sa.select(a.id, a.effective_to, a.notice_period_days).where(
                a.status.in_(IN_FORCE),
                a.effective_to.is_not(None),
                a.effective_to >= today,
                sa.or_(a.effective_to <= horizon, a.notice_period_days.is_not(None)),
            )
        )
    ).all()
    c = COMMITMENT.c
    commitments = (
        await connection.execute(
            sa.select(c.id, c.agreement_id, c.due_on, c.obligor_id, c.beneficiary_id)
            .join(AGREEMENT, AGREEMENT.c.id == c.agreement_id)
            .where(
                c.status == CommitmentStatus.OPEN.value,
                c.due_on.is_not(None),
                c.due_on <= horizon,
                AGREEMENT.c.status.in_(IN_FORCE),
            )
        )
    ).all()
    agreement_ids = sorted({r.id for r in agreements} | {r.agreement_id for r in commitments})
    parties = await _parties(connection, agreement_ids)
    organizations = sorted({o for found in parties.values() for o in found})
    by_organization = await _leads_of_organizations(connection, organizations)

    def leads_of(agreement_id: int) -> frozenset[int]:
        return _agreement_leads(parties.get(agreement_id, []), by_organization, default_leads)

    found: list[Reminder] = []

    def remind(
        type_name: str, key: int, kind: ChangeKind, deadline: date, lead: int | None, orgs: Any
    ) -> None:
        if lead is not None:
            found.append(Reminder(type_name, key, kind, deadline, lead, tuple(sorted(set(orgs)))))

    for agreement in agreements:
        leads = leads_of(agreement.id)
        orgs = parties.get(agreement.id, [])
        end: date = agreement.effective_to
        remind(
            "Agreement",
            agreement.id,
            ChangeKind.EXPIRING,
            end,
            lead_threshold((end - today).days, leads),
            orgs,
        )
        deadline = notice_deadline(end, agreement.notice_period_days)
        if deadline is not None:
            remind(
                "Agreement",
                agreement.id,
                ChangeKind.NOTICE_DEADLINE,
                deadline,
                lead_threshold((deadline - today).days, leads),
                orgs,
            )
    for row in commitments:
        due: date = row.due_on
        orgs = [*parties.get(row.agreement_id, []), row.obligor_id]
        if row.beneficiary_id is not None:
            orgs.append(row.beneficiary_id)
        if due < today:
            remind("Commitment", row.id, ChangeKind.OVERDUE, due, 0, orgs)
        else:
            lead = lead_threshold((due - today).days, leads_of(row.agreement_id))
            remind("Commitment", row.id, ChangeKind.DUE, due, lead, orgs)
    found.sort(key=lambda r: (r.deadline, r.entity_type, r.entity_id, r.kind.value, r.lead_days))
    return found


def _key(reminder: Reminder) -> tuple[str, int, str, date, int]:
    return (
        reminder.entity_type,
        reminder.entity_id,
        reminder.kind.value,
        reminder.deadline,
        reminder.lead_days,
    )


async def _already_sent(connection: AsyncConnection, reminders: Sequence[Reminder]) -> set[Any]:
    sent: set[Any] = set()
    ids = sorted({r.entity_id for r in reminders})
    for chunk in _chunks(ids):
        rows = await connection.execute(
            sa.select(
                SENT.c.entity_type, SENT.c.entity_id, SENT.c.kind, SENT.c.deadline, SENT.c.lead_days
            ).where(SENT.c.entity_id.in_(chunk))
        )
        sent |= {tuple(row) for row in rows}
    return sent


def _insert(dialect: str, reminder: Reminder) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(SENT)
        .values(
            entity_type=reminder.entity_type,
            entity_id=reminder.entity_id,
            kind=reminder.kind.value,
            deadline=reminder.deadline,
            lead_days=reminder.lead_days,
        )
        .on_conflict_do_nothing(
            index_elements=["entity_type", "entity_id", "kind", "deadline", "lead_days"]
        )
        .returning(SENT.c.id)
    )


async def _record(connection: AsyncConnection, reminders: Sequence[Reminder]) -> list[Reminder]:
    """Records the reminders not recorded yet, in the connection's transaction; those it did."""
    done: list[Reminder] = []
    for reminder in reminders:
        taken = await connection.scalar(_insert(connection.dialect.name, reminder))
        if taken is None:
            continue  # recorded by an earlier run, or by another worker just now
        event_id = await record_change(
            connection,
            entity_type=reminder.entity_type,
            entity_id=reminder.entity_id,
            kind=reminder.kind,
            actor=ACTOR,
            organization_ids=reminder.organization_ids,
        )
        await connection.execute(
            sa.update(SENT).where(SENT.c.id == taken).values(event_id=event_id)
        )
        done.append(reminder)
    if done:
        await announce(connection)
    return done


async def run_reminders(
    engine: AsyncEngine, settings: Settings, *, today: date | None = None
) -> ReminderRun:
    """One run: records every reminder due on `today` (the server's date) not recorded before."""
    today = today or date.today()
    async with engine.connect() as connection:
        due = await due_reminders(connection, today=today, default_leads=settings.reminder_leads)
        sent = await _already_sent(connection, due)
    pending = [r for r in due if _key(r) not in sent]
    run = ReminderRun(found=len(due))
    for start in range(0, len(pending), BATCH):
        async with engine.begin() as connection:
            done = await _record(connection, pending[start : start + BATCH])
        if done:
            committed(engine)
        for reminder in done:
            run.recorded[reminder.kind.value] = run.recorded.get(reminder.kind.value, 0) + 1
    return run


class ReminderJob:
    """`run_reminders` every `reminder_interval_s` until stopped (a failed run is logged and
    tried again at the next interval); run by `partnergraph worker` and, if
    `reminders_in_serve`, inside `serve`."""

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.stopped = asyncio.Event()

    async def run(self) -> None:
        while not self.stopped.is_set():
            try:
                done = await run_reminders(self.engine, self.settings)
                if done.total:
                    log.info("reminders recorded: %s", done.recorded)
            except Exception:
                log.exception("reminder run failed; trying again at the next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopped.wait(), self.settings.reminder_interval_s)

    def stop(self) -> None:
        self.stopped.set()


def start_reminder_job(engine: AsyncEngine, settings: Settings) -> RunningJob:
    """A `ReminderJob` run as a task of the current event loop (inside `serve`)."""
    return RunningJob(ReminderJob(engine, settings), name="reminders")
