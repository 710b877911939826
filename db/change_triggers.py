"""The triggers that write change events, made from the declarations of `db.change_feed`, on
both databases: `install`, `uninstall`, and `triggers_off` around a migration that rebuilds
traced tables (what each trigger writes is told in `db.change_feed`)."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from db import listing_triggers, party_rollup, summary_rollup, trend_rollup
from db.change_feed import ENTITIES, PARTS, Entity, Part

__all__ = ["install", "triggers_off", "uninstall"]

_QUIET = frozenset({"id", "created_at", "updated_at", "version"})
"""Columns never reported as changed: every update moves them."""

_BY_TABLE = {entity.table: entity for entity in ENTITIES}

_COLUMNS = (
    "xid, entity_type, entity_id, kind, version, actor_token_id, actor, fields, occurred_at, "
    "organization_ids, alliance_ids"
)


@dataclass(frozen=True)
class _Dialect:
    name: str
    xid: str
    now: str
    differs: str
    empty_fields: str
    actor_token: str
    actor: str
    context_from: str = field(default="")

    def ids(self, sources: Sequence[str]) -> str:
        if not sources:
            return "'{}'::integer[]" if self.name == "postgresql" else "'[]'"
        union = " UNION ".join(("SELECT NULL AS x WHERE 1 = 0", *sources))
        if self.name == "postgresql":
            return f"ARRAY(SELECT x FROM ({union}) s WHERE x IS NOT NULL ORDER BY x)"
        return f"(SELECT json_group_array(x) FROM ({union}) s WHERE x IS NOT NULL)"

    def names(self, items: Sequence[str]) -> str:
        if self.name == "postgresql":
            return f"array_remove(ARRAY[{', '.join(items)}]::text[], NULL)"
        return (
            f"(SELECT json_group_array(value) FROM json_each(json_array({', '.join(items)})) "
            "WHERE value IS NOT NULL)"
        )


_POSTGRES = _Dialect(
    name="postgresql",
    xid="pg_current_xact_id()::text::bigint",
    now="now()",
    differs="IS DISTINCT FROM",
    empty_fields="'{}'::text[]",
    actor_token="NULLIF(current_setting('partnergraph.actor_token', true), '')::integer",
    actor="NULLIF(current_setting('partnergraph.actor', true), '')",
)
_SQLITE = _Dialect(
    name="sqlite",
    xid="0",
    now="strftime('%Y-%m-%d %H:%M:%f000', 'now')",
    differs="IS NOT",
    empty_fields="'[]'",
    actor_token="c.actor_token_id",
    actor="c.actor",
    context_from=" FROM change_context c WHERE c.id = 1",
)


def _dialect(connection: Connection) -> _Dialect:
    return _POSTGRES if connection.dialect.name == "postgresql" else _SQLITE


def _columns(connection: Connection, table: str) -> list[str]:
    return [column["name"] for column in sa.inspect(connection).get_columns(table)]


def _json_columns(connection: Connection, table: str) -> frozenset[str]:
    """The `json` columns on PostgreSQL, which has no equality operator for `json`: an update
    compares them as `jsonb` (a mobility condition's language skills)."""
    if connection.dialect.name != "postgresql":
        return frozenset()
    found = sa.inspect(connection).get_columns(table)
    return frozenset(c["name"] for c in found if isinstance(c["type"], sa.JSON))


def _version(entity: Entity, columns: Sequence[str], row: str, op: str) -> str:
    if "version" in columns:
        return f"{row}.version + 1" if op == "DELETE" else f"{row}.version"
    return (
        f"(SELECT count(*) + 1 FROM change_event WHERE entity_type = '{entity.type_name}' "
        f"AND entity_id = {row}.id)"
    )


def _kind(table: str, columns: Sequence[str], op: str, d: _Dialect) -> str:
    if op == "INSERT":
        return "'proposal_made'" if table == "proposal" else "'created'"
    if op == "DELETE":
        return "'deleted'"
    cases = []
    if table == "proposal":
        cases.append(
            "WHEN OLD.status = 'pending' AND NEW.status IN ('accepted', 'declined') "
            "THEN 'proposal_answered'"
        )
    if table == "agreement_party":
        cases.append("WHEN OLD.signed_on IS NULL AND NEW.signed_on IS NOT NULL THEN 'signed'")
    if table == "agreement":
        cases.append(
            f"WHEN NEW.status {d.differs} OLD.status AND NEW.status = 'signed' THEN 'signed'"
        )
    if "status" in columns:
        cases.append(f"WHEN NEW.status {d.differs} OLD.status THEN 'status_changed'")
    if not cases:
        return "'updated'"
    return f"CASE {' '.join(cases)} ELSE 'updated' END"


def _fields(columns: Sequence[str], json_columns: frozenset[str], op: str, d: _Dialect) -> str:
    if op != "UPDATE":
        return d.empty_fields

    def value(row: str, c: str) -> str:
        return f"{row}.{c}::jsonb" if d.name == "postgresql" and c in json_columns else f"{row}.{c}"

    items = [
        f"CASE WHEN {_compared('NEW', c, json_columns)} {d.differs} "
        f"{_compared('OLD', c, json_columns)} THEN '{c}' END"
        for c in columns
        if c not in _QUIET
    ]
    return d.names(items) if items else d.empty_fields


def _compared(row: str, column: str, json_columns: frozenset[str]) -> str:
    return f"{row}.{column}::jsonb" if column in json_columns else f"{row}.{column}"


def _entity_insert(
    entity: Entity, columns: Sequence[str], json_columns: frozenset[str], op: str, d: _Dialect
) -> str:
    row = "OLD" if op == "DELETE" else "NEW"
    organizations = d.ids(entity.organization_sources(row, d.name, deleting=op == "DELETE"))
    values = ", ".join(
        (
            d.xid,
            f"'{entity.type_name}'",
            f"{row}.id",
            _kind(entity.table, columns, op, d),
            _version(entity, columns, row, op),
            d.actor_token,
            d.actor,
            _fields(columns, json_columns, op, d),
            d.now,
            organizations,
            d.ids(entity.alliance_sources(row)),
        )
    )
    return f"INSERT INTO change_event ({_COLUMNS}) SELECT {values}{d.context_from};"


def _part_insert(part: Part, parent_columns: Sequence[str], op: str, d: _Dialect) -> str:
    entity = _BY_TABLE[part.entity_table]
    row = "OLD" if op == "DELETE" else "NEW"
    version = _version(entity, parent_columns, "p", "UPDATE")
    fields = f"'{{{part.field}}}'::text[]" if d.name == "postgresql" else f"'[\"{part.field}\"]'"
    values = ", ".join(
        (
            d.xid,
            f"'{entity.type_name}'",
            "p.id",
            "'updated'",
            version,
            d.actor_token,
            d.actor,
            fields,
            d.now,
            d.ids(entity.organization_sources("p", d.name, deleting=False)),
            d.ids(entity.alliance_sources("p")),
        )
    )
    source = f"{part.entity_table} p"
    if d.name == "sqlite":
        source += ", change_context c"
    where = f"p.id = {row}.{part.key}" + (" AND c.id = 1" if d.name == "sqlite" else "")
    return f"INSERT INTO change_event ({_COLUMNS}) SELECT {values} FROM {source} WHERE {where};"


_OPS = ("INSERT", "UPDATE", "DELETE")


def _postgres_statements(table: str, inserts: dict[str, str], *, before_delete: bool) -> list[str]:
    function = f"change_event_{table}"
    delete_return = "RETURN OLD;" if before_delete else "RETURN NULL;"
    body = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {inserts["INSERT"]}
    ELSIF TG_OP = 'UPDATE' THEN
        {inserts["UPDATE"]}
    ELSE
        {inserts["DELETE"]}
        {delete_return}
    END IF;
    RETURN NULL;
END
$$"""
    statements = [body]
    if before_delete:
        statements += [
            f"CREATE TRIGGER change_event_written AFTER INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER change_event_deleted BEFORE DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    else:
        statements.append(
            f"CREATE TRIGGER change_event_written AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    return statements


def _sqlite_statements(table: str, inserts: dict[str, str], *, before_delete: bool) -> list[str]:
    statements = []
    for op in _OPS:
        when = "BEFORE" if op == "DELETE" and before_delete else "AFTER"
        statements.append(
            f"CREATE TRIGGER change_event_{table}_{op.lower()} {when} {op} ON {table} "
            f"FOR EACH ROW BEGIN {inserts[op]} END"
        )
    return statements


def _statements(connection: Connection, table: str) -> list[str]:
    d = _dialect(connection)
    if table in _BY_TABLE:
        entity = _BY_TABLE[table]
        columns = _columns(connection, table)
        json_columns = _json_columns(connection, table)
        inserts = {op: _entity_insert(entity, columns, json_columns, op, d) for op in _OPS}
        for link in entity.links:
            linked_columns = _columns(connection, link.entity_table)
            for op in _OPS:
                inserts[op] += "\n        " + _part_insert(link, linked_columns, op, d)
        before_delete = True
    else:
        parts = [p for p in PARTS if p.table == table]
        parent_columns = {p.entity_table: _columns(connection, p.entity_table) for p in parts}
        inserts = {
            op: "\n        ".join(
                _part_insert(p, parent_columns[p.entity_table], op, d) for p in parts
            )
            for op in _OPS
        }
        before_delete = False
    make = _postgres_statements if d.name == "postgresql" else _sqlite_statements
    return make(table, inserts, before_delete=before_delete)


def uninstall(connection: Connection, tables: Sequence[str]) -> None:
    """Drops the change triggers of `tables` (and their functions on PostgreSQL)."""
    for table in tables:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS change_event_written ON {table}")
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS change_event_deleted ON {table}")
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS change_event_{table}()")
        else:
            for op in _OPS:
                connection.exec_driver_sql(
                    f"DROP TRIGGER IF EXISTS change_event_{table}_{op.lower()}"
                )


def install(connection: Connection, tables: Sequence[str] | None = None) -> None:
    """(Re)makes the change triggers of `tables`, reading their columns from the database as it
    is now. By default every traced table that exists yet: a migration run before a later one
    creates a table leaves that table to the later migration, which installs it by name."""
    chosen = _existing_traced(connection) if tables is None else list(tables)
    uninstall(connection, chosen)
    for table in chosen:
        for statement in _statements(connection, table):
            connection.exec_driver_sql(statement)


def _existing_traced(connection: Connection) -> list[str]:
    existing = set(sa.inspect(connection).get_table_names())
    traced = [e.table for e in ENTITIES] + list(dict.fromkeys(p.table for p in PARTS))
    return [table for table in traced if table in existing]


@contextmanager
def triggers_off(connection: Connection) -> Iterator[None]:
    """Drops every change trigger for the block and remakes them after it, on the tables as they
    are then: a migration that alters traced tables runs inside it, because SQLite's
    `batch_alter_table` rebuilds a table by renaming a copy, which fails while another table's
    trigger names it, and the rebuilt table would lose its own triggers. The triggers that keep
    `organization_agreement` (`db.listing_triggers`) and the summary rollups'
    (`db.summary_rollup`, `db.party_rollup`, `db.trend_rollup`) name the same tables and go
    the same way."""
    rollups = summary_rollup.installed(connection)
    if rollups:
        summary_rollup.uninstall(connection)
    parties = party_rollup.installed(connection)
    if parties:
        party_rollup.uninstall(connection)
        trend_rollup.uninstall(connection)
    uninstall(connection, _existing_traced(connection))
    listing_triggers.uninstall(connection)
    yield
    install(connection)
    listing_triggers.install(connection)
    if rollups and summary_rollup.installed(connection):
        summary_rollup.install(connection)
    if parties and party_rollup.installed(connection):
        party_rollup.install(connection)
        trend_rollup.install(connection)
