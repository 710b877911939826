"""The triggers that keep the summary rollups (`db.tables.rollups`) exact in the writing
transaction, on both databases, and the full rebuild (`rebuild`) that fills them and moves their
window of days (`summary_rollup_state`).

Every change that can move a summary figure of an agreement (the agreement itself, its programs
and their enrolments, outcomes and funding, its recognition rules and their recognitions, its
resource shares, activities, evaluations and direct funding) refreshes that agreement: its
stored contribution (`agreement_rollup`) is taken out of its group row, computed again from the
tables as they are now, and put back into the group row its columns name now. A refresh reads
only the agreement's own rows (through the foreign-key indexes), so it costs the same whatever
the size of the database, and it is correct in any order: the last refresh of an agreement
runs after the last change that touched it. On PostgreSQL the refresh is one function
(`summary_rollup_refresh`), called by one trigger function per table; SQLite has no functions,
so each of its triggers holds the refresh's statements. API, CLI and loaders all write through
the tables, so all are covered; a bulk load may drop the triggers (`uninstall`) and `rebuild`.

The status an agreement reads as today depends on today (one in force past its end date reads
as expired; `active` counts those in force whose period has begun), so rows of agreements in
force keep their end and start dates, but only within the window from `pivot` to the day before
`horizon`: earlier dates are lumped on `before_pivot`, later ones on `horizon`, which reads the same
for any day of the window and keeps the number of rows small (a few thousand at a million
agreements). Outside the window the summaries fall back to the scan until `rebuild` moves it.
"""

from collections.abc import Callable, Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from db.refresh_triggers import Watched, clear, column, create, drop, refresh_function

__all__ = ["HORIZON_DAYS", "SOURCES", "install", "installed", "rebuild", "uninstall"]

HORIZON_DAYS = 92
"""How many days from the last rebuild the rollups answer for (about a quarter)."""

IN_FORCE = "('signed', 'active')"

_MEASURES = (
    "programs",
    "enrolments",
    "credits_earned",
    "credits_recognised",
    "resources_shared",
    "activities",
    "score_sum",
    "scores",
)


def _quarter(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        year = f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
        month = f"CAST(EXTRACT(MONTH FROM {column}) AS INTEGER)"
    else:
        year = f"CAST(strftime('%Y', {column}) AS INTEGER)"
        month = f"CAST(strftime('%m', {column}) AS INTEGER)"
    return f"COALESCE({year} * 10 + ({month} + 2) / 3, 0)"


def _keys(dialect: str) -> dict[str, str]:
    """The group row's columns for agreement `a`, window `s`."""
    in_force = f"a.status IN {IN_FORCE}"
    return {
        "kind": "a.kind",
        "status": "a.status",
        "signed_q": _quarter("a.signed_on", dialect),
        "start_q": _quarter("a.effective_from", dialect),
        "ends_on": f"CASE WHEN NOT ({in_force}) THEN s.before_pivot "
        "WHEN a.effective_to IS NULL OR a.effective_to >= s.horizon THEN s.horizon "
        "WHEN a.effective_to < s.pivot THEN s.before_pivot ELSE a.effective_to END",
        "starts_on": f"CASE WHEN NOT ({in_force}) THEN s.before_pivot "
        "WHEN a.effective_from IS NULL OR a.effective_from < s.pivot THEN s.before_pivot "
        "WHEN a.effective_from >= s.horizon THEN s.horizon ELSE a.effective_from END",
    }


def _measures(agreement: str) -> dict[str, str]:
    """Each measure of one agreement, as `resolvers.report_grouping.per_agreement` counts it
    for a caller that counts every row."""
    return {
        "programs": f"(SELECT count(*) FROM program p WHERE p.agreement_id = {agreement})",
        "enrolments": "(SELECT count(*) FROM enrolment e JOIN program p ON p.id = e.program_id "
        f"WHERE p.agreement_id = {agreement})",
        "credits_earned": "(SELECT COALESCE(sum(o.credits), 0) FROM learning_outcome o "
        f"JOIN program p ON p.id = o.program_id WHERE p.agreement_id = {agreement})",
        "credits_recognised": "(SELECT COALESCE(sum(c.credits), 0) FROM credit_recognition c "
        f"JOIN recognition_rule r ON r.id = c.rule_id WHERE r.agreement_id = {agreement})",
        "resources_shared": "(SELECT count(*) FROM resource_share rs "
        f"WHERE rs.agreement_id = {agreement})",
        "activities": "(SELECT count(*) FROM activity_agreement aa JOIN activity ac "
        f"ON ac.id = aa.activity_id WHERE aa.agreement_id = {agreement})",
        "score_sum": "(SELECT COALESCE(sum(ev.score), 0) FROM evaluation ev "
        f"WHERE ev.agreement_id = {agreement})",
        "scores": "(SELECT count(ev.score) FROM evaluation ev "
        f"WHERE ev.agreement_id = {agreement})",
    }


def _funding_given(agreement: str) -> str:
    """Funding given to one agreement, directly or to a program run under it (as
    `resolvers.report_grouping.funding_by_agreement`)."""
    return (
        f"SELECT f.currency, f.amount FROM funding f WHERE f.agreement_id = {agreement} "
        "UNION ALL SELECT f.currency, f.amount FROM funding f JOIN program p "
        f"ON p.id = f.program_id WHERE f.agreement_id IS NULL AND p.agreement_id = {agreement}"
    )


def _refresh(x: str, dialect: str) -> list[str]:
    """The statements that refresh the contribution of agreement `x` (an SQL expression)."""
    keys = _keys(dialect)
    columns = ", ".join(keys)
    measures = _measures("a.id")
    minus = ", ".join(f"{m} = summary_rollup.{m} - ar.{m}" for m in _MEASURES)
    plus = ", ".join(f"{m} = summary_rollup.{m} + ar.{m}" for m in _MEASURES)
    same_key = " AND ".join(f"r.{k} = {v}" for k, v in keys.items())
    zeros = ", ".join("0" for _ in _MEASURES)
    funding_rows = (
        "FROM agreement_rollup_funding af, agreement_rollup ar "
        f"WHERE ar.agreement_id = {x} AND af.agreement_id = {x} "
        "AND summary_rollup_funding.rollup_id = ar.rollup_id "
        "AND summary_rollup_funding.currency = af.currency"
    )
    new_group = (
        f"INSERT INTO summary_rollup ({columns}, agreements, {', '.join(_MEASURES)}) "
        f"SELECT {', '.join(keys.values())}, 0, {zeros} "
        f"FROM agreement a, summary_rollup_state s WHERE a.id = {x} AND s.id = 1 "
        "ON CONFLICT DO NOTHING"
    )
    # On PostgreSQL, the old and the new group rows are locked first, in the order of their
    # ids: two transactions moving agreements between the same two groups in opposite
    # directions then wait for each other instead of deadlocking.
    lock = [
        new_group,
        "PERFORM 1 FROM summary_rollup WHERE id IN ("
        f"SELECT rollup_id FROM agreement_rollup WHERE agreement_id = {x} UNION ALL "
        "SELECT r.id FROM agreement a, summary_rollup_state s, summary_rollup r "
        f"WHERE a.id = {x} AND s.id = 1 AND {same_key}) ORDER BY id FOR UPDATE",
    ]
    return [
        *(lock if dialect == "postgresql" else []),
        f"UPDATE summary_rollup SET agreements = summary_rollup.agreements - 1, {minus} "
        f"FROM agreement_rollup ar WHERE ar.agreement_id = {x} "
        "AND summary_rollup.id = ar.rollup_id",
        "UPDATE summary_rollup_funding SET "
        "amount = summary_rollup_funding.amount - af.amount, "
        f"entries = summary_rollup_funding.entries - af.entries {funding_rows}",
        f"DELETE FROM agreement_rollup_funding WHERE agreement_id = {x}",
        f"DELETE FROM agreement_rollup WHERE agreement_id = {x}",
        new_group,
        f"INSERT INTO agreement_rollup (agreement_id, rollup_id, {', '.join(_MEASURES)}) "
        f"SELECT a.id, r.id, {', '.join(measures[m] for m in _MEASURES)} "
        "FROM agreement a, summary_rollup_state s, summary_rollup r "
        f"WHERE a.id = {x} AND s.id = 1 AND {same_key}",
        f"UPDATE summary_rollup SET agreements = summary_rollup.agreements + 1, {plus} "
        f"FROM agreement_rollup ar WHERE ar.agreement_id = {x} "
        "AND summary_rollup.id = ar.rollup_id",
        "INSERT INTO agreement_rollup_funding (agreement_id, currency, amount, entries) "
        f"SELECT ar.agreement_id, g.currency, sum(g.amount), count(*) "
        f"FROM agreement_rollup ar, ({_funding_given(x)}) g "
        f"WHERE ar.agreement_id = {x} GROUP BY ar.agreement_id, g.currency",
        "INSERT INTO summary_rollup_funding (rollup_id, currency, amount, entries) "
        "SELECT ar.rollup_id, af.currency, 0, 0 FROM agreement_rollup_funding af, "
        f"agreement_rollup ar WHERE ar.agreement_id = {x} AND af.agreement_id = {x} "
        "ON CONFLICT DO NOTHING",
        "UPDATE summary_rollup_funding SET "
        "amount = summary_rollup_funding.amount + af.amount, "
        f"entries = summary_rollup_funding.entries + af.entries {funding_rows}",
    ]


def _program_agreement(row: str, column: str = "program_id") -> str:
    return f"(SELECT p.agreement_id FROM program p WHERE p.id = {row}.{column})"


def _rule_agreement(row: str) -> str:
    return f"(SELECT r.agreement_id FROM recognition_rule r WHERE r.id = {row}.rule_id)"


def _funding_agreement(row: str) -> str:
    return f"COALESCE({row}.agreement_id, {_program_agreement(row)})"


SOURCES: dict[str, tuple[Sequence[str], Callable[[str], str]]] = {
    "agreement": (("kind", "status", "signed_on", "effective_from", "effective_to"), column("id")),
    "program": (("agreement_id",), column("agreement_id")),
    "enrolment": (("program_id",), _program_agreement),
    "learning_outcome": (("program_id", "credits"), _program_agreement),
    "recognition_rule": (("agreement_id",), column("agreement_id")),
    "credit_recognition": (("rule_id", "credits"), _rule_agreement),
    "resource_share": (("agreement_id",), column("agreement_id")),
    "activity_agreement": (("agreement_id", "activity_id"), column("agreement_id")),
    "evaluation": (("agreement_id", "score"), column("agreement_id")),
    "funding": (("agreement_id", "program_id", "currency", "amount"), _funding_agreement),
}
"""The tables whose changes move a figure: the columns that matter on an update, and the
agreement a row names (an SQL expression of the row, "OLD" or "NEW")."""

_REFRESH = "summary_rollup_refresh"


def _watched() -> list[Watched]:
    return [
        Watched(table, owner, columns, _REFRESH, lambda x: _refresh(x, ""))
        for table, (columns, owner) in SOURCES.items()
    ]


def uninstall(connection: Connection) -> None:
    """Drops the rollup triggers (and their functions on PostgreSQL)."""
    drop(connection, "summary_rollup", _watched())


def install(connection: Connection, deferred: bool = True) -> None:
    """(Re)makes the rollup triggers, deferred to the commit on PostgreSQL unless `deferred` is
    false (`db.refresh_triggers.create`); the rollups are then kept from the next write on (run
    `rebuild` for what is already there)."""
    uninstall(connection)
    function = refresh_function(_REFRESH, _refresh("target", "postgresql"))
    create(connection, "summary_rollup", [function], _watched(), deferred=deferred)


def installed(connection: Connection) -> bool:
    """Whether the rollup tables exist (a migration before them runs without)."""
    return "summary_rollup_state" in sa.inspect(connection).get_table_names()


def rebuild(connection: Connection, today: date) -> None:
    """Computes every rollup afresh from the tables, with the window starting on `today`, in
    the caller's transaction. On PostgreSQL writers wait for it (the rollup tables are locked)."""
    dialect = connection.dialect.name
    clear(
        connection,
        (
            "summary_rollup_state",
            "summary_rollup",
            "agreement_rollup",
            "summary_rollup_funding",
            "agreement_rollup_funding",
        ),
    )
    connection.execute(
        sa.text(
            "INSERT INTO summary_rollup_state (id, pivot, before_pivot, horizon) "
            "VALUES (1, :pivot, :before_pivot, :horizon)"
        ).bindparams(
            sa.bindparam("pivot", type_=sa.Date),
            sa.bindparam("before_pivot", type_=sa.Date),
            sa.bindparam("horizon", type_=sa.Date),
        ),
        {
            "pivot": today,
            "before_pivot": today - timedelta(days=1),
            "horizon": today + timedelta(days=HORIZON_DAYS),
        },
    )
    keys = _keys(dialect)
    columns = ", ".join(keys)
    zeros = ", ".join("0" for _ in _MEASURES)
    connection.exec_driver_sql(
        f"INSERT INTO summary_rollup ({columns}, agreements, {', '.join(_MEASURES)}) "
        f"SELECT DISTINCT {', '.join(keys.values())}, 0, {zeros} "
        "FROM agreement a, summary_rollup_state s WHERE s.id = 1"
    )
    if dialect == "postgresql":
        connection.exec_driver_sql("ANALYZE summary_rollup")
    per_agreement = {
        "programs": "SELECT agreement_id, count(*) AS v FROM program "
        "WHERE agreement_id IS NOT NULL GROUP BY agreement_id",
        "enrolments": "SELECT p.agreement_id, count(*) AS v FROM enrolment e "
        "JOIN program p ON p.id = e.program_id GROUP BY p.agreement_id",
        "credits_earned": "SELECT p.agreement_id, sum(o.credits) AS v FROM learning_outcome o "
        "JOIN program p ON p.id = o.program_id GROUP BY p.agreement_id",
        "credits_recognised": "SELECT r.agreement_id, sum(c.credits) AS v "
        "FROM credit_recognition c JOIN recognition_rule r ON r.id = c.rule_id "
        "GROUP BY r.agreement_id",
        "resources_shared": "SELECT agreement_id, count(*) AS v FROM resource_share "
        "GROUP BY agreement_id",
        "activities": "SELECT aa.agreement_id, count(*) AS v FROM activity_agreement aa "
        "JOIN activity ac ON ac.id = aa.activity_id GROUP BY aa.agreement_id",
        "score_sum": "SELECT agreement_id, sum(score) AS v FROM evaluation "
        "WHERE agreement_id IS NOT NULL GROUP BY agreement_id",
        "scores": "SELECT agreement_id, count(score) AS v FROM evaluation "
        "WHERE agreement_id IS NOT NULL GROUP BY agreement_id",
    }
    joins = " ".join(
        f"LEFT JOIN ({sql}) m_{m} ON m_{m}.agreement_id = a.id" for m, sql in per_agreement.items()
    )
    same_key = " AND ".join(f"r.{k} = {v}" for k, v in keys.items())
    if dialect == "postgresql":
        # the six-expression key match is estimated at one row, and each measure's aggregate
        # then joined in a nested loop: quadratic, still running after 15 minutes at a million
        connection.exec_driver_sql("SET LOCAL enable_nestloop = off")
    connection.exec_driver_sql(
        f"INSERT INTO agreement_rollup (agreement_id, rollup_id, {', '.join(_MEASURES)}) "
        f"SELECT a.id, r.id, {', '.join(f'COALESCE(m_{m}.v, 0)' for m in _MEASURES)} "
        f"FROM agreement a JOIN summary_rollup_state s ON s.id = 1 "
        f"JOIN summary_rollup r ON {same_key} {joins}"
    )
    if dialect == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_nestloop = on")
    sums = ", ".join(f"{m} = t.{m}" for m in _MEASURES)
    connection.exec_driver_sql(
        f"UPDATE summary_rollup SET agreements = t.n, {sums} FROM (SELECT rollup_id, "
        f"count(*) AS n, {', '.join(f'sum({m}) AS {m}' for m in _MEASURES)} "
        "FROM agreement_rollup GROUP BY rollup_id) t WHERE summary_rollup.id = t.rollup_id"
    )
    connection.exec_driver_sql(
        "INSERT INTO agreement_rollup_funding (agreement_id, currency, amount, entries) "
        "SELECT g.agreement_id, g.currency, sum(g.amount), count(*) FROM ("
        "SELECT f.agreement_id, f.currency, f.amount FROM funding f "
        "WHERE f.agreement_id IS NOT NULL UNION ALL "
        "SELECT p.agreement_id, f.currency, f.amount FROM funding f JOIN program p "
        "ON p.id = f.program_id WHERE f.agreement_id IS NULL AND p.agreement_id IS NOT NULL"
        ") g JOIN agreement_rollup ar ON ar.agreement_id = g.agreement_id "
        "GROUP BY g.agreement_id, g.currency"
    )
    connection.exec_driver_sql(
        "INSERT INTO summary_rollup_funding (rollup_id, currency, amount, entries) "
        "SELECT ar.rollup_id, af.currency, sum(af.amount), sum(af.entries) "
        "FROM agreement_rollup_funding af JOIN agreement_rollup ar "
        "ON ar.agreement_id = af.agreement_id GROUP BY ar.rollup_id, af.currency"
    )
