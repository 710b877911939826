"""Row triggers that hand each written row's owner to a refresh, on both databases: the one
shape the kept rollups (`db.summary_rollup`, `db.party_rollup`, `db.trend_rollup`) share.

A row names its owner (an agreement, an activity) by an expression of the row. An insert
refreshes the new row's owner, a delete the old row's, and an update that changes a watched
column the old owner and, where it differs, the new one. On PostgreSQL one trigger per table
(`<prefix>_written`) calls a plpgsql refresh function that takes the owner's id; on SQLite three
triggers per table (`<prefix>_<table>_<op>`) run the refresh's statements inline.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

__all__ = ["Watched", "clear", "column", "create", "drop", "refresh_function"]


@dataclass(frozen=True)
class Watched:
    """One table whose writes move a kept figure."""

    table: str
    owner: Callable[[str], str]
    """The owner's id as an SQL expression of the row ("OLD" or "NEW")."""
    columns: Sequence[str]
    """An update refreshes only when one of these changes."""
    refresh: str
    """PostgreSQL: the function taking the owner's id."""
    statements: Callable[[str], list[str]]
    """SQLite: the refresh's statements for an owner's id expression."""


def column(name: str) -> Callable[[str], str]:
    """An owner named by a column of the row."""
    return lambda row: f"{row}.{name}"


def refresh_function(name: str, body: Sequence[str]) -> str:
    """A plpgsql function `name(target integer)` running `body` (statements on `target`);
    nothing for a null owner. JIT is off: the planner's estimates for such statements can pass
    jit_above_cost, and compiling them took 3 s of a 20 ms refresh at a million agreements."""
    statements = ";\n    ".join(body)
    return f"""CREATE OR REPLACE FUNCTION {name}(target integer) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF target IS NULL THEN
        RETURN;
    END IF;
    {statements};
END
$$"""


def _postgres(prefix: str, watched: Watched, deferred: bool) -> list[str]:
    function = f"{prefix}_{watched.table}"
    old, new = watched.owner("OLD"), watched.owner("NEW")
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in watched.columns)
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before_id integer;
    after_id integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM {watched.refresh}({new});
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM {watched.refresh}({old});
    ELSIF {changed} THEN
        before_id := {old};
        after_id := {new};
        PERFORM {watched.refresh}(before_id);
        IF after_id IS DISTINCT FROM before_id THEN
            PERFORM {watched.refresh}(after_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$""",
        f"CREATE {'CONSTRAINT ' if deferred else ''}TRIGGER {prefix}_written "
        f"AFTER INSERT OR UPDATE OR DELETE ON {watched.table} "
        f"{'DEFERRABLE INITIALLY DEFERRED ' if deferred else ''}"
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


_ROWS = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}


def _sqlite(prefix: str, watched: Watched) -> list[str]:
    made = []
    for op, rows in _ROWS.items():
        body = " ".join(f"{s};" for row in rows for s in watched.statements(watched.owner(row)))
        when = (
            " WHEN " + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in watched.columns)
            if op == "UPDATE"
            else ""
        )
        made.append(
            f"CREATE TRIGGER {prefix}_{watched.table}_{op.lower()} AFTER {op} ON {watched.table} "
            f"FOR EACH ROW{when} BEGIN {body} END"
        )
    return made


def create(
    connection: Connection,
    prefix: str,
    functions: Iterable[str],
    watched: Iterable[Watched],
    deferred: bool = True,
) -> None:
    """Makes the refresh `functions` (PostgreSQL only) and every table's triggers.

    On PostgreSQL the triggers are deferred to the commit (constraint triggers), unless
    `deferred` is false. A refresh locks the kept rows it moves (a group, a month, an
    organization's counts), which many writers share; fired with the statement, that lock was
    held for the rest of the writing transaction, and writers of one group queued for whole
    transactions. At commit it is held for the refresh and the commit alone. The refresh reads
    the tables as they are then, so deferring it changes no figure; a reader inside the writing
    transaction sees the rollups as they were before it (`SET CONSTRAINTS ALL IMMEDIATE` fires
    them early). SQLite has one writer at a time, and no deferred triggers."""
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        for function in functions:
            connection.exec_driver_sql(function)
    for table in watched:
        made = _postgres(prefix, table, deferred) if postgres else _sqlite(prefix, table)
        for statement in made:
            connection.exec_driver_sql(statement)


def drop(connection: Connection, prefix: str, watched: Sequence[Watched]) -> None:
    """Drops the triggers `create` made, and on PostgreSQL their functions and the refresh
    functions they call."""
    postgres = connection.dialect.name == "postgresql"
    for table in (w.table for w in watched):
        if postgres:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {prefix}_written ON {table}")
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {prefix}_{table}()")
        else:
            for op in _ROWS:
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {prefix}_{table}_{op.lower()}")
    if postgres:
        for function in dict.fromkeys(w.refresh for w in watched):
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}(integer)")


def clear(connection: Connection, tables: Sequence[str]) -> None:
    """Empties `tables` (parents before the tables that refer to them) in the caller's
    transaction, for a rebuild: on PostgreSQL they are first locked in that order, so writers
    wait for the rebuild instead of refreshing what it replaces; rows go children first."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"LOCK TABLE {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE")
    for table in reversed(tables):
        connection.exec_driver_sql(f"DELETE FROM {table}")
