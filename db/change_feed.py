"""Which tables write change events, and the triggers that write them, on both databases.

Every committed change of a traced row writes one `change_event` row in the same transaction,
from a database trigger (made by the migrations, `install`), whoever writes: the API, the command
line, the registry and demo loaders, a scheduled job or plain SQL. Triggers rather than calls in
the services because they cannot be forgotten by a new write path, because a cascaded delete is
seen too, and because the event costs no extra round trip (bench/RESULTS.md).

An `Entity` is a table whose rows are GraphQL nodes; its events name the node type and the row's
id. A `Part` is a table whose rows belong to an entity (an agreement's collaboration modes, an
organization's identifiers, a record's names in every language); its changes are told as an
`updated` event of that entity, with the relation's name as the changed field.

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

A new table of the domain gets an `Entity` or `Part` here and a migration that calls
`db.change_triggers.install` for it; a migration that adds a column to a traced table calls it
again (the list of columns compared on an update is read from the database when the triggers
are made), and one that rebuilds traced tables runs inside `db.change_triggers.triggers_off`.
"""

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ENTITIES",
    "ENTITY_TABLES",
    "PARTS",
    "Entity",
    "Part",
]


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
    Entity(
        "evaluation",
        "Evaluation",
        organizations=("evaluator_id",),
        alliances=("alliance_id",),
        agreement="agreement_id",
    ),
    Entity(
        "indicator",
        "Indicator",
        alliances=("alliance_id",),
        organization_queries=(
            "SELECT organization_id FROM program_partner WHERE program_id = {r}.program_id",
        ),
    ),
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
        "issued_credential",
        "IssuedCredential",
        organizations=("issuer_id",),
        organization_queries=_learner_organizations("{r}.learner_id"),
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
    Part("indicator_target", "indicator", "indicator_id", "targets"),
    Part("organization_identifier", "organization", "organization_id", "identifiers"),
    Part("organization_relation", "organization", "organization_id", "relations"),
    Part("application_outcome", "recognition_application", "application_id", "outcomes"),
    Part("program_requirement", "program", "program_id", "requirements"),
    Part("requirement_course", "program", "program_id", "requirements"),
    *(
        Part("localized_name", table, column, "names")
        for table, column in (
            ("organization", "organization_id"),
            ("alliance", "alliance_id"),
            ("program", "program_id"),
            ("course", "course_id"),
            ("agreement", "agreement_id"),
        )
    ),
    Part("issuer_key", "organization", "organization_id", "issuer_keys"),
)
"""A table may be a part of several entities (a localized name names one record of one of five
types): its trigger writes the event of each whose key column is set."""

ENTITY_TABLES = {entity.type_name: entity.table for entity in ENTITIES}
"""GraphQL type name -> table, for every entity whose changes are events."""
