"""Summary rollups: after any sequence of writes straight to the tables (what the API, the CLI
and the loaders all come down to), a summary read from the rollups equals the same summary
scanned from the rows, for every dimension the rollups keep; the API says which source answered;
outside the rollups' window of days, or for a caller that sees part of the data, the scan
answers."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import party_rollup, summary_rollup, trend_rollup
from db import tables as t
from db.base import table_of
from db.enums import AgreementKind, AgreementStatus, TokenRole
from resolvers.report_terms import Dimension, Interval
from resolvers.report_trends import trend
from resolvers.reports import summary_with_total
from resolvers.viewer import Role, Viewer
from tests.conftest import Databases, api_client, make_token
from tests.resolvers.report_data import add_varied

pytestmark = pytest.mark.anyio

TODAY = date.today()
ADMIN = Viewer(role=Role.ADMIN)
REPORTER = Viewer(role=Role.REPORTER)

GROUPINGS = [
    [],
    [Dimension.AGREEMENT_KIND],
    [Dimension.STATUS],
    [Dimension.SIGNED_YEAR],
    [Dimension.AGREEMENT_KIND, Dimension.SIGNED_QUARTER],
    [Dimension.START_YEAR, Dimension.STATUS],
    [Dimension.START_QUARTER],
]

AGREEMENT = table_of(t.Agreement)
PROGRAM = table_of(t.Program)
ORGANIZATION = table_of(t.Organization)


def _pick(n: int, values: list[Any]) -> Any:
    return values[n % len(values)] if values else None


def _day(n: int) -> date | None:
    """None, or a day around today and the rollups' window (its edges included)."""
    choices = [-400, -2, -1, 0, 1, 2, 30, summary_rollup.HORIZON_DAYS - 1]
    choices += [summary_rollup.HORIZON_DAYS, summary_rollup.HORIZON_DAYS + 1, 700]
    if n % 13 == 0:
        return None
    return TODAY + timedelta(days=choices[n % len(choices)] + (n // 13) % 3 - 1)


async def _ids(connection: Any, table: sa.Table) -> list[int]:
    return list((await connection.scalars(sa.select(table.c.id).order_by(table.c.id))).all())


def _value(
    column: str, n: int, agreements: list[int], programs: list[int], organizations: list[int]
) -> Any:
    if column == "organization_id":
        return _pick(n, organizations)
    if column == "agreement_id":
        return None if n % 7 == 0 else _pick(n, agreements)
    if column == "program_id":
        return None if n % 5 == 0 else _pick(n, programs)
    if column == "kind":
        return _pick(n, [k.value for k in AgreementKind])
    if column == "status":
        return _pick(n, [s.value for s in AgreementStatus])
    if column in ("signed_on", "effective_from", "effective_to") or column in DATED:
        return _day(n)
    if column in ("credits", "score"):
        return Decimal(n % 10_000) / 100
    if column == "amount":
        return Decimal(n % 1_000_000) / 100
    if column == "currency":
        return _pick(n, ["CNY", "EUR", "USD"])
    raise AssertionError(column)


DATED = {"starts_on", "enrolled_on", "earned_on", "recognised_on", "period_end", "awarded_on"}
DATED |= {"held_on"}

CHANGES: dict[str, tuple[str, ...]] = {
    "agreement": ("kind", "status", "signed_on", "effective_from", "effective_to"),
    "agreement_party": ("agreement_id", "organization_id"),
    "program": ("agreement_id", "starts_on"),
    "enrolment": ("program_id", "enrolled_on"),
    "learning_outcome": ("program_id", "credits", "earned_on"),
    "credit_recognition": ("credits", "recognised_on"),
    "resource_share": ("agreement_id",),
    "activity": ("held_on",),
    "activity_agreement": ("agreement_id",),
    "evaluation": ("agreement_id", "score", "period_end"),
    "funding": ("agreement_id", "program_id", "currency", "amount", "awarded_on"),
}
"""What the random writes change, per table."""


async def _write(engine: AsyncEngine, op: str, table_name: str, a: int, b: int) -> None:
    """One write in a transaction of its own: `op` on a row of `table_name` chosen by `a`, with
    values drawn from `b`."""
    try:
        async with engine.begin() as connection:
            await _write_on(connection, op, table_name, a, b)
    except (IntegrityError, DBAPIError):
        pass  # a constraint refused it (a unique pair, a RESTRICT, a check): nothing written


async def _write_on(connection: AsyncConnection, op: str, table_name: str, a: int, b: int) -> None:
    table = next(x for x in t.__dict__.values() if getattr(x, "__tablename__", "") == table_name)
    source = table_of(table)
    rows = await _ids(connection, source)
    agreements = await _ids(connection, AGREEMENT)
    programs = await _ids(connection, PROGRAM)
    organizations = await _ids(connection, ORGANIZATION)
    if not rows:
        return
    row = _pick(a, rows)
    if op == "delete":
        await connection.execute(source.delete().where(source.c.id == row))
        return
    changes = {
        column: _value(column, b + i * 7919, agreements, programs, organizations)
        for i, column in enumerate(CHANGES[table_name])
        if (b >> i) & 1 or op == "clone"
    }
    if op == "update":
        await connection.execute(source.update().where(source.c.id == row).values(**changes))
        return
    original = (await connection.execute(source.select().where(source.c.id == row))).one()
    copied = {k: v for k, v in original._mapping.items() if k != "id"}
    if "source_key" in copied:
        copied["source_key"] = None
    await connection.execute(source.insert().values(**{**copied, **changes}))


WRITES = st.lists(
    st.tuples(
        st.sampled_from(["update", "update", "clone", "delete"]),
        st.sampled_from(sorted(CHANGES)),
        st.integers(0, 10**6),
        st.integers(0, 10**6),
    ),
    min_size=1,
    max_size=8,
)


async def _both(engine: AsyncEngine, viewer: Viewer, dimensions: list[Dimension]) -> None:
    rolled = await summary_with_total(
        engine=engine, viewer=viewer, filter=None, group_by=dimensions, as_of=None
    )
    scanned = await summary_with_total(
        engine=engine, viewer=viewer, filter=None, group_by=dimensions, as_of=None, rollups=False
    )
    # distinct parties by status are counted from the rows
    assert rolled.source == ("mixed" if Dimension.STATUS in dimensions else "rollup")
    assert scanned.source == "scan"
    assert rolled.groups == scanned.groups, dimensions
    assert rolled.total == scanned.total, dimensions


async def _trends_both(engine: AsyncEngine, viewer: Viewer, interval: Interval) -> None:
    """The trend from the monthly sums equals the trend scanned, over the dates the writes
    draw from (and an empty run of periods before them)."""
    args: dict[str, Any] = {
        "engine": engine,
        "viewer": viewer,
        "filter": None,
        "interval": interval,
        "start": TODAY - timedelta(days=3 * 366),
        "end": TODAY + timedelta(days=3 * 366),
    }
    rolled_from: dict[str, object] = {}
    scanned_from: dict[str, object] = {}
    rolled = await trend(**args, sources=rolled_from)
    scanned = await trend(**args, rollups=False, sources=scanned_from)
    assert (rolled_from, scanned_from) == ({"summarySource": "rollup"}, {"summarySource": "scan"})
    assert rolled == scanned, interval


@pytest.fixture
async def varied(demo_engine: AsyncEngine) -> AsyncEngine:
    """The demo database plus the varied agreements, with the rollups' window from today."""
    await add_varied(demo_engine)
    async with demo_engine.begin() as connection:
        await connection.run_sync(summary_rollup.rebuild, TODAY)
    return demo_engine


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=WRITES, grouping=st.sampled_from(range(len(GROUPINGS))))
async def test_rollups_equal_the_scan_after_random_writes(
    varied: AsyncEngine, writes: list[tuple[str, str, int, int]], grouping: int
) -> None:
    for op, table, a, b in writes:
        await _write(varied, op, table, a, b)
    await _both(varied, ADMIN, GROUPINGS[grouping])
    await _trends_both(varied, ADMIN, list(Interval)[grouping % len(Interval)])


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=WRITES, grouping=st.sampled_from(range(len(GROUPINGS))))
async def test_rollups_equal_the_scan_after_random_writes_in_one_transaction(
    varied: AsyncEngine, writes: list[tuple[str, str, int, int]], grouping: int
) -> None:
    """Many writes in one transaction, each in a savepoint that a refused one rolls back: on
    PostgreSQL the refreshes all run at the commit (deferred triggers), some of them for rows
    written and undone since, or for one agreement moved twice."""
    async with varied.begin() as connection:
        for op, table, a, b in writes:
            try:
                async with connection.begin_nested():
                    await _write_on(connection, op, table, a, b)
            except (IntegrityError, DBAPIError):
                pass
    await _both(varied, ADMIN, GROUPINGS[grouping])
    await _trends_both(varied, ADMIN, list(Interval)[grouping % len(Interval)])


async def test_on_postgresql_the_rollups_move_at_the_commit(varied: AsyncEngine) -> None:
    """Deferred to the commit on PostgreSQL, so the writing transaction sees the rollups as they
    were (and holds the shared group rows only for the commit); on SQLite, at once."""
    rollup = sa.text("SELECT sum(agreements) FROM summary_rollup")
    async with varied.begin() as connection:
        before = await connection.scalar(rollup)
        agreement = (await _ids(connection, AGREEMENT))[0]
        await connection.execute(AGREEMENT.delete().where(AGREEMENT.c.id == agreement))
        during = await connection.scalar(rollup)
    async with varied.connect() as connection:
        after = await connection.scalar(rollup)
    deferred = varied.dialect.name == "postgresql"
    assert (during, after) == ((before, before - 1) if deferred else (before - 1, before - 1))
    await _both(varied, ADMIN, [])


async def test_every_grouping_equals_the_scan_for_admins_and_reporters(varied: AsyncEngine) -> None:
    for dimensions in GROUPINGS:
        await _both(varied, ADMIN, dimensions)
        await _both(varied, REPORTER, dimensions)
    for interval in Interval:
        await _trends_both(varied, ADMIN, interval)
        await _trends_both(varied, REPORTER, interval)


async def test_a_rebuild_changes_no_figure(varied: AsyncEngine) -> None:
    for op, table, a, b in [("update", "agreement", 3, 31), ("clone", "funding", 2, 5)]:
        await _write(varied, op, table, a, b)
    before = await summary_with_total(
        engine=varied, viewer=ADMIN, filter=None, group_by=GROUPINGS[4], as_of=None
    )
    trend_before = await trend(
        engine=varied, viewer=ADMIN, filter=None, interval=Interval.MONTH, start=TODAY, end=TODAY
    )
    async with varied.begin() as connection:
        await connection.run_sync(summary_rollup.rebuild, TODAY)
        await connection.run_sync(party_rollup.rebuild)
        await connection.run_sync(trend_rollup.rebuild)
    after = await summary_with_total(
        engine=varied, viewer=ADMIN, filter=None, group_by=GROUPINGS[4], as_of=None
    )
    assert (after.total, after.groups) == (before.total, before.groups)
    trend_after = await trend(
        engine=varied, viewer=ADMIN, filter=None, interval=Interval.MONTH, start=TODAY, end=TODAY
    )
    assert trend_after == trend_before
    for interval in Interval:
        await _trends_both(varied, ADMIN, interval)


COUNTS = """query ($groupBy: [ReportDimension!], $filter: AgreementFilter, $asOf: Date) {
  cooperationSummary(groupBy: $groupBy, filter: $filter, asOf: $asOf) {
    total { agreements active byStatus { status count } }
    groups { keys { value } measures { agreements active byStatus { status count } } } } }"""

EVERY = """query ($groupBy: [ReportDimension!]) { cooperationSummary(groupBy: $groupBy) {
    total { agreements programs enrolments creditsEarned funding { amount currency } }
    groups { keys { value } measures { agreements active programs enrolments creditsEarned
      creditsRecognised resourcesShared activities meanEvaluationScore
      funding { amount currency } } } } }"""


async def _answer(client: httpx.AsyncClient, document: str, variables: dict[str, Any]) -> Any:
    response = await client.post("/graphql", json={"query": document, "variables": variables})
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body


async def _move_window(engine: AsyncEngine, pivot: date) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            sa.text("UPDATE summary_rollup_state SET pivot = :p, horizon = :h").bindparams(
                sa.bindparam("p", type_=sa.Date), sa.bindparam("h", type_=sa.Date)
            ),
            {"p": pivot, "h": pivot + timedelta(days=summary_rollup.HORIZON_DAYS)},
        )


async def test_the_api_says_which_source_answered(
    varied: AsyncEngine, databases: Databases
) -> None:
    """Counts by kind and year (compiled into one statement on PostgreSQL) and every measure,
    from the rollups; a filter, a past day, a partial viewer, or a day outside the rollups'
    window: the scan, with the same figures where the question is the same; a grouping by
    party: the total from the rollups and the groups from the rows."""
    editor = await make_token(varied, TokenRole.EDITOR, organization="Jiangsu Open University")
    reporter = await make_token(varied, TokenRole.REPORTER)
    kind_year = {"groupBy": ["AGREEMENT_KIND", "SIGNED_YEAR"]}
    async with (
        api_client(varied, databases.admin_token) as admin,
        api_client(varied, editor) as partial,
        api_client(varied, reporter) as reporting,
    ):
        rolled: dict[str, Any] = {}
        cases: list[tuple[str, httpx.AsyncClient, str, dict[str, Any], str]] = [
            ("counts", admin, COUNTS, kind_year, "rollup"),
            ("reporter", reporting, COUNTS, kind_year, "rollup"),
            ("every", admin, EVERY, kind_year, "rollup"),
            ("filtered", admin, COUNTS, {**kind_year, "filter": {"kind": ["OTHER"]}}, "scan"),
            ("past", admin, COUNTS, {**kind_year, "asOf": "2024-06-30"}, "scan"),
            # the total from the rollups, the groups by party country from the rows
            ("party", admin, COUNTS, {"groupBy": ["PARTY_COUNTRY"]}, "mixed"),
            ("partial", partial, COUNTS, kind_year, "scan"),
        ]
        for name, client, document, variables, source in cases:
            body = await _answer(client, document, variables)
            assert body["extensions"]["summarySource"] == source, name
            rolled[name] = body["data"]
        assert rolled["reporter"] == rolled["counts"]
        await _move_window(varied, TODAY + timedelta(days=1))
        for document, name in [(COUNTS, "counts"), (EVERY, "every")]:
            body = await _answer(admin, document, kind_year)
            assert body["extensions"]["summarySource"] == "scan"
            assert body["data"] == rolled[name]
