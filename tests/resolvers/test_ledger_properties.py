"""The ledger's invariants over random operation sequences, with hypothesis, through the service
layer (`resolvers.ledger`, `resolvers.recognition`), each operation in its own transaction as a
mutation runs it (`resolvers.transactions.in_transaction`): credits earned, corrected up and
down, expired, converted between credit units (UK credits, ECTS, and a unit without an ECTS
value), applied for, approved, rejected and withdrawn, in any order, on a rule with a cap and a
ratio. After every operation, accepted or refused, `resolvers.ledger_audit.audit` finds nothing:
no entry or balance (per unit) below zero, nothing above its source, no outcome earned twice or
recognised twice at one organization, recognised credits within the rule's cap (conversions
make no room under it), every approved application granting exactly its entries, every
conversion put in exactly once and never more (in ECTS) than it took out; and each account's
balance per unit (`resolvers.ledger.totals_of`) is the sum of its entries in that unit."""

import asyncio
import contextlib
import functools
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.credit_world import CreditWorld, add_credit_world
from db import tables as t
from db.base import table_of, utcnow
from db.engine import create_engine
from resolvers import ledger, recognition
from resolvers.errors import ApiError
from resolvers.ledger_audit import audit
from resolvers.transactions import in_transaction
from resolvers.viewer import Role, Viewer
from tests.conftest import Databases

ENTRY = table_of(t.CreditEntry)
OUTCOME = table_of(t.LearningOutcome)
APPLICATION = table_of(t.RecognitionApplication)
ADMIN = Viewer(role=Role.ADMIN)


@dataclass(frozen=True)
class Earn:
    learner: int
    course: int


@dataclass(frozen=True)
class Correct:
    entry: int
    credits: Decimal


@dataclass(frozen=True)
class Expire:
    entry: int


@dataclass(frozen=True)
class Convert:
    entry: int
    to: str
    credits: Decimal | None


@dataclass(frozen=True)
class Apply:
    learner: int
    outcomes: tuple[int, ...]


@dataclass(frozen=True)
class Decide:
    application: int
    approve: bool


@dataclass(frozen=True)
class Withdraw:
    application: int


Operation = Earn | Correct | Expire | Convert | Apply | Decide | Withdraw

LEARNERS = 2
_pick = st.integers(min_value=0, max_value=5)
OPERATIONS = st.one_of(
    st.builds(Earn, st.integers(0, LEARNERS - 1), st.integers(0, 3)),
    st.builds(
        Correct,
        _pick,
        st.sampled_from([Decimal(x) for x in ("-3", "-1.5", "-0.5", "0.5", "1", "2.25")]),
    ),
    st.builds(Expire, _pick),
    st.builds(
        Convert,
        _pick,
        st.sampled_from(["ECTS", "UK_CREDIT", "CN_CREDIT"]),
        st.sampled_from([None, *(Decimal(x) for x in ("0.01", "0.5", "1", "2.5"))]),
    ),
    st.builds(
        Apply,
        st.integers(0, LEARNERS - 1),
        st.lists(_pick, min_size=1, max_size=3).map(tuple),
    ),
    st.builds(Decide, _pick, st.booleans()),
    st.builds(Withdraw, _pick),
)


async def _keys(connection: AsyncConnection, statement: sa.Select[tuple[int]]) -> list[int]:
    return list(await connection.scalars(statement))


def _at(keys: list[int], index: int) -> int:
    return keys[index % len(keys)] if keys else 987_654


async def _run(connection: AsyncConnection, world: CreditWorld, operation: Operation) -> object:
    entries = await _keys(connection, sa.select(ENTRY.c.id).order_by(ENTRY.c.id))
    applications = await _keys(connection, sa.select(APPLICATION.c.id).order_by(APPLICATION.c.id))
    match operation:
        case Earn(learner, course):
            return await ledger.record_earned(
                connection,
                ADMIN,
                account_id=world.accounts[learner],
                course_id=world.courses[course],
                earned_on=utcnow().date(),
            )
        case Correct(entry, credits):
            return await ledger.correct_entry(
                connection, ADMIN, entry_id=_at(entries, entry), credits=credits, reason="test"
            )
        case Expire(entry):
            return await ledger.expire_entry(
                connection, ADMIN, entry_id=_at(entries, entry), reason="test"
            )
        case Convert(entry, to, credits):
            return await ledger.convert_entry(
                connection, ADMIN, entry_id=_at(entries, entry), to_unit=to, credits=credits
            )
        case Apply(learner, picks):
            outcomes = await _keys(
                connection,
                sa.select(OUTCOME.c.id)
                .where(OUTCOME.c.account_id == world.accounts[learner])
                .order_by(OUTCOME.c.id),
            )
            return await recognition.apply_for_recognition(
                connection,
                ADMIN,
                learner_id=world.learners[learner],
                rule_id=world.rule,
                outcome_ids=list(dict.fromkeys(_at(outcomes, p) for p in picks)),
            )
        case Decide(application, approve):
            key = _at(applications, application)
            return await recognition.decide_application(
                connection,
                ADMIN,
                application_id=key,
                version=await _version(connection, key),
                approve=approve,
                reason="test",
            )
        case Withdraw(application):
            key = _at(applications, application)
            return await recognition.withdraw_application(
                connection, ADMIN, application_id=key, version=await _version(connection, key)
            )


async def _step(connection: AsyncConnection, *, world: CreditWorld, operation: Operation) -> object:
    return await _run(connection, world, operation)


async def _version(connection: AsyncConnection, key: int) -> int:
    found = await connection.scalar(sa.select(APPLICATION.c.version).where(APPLICATION.c.id == key))
    return int(found or 1)


async def _balances_off(connection: AsyncConnection) -> dict[str, list[str]]:
    """Accounts whose balance per unit is not the sum of their entries in it (nor >= 0)."""
    rows = (
        await connection.execute(
            sa.select(ENTRY.c.account_id, ENTRY.c.rule_id, ENTRY.c.unit_code, ENTRY.c.credits)
        )
    ).all()
    by_account: dict[int, list[tuple[int | None, str | None, Decimal]]] = {}
    for account, rule, unit, credits in rows:
        by_account.setdefault(account, []).append((rule, unit, Decimal(str(credits))))
    broken = []
    for account, entries in by_account.items():
        totals = ledger.totals_of(entries)
        for unit, balance in totals.by_unit:
            expected = sum((c for _, u, c in entries if u == unit), Decimal(0))
            if balance != expected or round(balance, 2) < 0:
                broken.append(f"account {account} {unit}: {balance} != {expected}")
        if totals.balance != sum(b for _, b in totals.by_unit):
            broken.append(f"account {account}: {totals.balance} is not the sum of its units")
    return {"a balance off its entries": broken} if broken else {}


async def _sequence(databases: Databases, operations: list[Operation]) -> list[str]:
    url = await databases.migrated()
    engine: AsyncEngine = create_engine(url)
    broken: list[str] = []
    try:
        world = await add_credit_world(
            engine, learners=LEARNERS, cap=Decimal("4.0"), ratio=Decimal("1.5"), unit="UK_CREDIT"
        )
        for number, operation in enumerate(operations):
            with contextlib.suppress(ApiError):
                await in_transaction(
                    engine, functools.partial(_step, world=world, operation=operation)
                )
            async with engine.connect() as connection:
                found = {k: v for k, v in (await audit(connection)).items() if v}
                found |= await _balances_off(connection)
            if found:
                broken.append(f"after step {number} {operation}: {found}")
                break
    finally:
        await engine.dispose()
        databases.release(url)
    return broken


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=14))
@example(
    operations=[
        Earn(0, 0),
        Earn(0, 1),
        Apply(0, (0,)),
        Apply(0, (1,)),
        Decide(0, True),
        Decide(1, True),
        Correct(3, Decimal("1")),
        Correct(0, Decimal("-3")),
        Expire(0),
        Apply(0, (0,)),
    ]
)
@example(
    operations=[Earn(0, 2), Correct(0, Decimal("-1.5")), Apply(0, (0,)), Expire(0), Decide(0, True)]
)
@example(
    operations=[
        Earn(0, 0),
        Apply(0, (0,)),
        Decide(0, True),
        Convert(1, "ECTS", None),
        Apply(0, (0,)),
        Convert(0, "ECTS", Decimal("1")),
        Convert(3, "UK_CREDIT", None),
        Correct(5, Decimal("-0.5")),
        Expire(0),
        Convert(2, "CN_CREDIT", None),
    ]
)
def test_no_operation_sequence_breaks_the_ledger(
    databases: Databases, operations: list[Operation]
) -> None:
    assert asyncio.run(_sequence(databases, operations)) == []
