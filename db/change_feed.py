"""Which tables write change events, and the triggers that write them, on both databases.

Every committed change of a traced row writes one `change_event` row in the same transaction,
from a database trigger (made by the migrations, `install`), whoever writes: the API, the command
line, the registry and demo loaders, a scheduled job or plain SQL. Triggers rather than calls in
the services because they cannot be forgotten by a new write path, because a cascaded delete is
seen too, and because the event costs no extra round trip (bench/RESULTS.md).

An `Entity` is a table whose rows are GraphQL nodes; its events name the node type and the row's
id. A `Part` is a table whose rows belong to an entity (an agreement's collaboration modes, an
organization's identifiers); its changes are told as an `updated` event of that entity, with the
relation's name as the changed field.

What a trigger writes:

- `xid`: on PostgreSQL the writing transaction's id (`pg_current_xact_id()`), which readers use to
  never skip an event that commits late (`resolvers.changes`); 0 on SQLite, whose writers are
  serialized, so that the autoincrement `id` is already in commit order.
- `kind`: `created`, `updated` or `deleted`, or, from the values: `status_changed` (a `status`
  column changed), `signed` (a party's `signed_on` set, or an agreement's status made `signed`),
  `proposal_made` (a proposal inserted), `proposal_answered` (a pending proposal accepted or
  declined).
- `version`: the row's `version` after the change (a delete: the last version plus one); for a
  table without one, the number of the entity's events so far plus one.
- the actor: on PostgreSQL the transaction-local settings `partnergraph.actor_token` and
  `partnergraph.actor` (`set_config(..., true)`, `resolvers.transactions.in_transaction`); on
  SQLite, which has no session variables and whose triggers cannot read a temporary table, the
  one row of `change_context`, set at the start of the write transaction and cleared at its end
  (writers are serialized, so no other transaction can read it meanwhile). Null when the writer
  said nothing (the command line, a loader, plain SQL).
- `fields`: on an update, the names of the columns whose value changed (never values: the event
  is a notice to read the entity again, and so never carries a secret or personal data);
  empty on a create or a delete.
- `organization_ids`, `alliance_ids`: the organizations and alliances the row concerned when it
  changed (an agreement's parties, a resource's owner, a membership's alliance). Readers use them
  to show a deletion to those who could see the record, and to filter by organization.

A new table of the domain gets an `Entity` or `Part` here and a migration that calls `install`
for it; a migration that adds a column to a traced table calls `install` again (the list of
columns compared on an update is read from the database when the triggers are made).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = [
    "ENTITIES",
    "ENTITY_TABLES",
    "PARTS",
    "Entity",
    "Part",
    "install",
    "uninstall",
]

_QUIET = frozenset({"id", "created_at", "updated_at", "version"})
"""Columns never reported as changed: every update moves them."""


@dataclass(frozen=True)
class Entity:
    """A traced table whose rows are nodes of GraphQL type `type_name`.

    `organizations` and `alliances` are SQL expressions over the row `{r}` giving an id each;
    `organization_queries` are SELECTs giving ids (one column); `agreement` names the column
    holding the agreement whose parties the row concerns."""

    table: str
    type_name: str
    organizations: Sequence[str] = ()
    alliances: Sequence[str] = ()
    organization_queries: Sequence[str] = ()
    agreement: str | None = None
    links: Sequence["Part"] = ()
    """The entities a row links to and whose visibility it grants (a party to its agreement,
    a position to its person): a change of the row is also an `updated` event of each, so a
    caller who can now see one hears of it."""

    def organization_sources(self, row: str, dialect: str, *, deleting: bool) -> list[str]:
        sources = [f"SELECT {row}.{column}" for column in self.organizations]
        sources += [query.format(r=row) for query in self.organization_queries]
        if self.agreement is not None:
            key = f"{row}.{self.agreement}"
            sources.append(
                f"SELECT organization_id FROM agreement_party WHERE agreement_id = {key}"
            )
            if deleting:
                sources.append(_last_agreement_organizations(key, dialect))
        return sources

    def alliance_sources(self, row: str) -> list[str]:
        return [f"SELECT {row}.{column}" for column in self.alliances]


@dataclass(frozen=True)
class Part:
    """A traced table whose rows belong to the entity in `entity_table`, named by `key`; a
    change of one is an `updated` event of that entity with `field` changed."""

    table: str
    entity_table: str
    key: str
    field: str


def _last_agreement_organizations(key: str, dialect: str) -> str:
    """The organizations of the agreement's last event: when an agreement is deleted its parties
    may be gone (a cascade) before its commitments' and documents' triggers run."""
    last = (
        "SELECT organization_ids FROM change_event WHERE entity_type = 'Agreement' "
        f"AND entity_id = {key} ORDER BY id DESC LIMIT 1"
    )
    if dialect == "postgresql":
        return f"SELECT unnest(({last}))"
    return f"SELECT value FROM json_each(({last}))"


_AGREEMENT_PARTNERS = "SELECT organization_id FROM program_partner WHERE program_id = {r}.id"


def _learner_organizations(learner: str) -> tuple[str, ...]:
    """The organizations that see a learner (`resolvers.visibility`): its home, and the two
    organizations of every recognition application made for it. `learner` is an SQL
    expression giving the learner's id over the row `{r}`."""
    return (
        f"SELECT home_organization_id FROM learner WHERE id = {learner}",
        f"SELECT from_organization_id FROM recognition_application WHERE learner_id = {learner}",
        f"SELECT to_organization_id FROM recognition_application WHERE learner_id = {learner}",
    )


def _account_organizations(account: str) -> tuple[str, ...]:
    """The organizations that see an account's records: its bank and those of its learner."""
    learner = f"(SELECT learner_id FROM credit_account WHERE id = {account})"
    return (
        f"SELECT bank_id FROM credit_account WHERE id = {account}",
        *_learner_organizations(learner),
    )


ENTITIES: tuple[Entity, ...] = (
    Entity("organization", "Organization", organizations=("id", "parent_id")),
    Entity(
        "person",
        "Person",
        organization_queries=("SELECT organization_id FROM position WHERE person_id = {r}.id",),
    ),
    Entity(
        "position",
        "Position",
        organizations=("organization_id",),
        links=(Part("position", "person", "person_id", "positions"),),
    ),
    Entity("alliance", "Alliance", organizations=("secretariat_id",), alliances=("id",)),
    Entity(
        "membership", "Membership", organizations=("organization_id",), alliances=("alliance_id",)
    ),
    Entity("agreement", "Agreement", agreement="id"),
    Entity(
        "agreement_party",
        "AgreementParty",
        organizations=("organization_id",),
        agreement="agreement_id",
        links=(Part("agreement_party", "agreement", "agreement_id", "parties"),),
    ),
    Entity(
        "commitment",
        "Commitment",
        organizations=("obligor_id", "beneficiary_id"),
        agreement="agreement_id",
    ),
    Entity(
        "approval",
        "Approval",
        organizations=("approver_id", "organization_id"),
        agreement="agreement_id",
    ),
    Entity(
        "mobility_condition",
        "MobilityCondition",
        organizations=("sending_organization_id", "receiving_organization_id"),
        agreement="agreement_id",
    ),
    Entity("document", "Document", agreement="agreement_id"),
    Entity(
        "program", "Program", organization_queries=(_AGREEMENT_PARTNERS,), agreement="agreement_id"
    ),
    Entity(
        "program_partner",
        "ProgramPartner",
        organizations=("organization_id",),
        links=(Part("program_partner", "program", "program_id", "partners"),),
    ),
    Entity("course", "Course", organizations=("organization_id",)),
    Entity("resource", "Resource", organizations=("owner_id",)),
    Entity(
        "resource_share",
        "ResourceShare",
        organizations=("organization_id",),
        organization_queries=("SELECT owner_id FROM resource WHERE id = {r}.resource_id",),
        agreement="agreement_id",
    ),
    Entity(
        "funding", "Funding", organizations=("funder_id", "recipient_id"), agreement="agreement_id"
    ),
    Entity(
        "activity",
        "Activity",
        alliances=("alliance_id",),
        organization_queries=(
            "SELECT organization_id FROM activity_participant WHERE activity_id = {r}.id",
        ),
    ),
    Entity(
        "activity_participant",
        "ActivityParticipant",
        organizations=("organization_id",),
        links=(Part("activity_participant", "activity", "activity_id", "participants"),),
    ),
    Entity("evaluation", "Evaluation", organizations=("evaluator_id",), agreement="agreement_id"),
    Entity("learner", "Learner", organization_queries=_learner_organizations("{r}.id")),
    Entity(
        "credit_account",
        "CreditAccount",
        organizations=("bank_id",),
        organization_queries=_learner_organizations("{r}.learner_id"),
    ),
    Entity(
        "enrolment",
        "Enrolment",
        organization_queries=(
            "SELECT home_organization_id FROM learner WHERE id = {r}.learner_id",
        ),
    ),
    Entity(
        "learning_outcome",
        "LearningOutcome",
        organizations=("provider_id",),
        organization_queries=_account_organizations("{r}.account_id"),
    ),
    Entity(
        "recognition_rule",
        "RecognitionRule",
        organizations=("from_organization_id", "to_organization_id"),
        agreement="agreement_id",
    ),
    Entity(
        "recognition_rule_course",
        "RecognitionRuleCourse",
        organization_queries=(
            "SELECT from_organization_id FROM recognition_rule WHERE id = {r}.rule_id",
            "SELECT to_organization_id FROM recognition_rule WHERE id = {r}.rule_id",
        ),
        links=(Part("recognition_rule_course", "recognition_rule", "rule_id", "courses"),),
    ),
    Entity(
        "credit_recognition",
        "CreditRecognition",
        organization_queries=_account_organizations(
            "(SELECT account_id FROM learning_outcome WHERE id = {r}.outcome_id)"
        ),
    ),
    Entity(
        "credit_entry",
        "CreditEntry",
        organizations=("organization_id",),
        organization_queries=_account_organizations("{r}.account_id"),
    ),
    Entity(
        "recognition_application",
        "RecognitionApplication",
        organizations=("from_organization_id", "to_organization_id"),
        organization_queries=(
            "SELECT home_organization_id FROM learner WHERE id = {r}.learner_id",
        ),
        links=(Part("recognition_application", "learner", "learner_id", "applications"),),
    ),
    Entity(
        "program_completion",
        "ProgramCompletion",
        organization_queries=(
            *_learner_organizations("{r}.learner_id"),
            "SELECT organization_id FROM program_partner WHERE program_id = {r}.program_id",
        ),
    ),
    Entity(
        "proposal",
        "Proposal",
        organizations=("organization_id", "proposer_organization_id", "addressed_organization_id"),
        alliances=("alliance_id", "proposer_alliance_id", "addressed_alliance_id"),
    ),
    Entity("api_token", "ApiToken", organizations=("organization_id",), alliances=("alliance_id",)),
)

PARTS: tuple[Part, ...] = (
    Part("agreement_mode", "agreement", "agreement_id", "modes"),
    Part("document_version", "document", "document_id", "versions"),
    Part("activity_agreement", "activity", "activity_id", "agreements"),
    Part("activity_program", "activity", "activity_id", "programs"),
    Part("program_target_group", "program", "program_id", "target_groups"),
    Part("course_instructor", "course", "course_id", "instructors"),
    Part("evaluation_measure", "evaluation", "evaluation_id", "measures"),
    Part("organization_identifier", "organization", "organization_id", "identifiers"),
    Part("organization_relation", "organization", "organization_id", "relations"),
    Part("application_outcome", "recognition_application", "application_id", "outcomes"),
    Part("program_requirement", "program", "program_id", "requirements"),
    Part("requirement_course", "program", "program_id", "requirements"),
)

ENTITY_TABLES = {entity.type_name: entity.table for entity in ENTITIES}
"""GraphQL type name -> table, for every entity whose changes are events."""

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
        part = next(p for p in PARTS if p.table == table)
        parent_columns = _columns(connection, part.entity_table)
        inserts = {op: _part_insert(part, parent_columns, op, d) for op in _OPS}
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
    traced = [e.table for e in ENTITIES] + [p.table for p in PARTS]
    return [table for table in traced if table in existing]


@contextmanager
def triggers_off(connection: Connection) -> Iterator[None]:
    """Drops every change trigger for the block and remakes them after it, on the tables as they
    are then: a migration that alters traced tables runs inside it, because SQLite's
    `batch_alter_table` rebuilds a table by renaming a copy, which fails while another table's
    trigger names it, and the rebuilt table would lose its own triggers."""
    uninstall(connection, _existing_traced(connection))
    yield
    install(connection)
