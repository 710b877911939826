"""The credit ledger's rules: credits enter an account only as entries, and leave it only as
entries that name what they take back.

- Earned credits come from a course the learner is enrolled for (through the course's program):
  the course's own credits, never a number the caller types; a course counts once per account.
- A correction names the entry it corrects and a reason; it moves that entry's net (the entry
  plus its corrections and expiry) anywhere between 0 and the entry's own credits, so no entry,
  and so no balance, goes below zero, and nothing is counted above what its source gave.
- An expiry takes an entry's whole net back, once.
- A conversion moves credits of an earned, recognised or converted-in entry to another credit
  unit at the units' ECTS values (`credit_unit`): a pair of `converted` entries, one taking
  the credits out of the source entry (in its unit, counted in its net, so nothing converted is
  left to expire, correct or recognise), one putting the converted credits in (in the new
  unit, rounded down to the cent, so never more than what was taken out); the second is itself
  a source that can be corrected, expired or converted again.
- Every entry carries its unit (`unit_code`): the course's (else its program's) for earned
  credits, the rule's receiving program's for recognised ones, the source's for what follows
  it; null where none is recorded. Balances are per account, organization and unit.

Every write locks the account first (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite has one
writer at a time), so two requests on one account are serialised and each sees the other's
entries. The invariants are tested with hypothesis over random operation sequences
(tests/resolvers/test_ledger_properties.py).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of, utcnow
from db.enums import CreditEntryKind, EnrolmentStatus
from resolvers.decimals import scaled
from resolvers.errors import ApiError, BadUserInput, NotFound, UnknownCode, excerpt
from resolvers.viewer import Viewer
from resolvers.write_scope import check_arguments
from resolvers.writes import as_stored, insert_row

__all__ = [
    "ACCOUNT",
    "ENTRY",
    "AlreadyCounted",
    "LedgerRefusal",
    "Totals",
    "UnitUnknown",
    "append",
    "convert_entry",
    "correct_entry",
    "entry_net",
    "expire_entry",
    "is_source",
    "lock_account",
    "record_earned",
    "totals_of",
]

ENTRY = table_of(t.CreditEntry)
ACCOUNT = table_of(t.CreditAccount)
OUTCOME = table_of(t.LearningOutcome)
COURSE = table_of(t.Course)
ENROLMENT = table_of(t.Enrolment)

K = CreditEntryKind
_SOURCES = (K.EARNED.value, K.RECOGNISED.value)
UNIT = table_of(t.CreditUnit)
PROGRAM = table_of(t.Program)
CENT = Decimal("0.01")
_LIVE_ENROLMENT = (EnrolmentStatus.ENROLLED.value, EnrolmentStatus.COMPLETED.value)


class LedgerRefusal(ApiError):
    """A ledger rule would be broken (below zero, above the source, expired)."""

    code = "LEDGER_RULE"


class AlreadyCounted(ApiError):
    code = "ALREADY_COUNTED"


class UnitUnknown(ApiError):
    """The credits' unit was never recorded, or a unit has no agreed ECTS value."""

    code = "UNIT_UNKNOWN"


def is_source(entry: RowMapping) -> bool:
    """Earned, recognised, or put in by a conversion: an entry that others correct or take from."""
    return entry["kind"] in _SOURCES or (
        entry["kind"] == K.CONVERTED.value and entry["corrects_id"] is None
    )


async def lock_account(connection: AsyncConnection, account_id: int) -> RowMapping:
    """The account, held until the transaction ends: every ledger write takes this lock first."""
    statement = sa.select(ACCOUNT).where(ACCOUNT.c.id == account_id).with_for_update()
    row = (await connection.execute(statement)).mappings().first()
    if row is None:
        raise NotFound("no CreditAccount with that ID", field="account")
    return row


async def entry_net(connection: AsyncConnection, entry_id: int) -> Decimal:
    """An entry's credits with its corrections and expiry."""
    total = await connection.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ENTRY.c.credits), 0)).where(
            sa.or_(ENTRY.c.id == entry_id, ENTRY.c.corrects_id == entry_id)
        )
    )
    return scaled(total, ENTRY.c.credits)


async def append(
    connection: AsyncConnection, viewer: Viewer, values: dict[str, object]
) -> RowMapping:
    """One new entry; its `entry_key`, if any, must be new (checked first for a clear answer;
    the unique index is the last word under a race)."""
    key = values.get("entry_key")
    if key is not None:
        taken = await connection.scalar(sa.select(ENTRY.c.id).where(ENTRY.c.entry_key == key))
        if taken is not None:
            raise AlreadyCounted(f"these credits are already in the ledger ({key})")
    stored = as_stored(
        ENTRY,
        {
            "recorded_on": utcnow().date(),
            "recorded_at": utcnow(),
            "recorded_by": viewer.label,
            **values,
        },
    )
    result = await connection.execute(sa.insert(ENTRY).values(stored).returning(ENTRY))
    row: RowMapping = result.mappings().one()
    return row


async def record_earned(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    account_id: int,
    course_id: int,
    earned_on: date,
    evidence_url: str | None = None,
) -> tuple[RowMapping, RowMapping]:
    """A course's credits earned by the account's learner: the outcome and its entry."""
    rows = await check_arguments(
        connection,
        viewer,
        "recordEarnedCredits",
        {"account": account_id, "course": course_id},
        lock=frozenset({"account"}),
    )
    account, course = rows["account"], rows["course"]
    await lock_account(connection, account_id)
    credits = course["credits"]
    unit = course["credit_unit_code"]
    if unit is None and course["program_id"] is not None:
        unit = await connection.scalar(
            sa.select(PROGRAM.c.credit_unit_code).where(PROGRAM.c.id == course["program_id"])
        )
    if credits is None or credits <= 0:
        raise BadUserInput("this course carries no credits to earn", field="course")
    if earned_on > utcnow().date():
        raise BadUserInput("credits cannot be earned in the future", field="earnedOn")
    enrolment = (
        await connection.execute(
            sa.select(ENROLMENT.c.enrolled_on).where(
                ENROLMENT.c.learner_id == account["learner_id"],
                ENROLMENT.c.program_id == course["program_id"],
                ENROLMENT.c.status.in_(_LIVE_ENROLMENT),
            )
        )
    ).first()
    if course["program_id"] is None or enrolment is None:
        raise LedgerRefusal(
            "the learner has no enrolment in this course's program: enrol them first",
            field="course",
        )
    enrolled_on = enrolment.enrolled_on
    if enrolled_on is not None and earned_on < enrolled_on:
        raise BadUserInput("credits cannot be earned before the enrolment", field="earnedOn")
    key = f"course:{account_id}:{course_id}"
    outcome = await insert_row(
        connection,
        OUTCOME,
        {
            "account_id": account_id,
            "provider_id": course["organization_id"],
            "program_id": course["program_id"],
            "course_id": course_id,
            "title": course["title"],
            "credits": credits,
            "earned_on": earned_on,
            "evidence_url": evidence_url,
        },
        actor=viewer.label,
    )
    entry = await append(
        connection,
        viewer,
        {
            "account_id": account_id,
            "kind": K.EARNED.value,
            "credits": credits,
            "organization_id": course["organization_id"],
            "outcome_id": outcome["id"],
            "entry_key": key,
            "recorded_on": earned_on,
            "unit_code": unit,
        },
    )
    return outcome, entry


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise BadUserInput("say why: a reason is required", field="reason")
    return text


async def _source_entry(
    connection: AsyncConnection, viewer: Viewer, mutation: str, entry_id: int
) -> RowMapping:
    rows = await check_arguments(connection, viewer, mutation, {"id": entry_id})
    entry = rows["id"]
    if not is_source(entry):
        raise LedgerRefusal(
            "only an earned, recognised or converted-in entry is corrected, expired or "
            f"converted; this one is itself a {entry['kind']} entry of entry "
            f"{entry['corrects_id']}",
            field="id",
        )
    await lock_account(connection, entry["account_id"])
    expired = await connection.scalar(
        sa.select(ENTRY.c.id).where(
            ENTRY.c.corrects_id == entry["id"], ENTRY.c.kind == K.EXPIRED.value
        )
    )
    if expired is not None:
        raise LedgerRefusal("this entry has expired: nothing is left to change", field="id")
    return entry


def _follow(entry: RowMapping) -> dict[str, object]:
    """What a correction or expiry carries over from the entry it changes."""
    return {
        "account_id": entry["account_id"],
        "organization_id": entry["organization_id"],
        "outcome_id": entry["outcome_id"],
        "rule_id": entry["rule_id"],
        "application_id": entry["application_id"],
        "corrects_id": entry["id"],
        "unit_code": entry["unit_code"],
    }


async def correct_entry(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    entry_id: int,
    credits: Decimal,
    reason: str,
) -> RowMapping:
    """A correction of `credits` (negative takes credits back) to an earned or recognised entry;
    its net stays between 0 and its own credits."""
    text = _reason(reason)
    if credits == 0:
        raise BadUserInput("a correction changes credits: give a non-zero amount", field="credits")
    entry = await _source_entry(connection, viewer, "correctCreditEntry", entry_id)
    net = await entry_net(connection, entry_id)
    after = net + credits
    if after < 0:
        raise LedgerRefusal(
            f"the entry holds {net} credits: a correction of {credits} would take it below zero",
            field="credits",
        )
    if after > entry["credits"]:
        raise LedgerRefusal(
            f"the entry gave {entry['credits']} credits and holds {net}: a correction cannot "
            "raise it above what its source gave",
            field="credits",
        )
    return await append(
        connection,
        viewer,
        {**_follow(entry), "kind": K.CORRECTED.value, "credits": credits, "reason": text},
    )


async def expire_entry(
    connection: AsyncConnection, viewer: Viewer, *, entry_id: int, reason: str
) -> RowMapping:
    """The entry's whole net taken back, once (credits past their validity, say)."""
    text = _reason(reason)
    entry = await _source_entry(connection, viewer, "expireCreditEntry", entry_id)
    net = await entry_net(connection, entry_id)
    return await append(
        connection,
        viewer,
        {
            **_follow(entry),
            "kind": K.EXPIRED.value,
            "credits": -net,
            "reason": text,
            "entry_key": f"expired:{entry_id}",
        },
    )


async def _unit(connection: AsyncConnection, code: str | None, *, field: str) -> RowMapping:
    if code is None:
        raise UnitUnknown(
            "the credits' unit was never recorded (their course, program or rule has none): "
            "they cannot be converted",
            field="id",
        )
    row = (await connection.execute(sa.select(UNIT).where(UNIT.c.code == code))).mappings().first()
    if row is None:
        known = ", ".join(await connection.scalars(sa.select(UNIT.c.code).order_by(UNIT.c.code)))
        raise UnknownCode(f"{excerpt(code)} is not a credit unit (one of {known})", field=field)
    if row["ects_per_unit"] is None:
        raise UnitUnknown(
            f"{code} has no agreed ECTS value: credits are converted to and from it only by a "
            "recognition rule's ratio",
            field=field,
        )
    return row


async def convert_entry(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    entry_id: int,
    to_unit: str,
    credits: Decimal | None = None,
) -> tuple[RowMapping, RowMapping]:
    """`credits` of an entry (all it holds when none) converted to `to_unit`: the entry that
    takes them out and the entry that puts the converted credits in."""
    target_code = to_unit.strip()
    if credits is not None and credits <= 0:
        raise BadUserInput("give a positive number of credits to convert", field="credits")
    entry = await _source_entry(connection, viewer, "convertCredits", entry_id)
    if entry["unit_code"] == target_code:
        raise BadUserInput(f"these credits already count in {target_code}", field="toUnit")
    target = await _unit(connection, target_code, field="toUnit")
    source = await _unit(connection, entry["unit_code"], field="id")
    net = await entry_net(connection, entry_id)
    amount = net if credits is None else credits
    if amount <= 0:
        raise LedgerRefusal("the entry holds no credits to convert", field="id")
    if amount > net:
        raise LedgerRefusal(
            f"the entry holds {net} credits: {amount} cannot be converted", field="credits"
        )
    converted = (amount * source["ects_per_unit"] / target["ects_per_unit"]).quantize(
        CENT, rounding=ROUND_DOWN
    )
    if converted <= 0:
        raise LedgerRefusal(
            f"{amount} {source['code']} is less than 0.01 {target['code']}", field="credits"
        )
    text = f"converted to {target['code']}"
    out = await append(
        connection,
        viewer,
        {**_follow(entry), "kind": K.CONVERTED.value, "credits": -amount, "reason": text},
    )
    into = await append(
        connection,
        viewer,
        {
            "account_id": entry["account_id"],
            "organization_id": entry["organization_id"],
            "kind": K.CONVERTED.value,
            "credits": converted,
            "unit_code": target["code"],
            "converted_from_id": out["id"],
            "reason": f"converted from {amount} {source['code']}",
            "entry_key": f"converted:{out['id']}",
        },
    )
    return out, into


@dataclass(frozen=True, slots=True)
class Totals:
    """An account's balance and its parts, derived from its entries. `balance`, `earned` and
    `recognised` add credits whatever their unit; `by_unit` is the balance per unit (null: not
    recorded), in unit code order."""

    balance: Decimal
    earned: Decimal
    recognised: Decimal
    by_unit: tuple[tuple[str | None, Decimal], ...] = ()


def totals_of(rows: list[tuple[int | None, str | None, Decimal]]) -> Totals:
    """Totals from (rule_id, unit_code, credits) rows: entries with a rule are recognised
    credits, the rest earned (or put in by a conversion)."""
    earned = sum((c for rule, _, c in rows if rule is None), Decimal(0))
    recognised = sum((c for rule, _, c in rows if rule is not None), Decimal(0))
    units: dict[str | None, Decimal] = {}
    for _, unit, c in rows:
        units[unit] = units.get(unit, Decimal(0)) + c
    by_unit = tuple(sorted(units.items(), key=lambda item: (item[0] is None, item[0] or "")))
    return Totals(earned + recognised, earned, recognised, by_unit)
