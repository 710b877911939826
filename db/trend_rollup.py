"""The cooperation trends' flows kept per month (`trend_rollup`), exact in the writing
transaction, on both databases (`install`), with a full `rebuild`.

A trend (`resolvers.report_trends`) counts what happened in each year, quarter or month: an
agreement signed, started or ended, a program started, an enrolment, credits earned or
recognised, an activity held, an evaluation's period ended, funding awarded per currency. Every
period is a run of whole months, so a sum per month answers any of them. Each agreement's
flows per month are kept in `agreement_trend` (what its next refresh takes out), and their sum
in `trend_rollup`; activities count once whatever the number of agreements they link to, so
they are kept per activity (`activity_trend`: its month, while it links to an agreement).

As `db.summary_rollup`, a change to a row that moves a flow refreshes its agreement (or
activity): its stored rows out of the sums, computed again from the tables, back in. On
PostgreSQL the month rows it touches are locked first in key order (two writers then wait
instead of deadlocking). Flows are dated, not read as of today, so there is no window.
"""

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from db.refresh_triggers import Watched, clear, column, create, drop, refresh_function
from db.summary_rollup import SOURCES as AGREEMENT_SOURCES

__all__ = ["install", "installed", "rebuild", "uninstall"]


def _month(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return (
            f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 100 "
            f"+ CAST(EXTRACT(MONTH FROM {column}) AS INTEGER))"
        )
    return (
        f"(CAST(strftime('%Y', {column}) AS INTEGER) * 100 "
        f"+ CAST(strftime('%m', {column}) AS INTEGER))"
    )


def _flows(agreement: str | None, dialect: str) -> str:
    """Rows (agreement_id, measure, month, value, entries) of agreement `agreement` (an SQL
    expression), or of every agreement (None), as `resolvers.report_trends.trend` counts them
    for a caller that counts every row."""

    def where(column: str) -> str:
        return f"= {agreement}" if agreement is not None else "IS NOT NULL"

    def flow(measure: str, owner: str, day: str, value: str, source: str, *conditions: str) -> str:
        month = _month(day, dialect)
        return (
            f"SELECT {owner} AS agreement_id, {measure} AS measure, {month} AS month, "
            f"{value} AS value, count(*) AS entries FROM {source} "
            f"WHERE {owner} {where(owner)} AND {day} IS NOT NULL "
            + "".join(f"AND {c} " for c in conditions)
            + f"GROUP BY {owner}, {month}"
            + ("" if measure.startswith("'") and measure.endswith("'") else f", {measure}")
        )

    program = "JOIN program p ON p.id = {0}.program_id"
    funding = (
        "(SELECT f.agreement_id, f.currency, f.amount, f.awarded_on FROM funding f "
        "WHERE f.agreement_id IS NOT NULL UNION ALL "
        "SELECT p.agreement_id, f.currency, f.amount, f.awarded_on FROM funding f "
        "JOIN program p ON p.id = f.program_id WHERE f.agreement_id IS NULL"
        + (f" AND p.agreement_id = {agreement}" if agreement is not None else "")
        + ") g"
    )
    if agreement is not None:
        funding = funding.replace(
            "WHERE f.agreement_id IS NOT NULL", f"WHERE f.agreement_id = {agreement}"
        )
    return " UNION ALL ".join(
        [
            flow("'signed'", "a.id", "a.signed_on", "count(*)", "agreement a"),
            flow("'started'", "a.id", "a.effective_from", "count(*)", "agreement a"),
            flow("'ended'", "a.id", "a.effective_to", "count(*)", "agreement a"),
            flow("'programs_started'", "p.agreement_id", "p.starts_on", "count(*)", "program p"),
            flow(
                "'enrolments'",
                "p.agreement_id",
                "e.enrolled_on",
                "count(*)",
                f"enrolment e {program.format('e')}",
            ),
            flow(
                "'credits_earned'",
                "p.agreement_id",
                "o.earned_on",
                "sum(o.credits)",
                f"learning_outcome o {program.format('o')}",
            ),
            flow(
                "'credits_recognised'",
                "r.agreement_id",
                "c.recognised_on",
                "sum(c.credits)",
                "credit_recognition c JOIN recognition_rule r ON r.id = c.rule_id",
            ),
            flow("'evaluations'", "ev.agreement_id", "ev.period_end", "count(*)", "evaluation ev"),
            flow(
                "'funding:' || g.currency",
                "g.agreement_id",
                "g.awarded_on",
                "sum(g.amount)",
                funding,
            ),
        ]
    )


def _activity(activity: str, dialect: str) -> str:
    return (
        f"SELECT ac.id, {_month('ac.held_on', dialect)} FROM activity ac "
        f"WHERE ac.id = {activity} AND ac.held_on IS NOT NULL "
        f"AND EXISTS (SELECT 1 FROM activity_agreement aa WHERE aa.activity_id = {activity})"
    )


_OUT = (
    "UPDATE trend_rollup SET value = trend_rollup.value - t.value, "
    "entries = trend_rollup.entries - t.entries FROM ({rows}) t "
    "WHERE trend_rollup.measure = t.measure AND trend_rollup.month = t.month"
)
_IN = _OUT.replace(" - t.", " + t.")
_ENSURE = (
    "INSERT INTO trend_rollup (measure, month, value, entries) "
    "SELECT t.measure, t.month, 0, 0 FROM ({rows}) t WHERE true ON CONFLICT DO NOTHING"
)
_LOCK = (
    "PERFORM 1 FROM trend_rollup WHERE (measure, month) IN (SELECT t.measure, t.month "
    "FROM ({rows}) t) ORDER BY measure, month FOR UPDATE"
)


def _agreement_refresh(x: str, dialect: str) -> list[str]:
    stored = f"SELECT measure, month, value, entries FROM agreement_trend WHERE agreement_id = {x}"
    fresh = f"SELECT measure, month, value, entries FROM ({_flows(x, dialect)}) f"
    lock = [_ENSURE.format(rows=fresh), _LOCK.format(rows=f"{stored} UNION ALL {fresh}")]
    return [
        *(lock if dialect == "postgresql" else []),
        _OUT.format(rows=stored),
        f"DELETE FROM agreement_trend WHERE agreement_id = {x}",
        "INSERT INTO agreement_trend (agreement_id, measure, month, value, entries) "
        f"SELECT agreement_id, measure, month, value, entries FROM ({_flows(x, dialect)}) f",
        _ENSURE.format(rows=stored),
        _IN.format(rows=stored),
    ]


def _activity_refresh(y: str, dialect: str) -> list[str]:
    stored = (
        "SELECT 'activities' AS measure, month, 1 AS value, 1 AS entries FROM activity_trend "
        f"WHERE activity_id = {y}"
    )
    fresh = (
        "SELECT 'activities' AS measure, t.month, 1 AS value, 1 AS entries "
        f"FROM ({_activity(y, dialect)}) t(id, month)"
        if dialect == "postgresql"
        else ""
    )
    lock = [_ENSURE.format(rows=fresh), _LOCK.format(rows=f"{stored} UNION ALL {fresh}")]
    return [
        *(lock if dialect == "postgresql" else []),
        _OUT.format(rows=stored),
        f"DELETE FROM activity_trend WHERE activity_id = {y}",
        f"INSERT INTO activity_trend (activity_id, month) {_activity(y, dialect)}",
        _ENSURE.format(rows=stored),
        _IN.format(rows=stored),
    ]


_WATCHED: dict[str, tuple[str, ...]] = {
    "agreement": ("signed_on", "effective_from", "effective_to"),
    "program": ("agreement_id", "starts_on"),
    "enrolment": ("program_id", "enrolled_on"),
    "learning_outcome": ("program_id", "credits", "earned_on"),
    "recognition_rule": ("agreement_id",),
    "credit_recognition": ("rule_id", "credits", "recognised_on"),
    "evaluation": ("agreement_id", "period_end"),
    "funding": ("agreement_id", "program_id", "currency", "amount", "awarded_on"),
    "activity": ("held_on",),
    "activity_agreement": ("activity_id", "agreement_id"),
}
"""Per table: the columns whose update moves a flow."""

_ACTIVITY_OWNER = {"activity": "id", "activity_agreement": "activity_id"}


_REFRESHES: dict[str, tuple[str, Callable[[str, str], list[str]]]] = {
    "agreement": ("trend_rollup_agreement", _agreement_refresh),
    "activity": ("trend_rollup_activity", _activity_refresh),
}
"""Per owner: the PostgreSQL refresh function and the statements it runs."""


def _inline(statements: Callable[[str, str], list[str]]) -> Callable[[str], list[str]]:
    """A refresh's statements as SQLite's triggers hold them (no dialect)."""
    return lambda owner: statements(owner, "")


def _watched() -> list[Watched]:
    made = []
    for table, columns in _WATCHED.items():
        by_activity = table in _ACTIVITY_OWNER
        function, statements = _REFRESHES["activity" if by_activity else "agreement"]
        owner = column(_ACTIVITY_OWNER[table]) if by_activity else AGREEMENT_SOURCES[table][1]
        made.append(Watched(table, owner, columns, function, _inline(statements)))
    return made


def uninstall(connection: Connection) -> None:
    """Drops the triggers (and their functions on PostgreSQL)."""
    drop(connection, "trend_rollup", _watched())


def install(connection: Connection, deferred: bool = True) -> None:
    """(Re)makes the triggers, deferred to the commit on PostgreSQL unless `deferred` is false
    (`db.refresh_triggers.create`); run `rebuild` for what is already there."""
    uninstall(connection)
    functions = [
        refresh_function(name, made("target", "postgresql")) for name, made in _REFRESHES.values()
    ]
    create(connection, "trend_rollup", functions, _watched(), deferred=deferred)


def installed(connection: Connection) -> bool:
    """Whether the tables exist (a migration before them runs without)."""
    return "trend_rollup" in sa.inspect(connection).get_table_names()


def rebuild(connection: Connection) -> None:
    """Computes every flow afresh from the tables, in the caller's transaction (on PostgreSQL
    writers wait for it)."""
    dialect = connection.dialect.name
    clear(connection, ("trend_rollup", "agreement_trend", "activity_trend"))
    connection.exec_driver_sql(
        "INSERT INTO agreement_trend (agreement_id, measure, month, value, entries) "
        f"SELECT agreement_id, measure, month, value, entries FROM ({_flows(None, dialect)}) f"
    )
    connection.exec_driver_sql(
        "INSERT INTO activity_trend (activity_id, month) "
        f"SELECT ac.id, {_month('ac.held_on', dialect)} FROM activity ac "
        "WHERE ac.held_on IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM activity_agreement aa WHERE aa.activity_id = ac.id)"
    )
    connection.exec_driver_sql(
        "INSERT INTO trend_rollup (measure, month, value, entries) "
        "SELECT measure, month, sum(value), sum(entries) FROM ("
        "SELECT measure, month, value, entries FROM agreement_trend UNION ALL "
        "SELECT 'activities', month, 1, 1 FROM activity_trend) t GROUP BY measure, month"
    )
