"""The triggers that keep `organization_agreement` (db/tables/listings.py) exact, on both
databases: `fill` makes its rows from scratch, `install` and `uninstall` its triggers.

The table holds one row per organization and agreement with a party at or below it, that is
`agreement_party` joined to the unit tree's closure `organization_unit` on the party's
organization, distinct per (ancestor, agreement), with the agreement's sort keys. Each trigger
redoes that join for the rows one write touches:

- a party added (or its organization or agreement changed): its agreement joins the list of
  every organization at or above the party's organization;
- a party removed (or changed): its agreement leaves the list of every organization at or
  above the old organization that no other party of the agreement is at or below;
- a closure row added (an organization made, or moved under a new parent) or removed (moved
  away, deleted): the same, for the agreements of the unit's parties and that one ancestor;
- an agreement's `created_at` or `signed_on` changed: copied to its rows.

`organization_agreement_total` (migration 0024_agreement_totals) counts each organization's
rows, kept by two more triggers on `organization_agreement` itself (a row added counts one up,
a row removed, also by a cascade, one down), so every write above keeps it as well. Its
triggers are made only where its table exists (a database migrated to 0018 or 0019 has none).

Rows of a deleted agreement or organization go by their foreign keys (cascade). On SQLite a
row trigger runs as each row changes, inside a statement that may change more rows of the same
table (the closure's move deletes several): a removal then keeps the row while another path to
it is still there, and the last path's removal, which sees none left, takes it away.
"""

from sqlalchemy.engine import Connection

__all__ = ["FILL", "FILL_TOTALS", "fill", "fill_totals", "install", "uninstall"]

TABLE = "organization_agreement"
TOTALS = "organization_agreement_total"

FILL = """
INSERT INTO organization_agreement (organization_id, agreement_id, created_at, signed_on)
SELECT listed.ancestor_id, agreement.id, agreement.created_at, agreement.signed_on
FROM (
    SELECT DISTINCT organization_unit.ancestor_id, agreement_party.agreement_id
    FROM agreement_party
    JOIN organization_unit ON organization_unit.unit_id = agreement_party.organization_id
) AS listed
JOIN agreement ON agreement.id = listed.agreement_id
"""

FILL_TOTALS = """
INSERT INTO organization_agreement_total (organization_id, agreements)
SELECT organization_id, count(*) FROM organization_agreement GROUP BY organization_id
"""

_PARTY_ADDED = """
    INSERT INTO organization_agreement (organization_id, agreement_id, created_at, signed_on)
    SELECT organization_unit.ancestor_id, agreement.id, agreement.created_at, agreement.signed_on
    FROM organization_unit, agreement
    WHERE organization_unit.unit_id = NEW.organization_id AND agreement.id = NEW.agreement_id
    ON CONFLICT DO NOTHING;
"""
_PARTY_REMOVED = """
    DELETE FROM organization_agreement
    WHERE agreement_id = OLD.agreement_id
      AND organization_id IN (
        SELECT ancestor_id FROM organization_unit WHERE unit_id = OLD.organization_id
      )
      AND NOT EXISTS (
        SELECT 1 FROM agreement_party
        JOIN organization_unit ON organization_unit.unit_id = agreement_party.organization_id
        WHERE agreement_party.agreement_id = OLD.agreement_id
          AND organization_unit.ancestor_id = organization_agreement.organization_id
      );
"""
_UNIT_ADDED = """
    INSERT INTO organization_agreement (organization_id, agreement_id, created_at, signed_on)
    SELECT NEW.ancestor_id, agreement.id, agreement.created_at, agreement.signed_on
    FROM agreement_party JOIN agreement ON agreement.id = agreement_party.agreement_id
    WHERE agreement_party.organization_id = NEW.unit_id
    ON CONFLICT DO NOTHING;
"""
_UNIT_REMOVED = """
    DELETE FROM organization_agreement
    WHERE organization_id = OLD.ancestor_id
      AND agreement_id IN (
        SELECT agreement_id FROM agreement_party WHERE organization_id = OLD.unit_id
      )
      AND NOT EXISTS (
        SELECT 1 FROM agreement_party
        JOIN organization_unit ON organization_unit.unit_id = agreement_party.organization_id
        WHERE agreement_party.agreement_id = organization_agreement.agreement_id
          AND organization_unit.ancestor_id = OLD.ancestor_id
      );
"""
_KEYS_CHANGED = """
    UPDATE organization_agreement SET created_at = NEW.created_at, signed_on = NEW.signed_on
    WHERE agreement_id = NEW.id;
"""

_COUNTED = """
    INSERT INTO organization_agreement_total (organization_id, agreements)
    VALUES (NEW.organization_id, 1)
    ON CONFLICT (organization_id)
    DO UPDATE SET agreements = organization_agreement_total.agreements + 1;
"""
_UNCOUNTED = """
    UPDATE organization_agreement_total SET agreements = agreements - 1
    WHERE organization_id = OLD.organization_id;
"""

_PARTY_MOVED = "OLD.agreement_id <> NEW.agreement_id OR OLD.organization_id <> NEW.organization_id"
_KEYS_MOVED = (
    "OLD.created_at IS NOT {same} NEW.created_at OR OLD.signed_on IS NOT {same} NEW.signed_on"
)

Trigger = tuple[str, str, str, str | None, str]
"""(trigger name, table, event, condition or None, body)"""

_TRIGGERS: list[Trigger] = [
    ("organization_agreement_party_added", "agreement_party", "INSERT", None, _PARTY_ADDED),
    ("organization_agreement_party_removed", "agreement_party", "DELETE", None, _PARTY_REMOVED),
    (
        "organization_agreement_party_changed",
        "agreement_party",
        "UPDATE OF agreement_id, organization_id",
        _PARTY_MOVED,
        _PARTY_REMOVED + _PARTY_ADDED,
    ),
    ("organization_agreement_unit_added", "organization_unit", "INSERT", None, _UNIT_ADDED),
    ("organization_agreement_unit_removed", "organization_unit", "DELETE", None, _UNIT_REMOVED),
    (
        "organization_agreement_keys_changed",
        "agreement",
        "UPDATE OF created_at, signed_on",
        _KEYS_MOVED,
        _KEYS_CHANGED,
    ),
]

_TOTAL_TRIGGERS: list[Trigger] = [
    ("organization_agreement_counted", TABLE, "INSERT", None, _COUNTED),
    ("organization_agreement_uncounted", TABLE, "DELETE", None, _UNCOUNTED),
]
"""Made only where `organization_agreement_total` exists."""


def _statements(dialect: str, triggers: list[Trigger]) -> list[str]:
    made: list[str] = []
    for name, table, event, condition, body in triggers:
        if dialect == "postgresql":
            when = "" if condition is None else f"WHEN ({condition.format(same='DISTINCT FROM')}) "
            made.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN NULL; END $$"
            )
            made.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when}"
                f"EXECUTE FUNCTION {name}()"
            )
        else:
            when = "" if condition is None else f"WHEN {condition.format(same='')} "
            made.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} {when}BEGIN {body} END")
    return made


def _exists(connection: Connection, table: str = TABLE) -> bool:
    if connection.dialect.name == "postgresql":
        found = connection.exec_driver_sql(f"SELECT to_regclass('{table}') IS NOT NULL").scalar()
    else:
        found = connection.exec_driver_sql(
            f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
        ).scalar()
    return bool(found)


def uninstall(connection: Connection) -> None:
    """Drops the triggers (and their functions on PostgreSQL)."""
    for name, table, *_ in _TRIGGERS + _TOTAL_TRIGGERS:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def install(connection: Connection) -> None:
    """(Re)makes the triggers, when the table exists (a migration older than the one that makes
    it remakes none)."""
    uninstall(connection)
    if not _exists(connection):
        return
    for statement in _statements(connection.dialect.name, _TRIGGERS):
        connection.exec_driver_sql(statement)
    if _exists(connection, TOTALS):
        for statement in _statements(connection.dialect.name, _TOTAL_TRIGGERS):
            connection.exec_driver_sql(statement)


def fill(connection: Connection) -> None:
    """Makes every row from the parties and the closure, on an empty table, with the triggers
    off; the totals too where their table exists (remade from the rows)."""
    connection.exec_driver_sql(FILL)
    fill_totals(connection)


def fill_totals(connection: Connection) -> None:
    """Remakes `organization_agreement_total` from `organization_agreement` (one GROUP BY),
    with the triggers off; nothing where the table does not exist."""
    if _exists(connection, TOTALS):
        connection.exec_driver_sql(f"DELETE FROM {TOTALS}")
        connection.exec_driver_sql(FILL_TOTALS)
