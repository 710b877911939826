"""Distinct parties kept for the summaries: how many organizations are party to the agreements
of each group, per grouping the summaries can ask for, exact in the writing transaction, on
both databases (`install`), with a full `rebuild`.

Distinct organizations do not add up across groups, so they cannot ride on `summary_rollup`'s
rows. Instead each *grouping set* (`party_rollup_set`: by kind or not, by signing year,
quarter or not, by start year, quarter or not: 18 sets, `SETS`) keeps, per group, the number of
organizations party to at least one of its agreements (`party_rollup.parties`). Which
organizations an agreement counted, with its kind and quarters, is kept in
`agreement_party_rollup`, indexed by organization.

A change to an agreement's parties, kind, signing or start date refreshes that agreement
(`_delta`): for each of its organizations, old and new, and each set, the organization enters
(or leaves) a group only if no *other* agreement of that organization is in the group: one
look-up through the index on `agreement_party_rollup (organization_id, ...)`. The net changes
are added to the group rows, then the agreement's stored rows are replaced. On PostgreSQL two
transactions touching the same organization would each miss the other's uncommitted row, so a
refresh first takes a transaction advisory lock per organization (in id order: no deadlock
between two refreshes), and adds to the group rows in key order.

Parties do not depend on today (every agreement counts, whatever its status), so these rows
have no window; a grouping by status is not kept (the status read today moves with the end
dates) and its parties are counted from the rows.
"""

from itertools import product

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from db.refresh_triggers import Watched, clear, column, create, drop

__all__ = ["LOCK_CLASS", "SETS", "install", "installed", "rebuild", "set_id", "uninstall"]

LEVELS = (0, 1, 2)
"""How a date dimension groups: not at all, by year, by quarter."""

SETS = [(by_kind, signed, start) for by_kind, signed, start in product((0, 1), LEVELS, LEVELS)]
"""Every grouping set: (by kind, signing level, start level)."""

LOCK_CLASS = 21021
"""The first key of the advisory locks a refresh takes per organization (PostgreSQL)."""


def set_id(by_kind: bool | int, signed: int, start: int) -> int:
    """The id of a grouping set in `party_rollup_set`."""
    return int(by_kind) * 9 + signed * 3 + start + 1


def _quarter(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        year = f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
        month = f"CAST(EXTRACT(MONTH FROM {column}) AS INTEGER)"
    else:
        year = f"CAST(strftime('%Y', {column}) AS INTEGER)"
        month = f"CAST(strftime('%m', {column}) AS INTEGER)"
    return f"COALESCE({year} * 10 + ({month} + 2) / 3, 0)"


def _level(level: str, column: str) -> str:
    return f"CASE {level} WHEN 0 THEN 0 WHEN 1 THEN {column} / 10 ELSE {column} END"


def _projection(row: str) -> list[str]:
    """The group of `row` (kind, signed_q, start_q) in set `s`."""
    return [
        f"CASE WHEN s.by_kind = 1 THEN {row}.kind ELSE '' END",
        _level("s.by_signed", f"{row}.signed_q"),
        _level("s.by_start", f"{row}.start_q"),
    ]


def _same_group(x: str, y: str) -> str:
    return " AND ".join(f"{a} = {b}" for a, b in zip(_projection(x), _projection(y), strict=True))


def _delta(x: str, dialect: str) -> str:
    """Per set and group, how many organizations enter (+) or leave (-) it when agreement `x`
    is refreshed: its stored rows out, its rows as they are now in."""
    contributions = (
        "SELECT r.organization_id, r.kind, r.signed_q, r.start_q, -1 AS n "
        f"FROM agreement_party_rollup r WHERE r.agreement_id = {x} UNION ALL "
        f"SELECT p.organization_id, a.kind, {_quarter('a.signed_on', dialect)} AS signed_q, "
        f"{_quarter('a.effective_from', dialect)} AS start_q, 1 AS n "
        f"FROM agreement_party p JOIN agreement a ON a.id = p.agreement_id "
        f"WHERE p.agreement_id = {x}"
    )
    group = _projection("c")
    # A scalar subquery, not NOT EXISTS: PostgreSQL would make that an anti-join hashing the
    # whole table; this is one index look-up per organization and set.
    return (
        f"SELECT s.id AS set_id, {group[0]} AS kind, {group[1]} AS signed_k, "
        f"{group[2]} AS start_k, sum(c.n) AS n FROM ({contributions}) c, party_rollup_set s "
        "WHERE (SELECT 1 FROM agreement_party_rollup o "
        f"WHERE o.organization_id = c.organization_id AND o.agreement_id <> {x} "
        f"AND {_same_group('o', 'c')} LIMIT 1) IS NULL "
        f"GROUP BY s.id, {', '.join(group)} HAVING sum(c.n) <> 0"
    )


def _store(x: str, dialect: str) -> list[str]:
    return [
        f"DELETE FROM agreement_party_rollup WHERE agreement_id = {x}",
        "INSERT INTO agreement_party_rollup "
        "(agreement_id, organization_id, kind, signed_q, start_q) "
        f"SELECT p.agreement_id, p.organization_id, a.kind, "
        f"{_quarter('a.signed_on', dialect)}, {_quarter('a.effective_from', dialect)} "
        f"FROM agreement_party p JOIN agreement a ON a.id = p.agreement_id "
        f"WHERE p.agreement_id = {x}",
    ]


def _postgres_refresh() -> str:
    store = ";\n    ".join(_store("target", "postgresql"))
    # JIT off: the planner's estimates for the statements below can pass jit_above_cost, and
    # compiling them took 3 s of a 20 ms refresh at a million agreements.
    return f"""CREATE OR REPLACE FUNCTION party_rollup_refresh(target integer) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    d record;
BEGIN
    IF target IS NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_CLASS}, o.organization_id) FROM (
        SELECT organization_id FROM agreement_party_rollup WHERE agreement_id = target
        UNION SELECT organization_id FROM agreement_party WHERE agreement_id = target
        ORDER BY 1) o;
    FOR d IN {_delta("target", "postgresql")} ORDER BY 1, 2, 3, 4 LOOP
        INSERT INTO party_rollup (set_id, kind, signed_k, start_k, parties)
        VALUES (d.set_id, d.kind, d.signed_k, d.start_k, d.n)
        ON CONFLICT (set_id, kind, signed_k, start_k)
        DO UPDATE SET parties = party_rollup.parties + EXCLUDED.parties;
    END LOOP;
    {store};
END
$$"""


_WATCHED = {
    "agreement": ("id", ("kind", "signed_on", "effective_from")),
    "agreement_party": ("agreement_id", ("agreement_id", "organization_id")),
}
"""Per table: the column naming the agreement, and the columns whose update matters."""


def _sqlite_refresh(x: str) -> list[str]:
    delta = _delta(x, "")
    return [
        "INSERT INTO party_rollup (set_id, kind, signed_k, start_k, parties) "
        f"SELECT d.set_id, d.kind, d.signed_k, d.start_k, 0 FROM ({delta}) d WHERE true "
        "ON CONFLICT DO NOTHING",
        f"UPDATE party_rollup SET parties = party_rollup.parties + d.n FROM ({delta}) d "
        "WHERE party_rollup.set_id = d.set_id AND party_rollup.kind = d.kind "
        "AND party_rollup.signed_k = d.signed_k AND party_rollup.start_k = d.start_k",
        *_store(x, ""),
    ]


def _watched() -> list[Watched]:
    return [
        Watched(table, column(owner), watched, "party_rollup_refresh", _sqlite_refresh)
        for table, (owner, watched) in _WATCHED.items()
    ]


def uninstall(connection: Connection) -> None:
    """Drops the triggers (and their functions on PostgreSQL)."""
    drop(connection, "party_rollup", _watched())


def install(connection: Connection, deferred: bool = True) -> None:
    """(Re)makes the triggers, deferred to the commit on PostgreSQL unless `deferred` is false
    (`db.refresh_triggers.create`); run `rebuild` for what is already there."""
    uninstall(connection)
    create(connection, "party_rollup", [_postgres_refresh()], _watched(), deferred=deferred)


def installed(connection: Connection) -> bool:
    """Whether the tables exist (a migration before them runs without)."""
    return "party_rollup" in sa.inspect(connection).get_table_names()


def rebuild(connection: Connection) -> None:
    """Computes every count afresh from the tables, in the caller's transaction (on PostgreSQL
    writers wait for it)."""
    dialect = connection.dialect.name
    clear(connection, ("party_rollup_set", "party_rollup", "agreement_party_rollup"))
    connection.exec_driver_sql(
        "INSERT INTO party_rollup_set (id, by_kind, by_signed, by_start) VALUES "
        + ", ".join(f"({set_id(*s)}, {s[0]}, {s[1]}, {s[2]})" for s in SETS)
    )
    connection.exec_driver_sql(
        "INSERT INTO agreement_party_rollup "
        "(agreement_id, organization_id, kind, signed_q, start_q) "
        f"SELECT p.agreement_id, p.organization_id, a.kind, "
        f"{_quarter('a.signed_on', dialect)}, {_quarter('a.effective_from', dialect)} "
        "FROM agreement_party p JOIN agreement a ON a.id = p.agreement_id"
    )
    # Distinct (group, organization) pairs first, then one row per group: one hash
    # aggregate per set instead of a sort for count(DISTINCT).
    for by_kind, signed, start in SETS:
        kind = "r.kind" if by_kind else "''"
        signed_k = _level(str(signed), "r.signed_q")
        start_k = _level(str(start), "r.start_q")
        connection.exec_driver_sql(
            "INSERT INTO party_rollup (set_id, kind, signed_k, start_k, parties) "
            f"SELECT {set_id(by_kind, signed, start)}, g.kind, g.signed_k, g.start_k, count(*) "
            f"FROM (SELECT DISTINCT {kind} AS kind, {signed_k} AS signed_k, "
            f"{start_k} AS start_k, r.organization_id FROM agreement_party_rollup r) g "
            "GROUP BY g.kind, g.signed_k, g.start_k"
        )
