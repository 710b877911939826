"""Create, update and delete for the entities without a lifecycle of their own, from one table.

`ENTITIES` says, for each, which columns a client may set and who may change it (the
organizations that own a row: an editor of one of them, the secretariat of its alliance, or an
admin). The rules every write keeps: references name existing rows, dates in order, amounts,
credits and counts non-negative, countries ISO 3166-1 alpha-2, currencies ISO 4217.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pycountry
import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from db import tables as t
from db.base import table_of
from resolvers.errors import BadUserInput, Forbidden, NotFound, excerpt
from resolvers.viewer import Role, Viewer
from resolvers.writes import delete_row, insert_row, row_or_none, update_row

__all__ = ["ENTITIES", "Entity", "create", "delete", "update"]


@dataclass(frozen=True)
class Owner:
    """Where the owning organization of a row is found: a column of the row, or a column of
    the row it references (`via` names that reference column and `table` the table)."""

    column: str
    via: str | None = None
    table: sa.Table | None = None


@dataclass(frozen=True)
class Entity:
    name: str
    model: type[SQLModel]
    owners: tuple[Owner, ...] = ()
    alliance_column: str | None = None
    """A secretariat of the alliance in this column may change the row too."""
    creators: frozenset[Role] = frozenset({Role.EDITOR})
    """Who may create one when no owner is set yet (admins always may)."""
    deletable: bool = True
    references: Mapping[str, str] = field(default_factory=dict)
    """Reference columns and the node type they name, e.g. {"parent_id": "Organization"}."""

    @property
    def table(self) -> sa.Table:
        return table_of(self.model)


ORGANIZATION = table_of(t.Organization)
PERSON = table_of(t.Person)
POSITION = table_of(t.Position)
AGREEMENT_PARTY = table_of(t.AgreementParty)
PROGRAM_PARTNER = table_of(t.ProgramPartner)
RESOURCE = table_of(t.Resource)
LEARNER = table_of(t.Learner)
COURSE = table_of(t.Course)
ACTIVITY = table_of(t.Activity)
EVALUATION = table_of(t.Evaluation)
RULE = table_of(t.RecognitionRule)
OUTCOME = table_of(t.LearningOutcome)
ACCOUNT = table_of(t.CreditAccount)

_ORG = "Organization"
ENTITIES: tuple[Entity, ...] = (
    Entity(
        "Organization",
        t.Organization,
        owners=(Owner("id"), Owner("parent_id")),
        creators=frozenset(),
        references={"parent_id": _ORG},
    ),
    Entity("Person", t.Person, owners=(Owner("id", "person_id", POSITION),)),
    Entity(
        "Position",
        t.Position,
        owners=(Owner("organization_id"),),
        references={"person_id": "Person", "organization_id": _ORG},
    ),
    Entity(
        "Alliance",
        t.Alliance,
        alliance_column="id",
        creators=frozenset(),
        deletable=False,
        references={"secretariat_id": _ORG},
    ),
    Entity(
        "Document",
        t.Document,
        owners=(Owner("agreement_id", "agreement_id", AGREEMENT_PARTY),),
        references={"agreement_id": "Agreement"},
    ),
    Entity(
        "Program",
        t.Program,
        owners=(Owner("id", "program_id", PROGRAM_PARTNER),),
        references={"agreement_id": "Agreement"},
    ),
    Entity(
        "ProgramPartner",
        t.ProgramPartner,
        owners=(Owner("organization_id"), Owner("program_id", "program_id", PROGRAM_PARTNER)),
        references={"program_id": "Program", "organization_id": _ORG},
    ),
    Entity(
        "Course",
        t.Course,
        owners=(Owner("organization_id"),),
        references={"program_id": "Program", "organization_id": _ORG},
    ),
    Entity(
        "Resource",
        t.Resource,
        owners=(Owner("owner_id"),),
        references={"owner_id": _ORG},
    ),
    Entity(
        "ResourceShare",
        t.ResourceShare,
        owners=(Owner("resource_id", "id", RESOURCE),),
        references={
            "resource_id": "Resource",
            "organization_id": _ORG,
            "agreement_id": "Agreement",
        },
    ),
    Entity(
        "Funding",
        t.Funding,
        owners=(Owner("funder_id"),),
        references={
            "funder_id": _ORG,
            "recipient_id": _ORG,
            "agreement_id": "Agreement",
            "program_id": "Program",
        },
    ),
    Entity(
        "Activity",
        t.Activity,
        owners=(Owner("id", "activity_id", table_of(t.ActivityParticipant)),),
        alliance_column="alliance_id",
        creators=frozenset({Role.EDITOR, Role.SECRETARIAT}),
        references={"alliance_id": "Alliance"},
    ),
    Entity(
        "ActivityParticipant",
        t.ActivityParticipant,
        owners=(Owner("organization_id"),),
        references={"activity_id": "Activity", "organization_id": _ORG, "person_id": "Person"},
    ),
    Entity(
        "Evaluation",
        t.Evaluation,
        owners=(Owner("evaluator_id"),),
        references={"agreement_id": "Agreement", "program_id": "Program", "evaluator_id": _ORG},
    ),
    Entity(
        "Learner",
        t.Learner,
        owners=(Owner("home_organization_id"),),
        references={"home_organization_id": _ORG},
    ),
    Entity(
        "CreditAccount",
        t.CreditAccount,
        owners=(Owner("bank_id"),),
        references={"learner_id": "Learner", "bank_id": _ORG},
    ),
    Entity(
        "Enrolment",
        t.Enrolment,
        owners=(Owner("learner_id", "id", LEARNER),),
        references={"learner_id": "Learner", "program_id": "Program"},
    ),
    Entity(
        "LearningOutcome",
        t.LearningOutcome,
        owners=(Owner("provider_id"),),
        references={
            "account_id": "CreditAccount",
            "provider_id": _ORG,
            "program_id": "Program",
            "course_id": "Course",
        },
    ),
    Entity(
        "RecognitionRule",
        t.RecognitionRule,
        owners=(Owner("to_organization_id"),),
        references={
            "agreement_id": "Agreement",
            "from_organization_id": _ORG,
            "from_program_id": "Program",
            "to_organization_id": _ORG,
            "to_program_id": "Program",
        },
    ),
    Entity(
        "CreditRecognition",
        t.CreditRecognition,
        owners=(Owner("rule_id", "id", RULE),),
        references={"outcome_id": "LearningOutcome", "rule_id": "RecognitionRule"},
    ),
)
BY_NAME = {entity.name: entity for entity in ENTITIES}

_NON_NEGATIVE = {"amount", "credits", "hours", "capacity", "max_credits", "target", "actual"}
_PERIODS = [
    ("starts_on", "ends_on"),
    ("started_on", "ended_on"),
    ("period_start", "period_end"),
    ("enrolled_on", "completed_on"),
    ("effective_from", "effective_to"),
]


def _check_values(values: Mapping[str, Any], current: Mapping[Any, Any] | None) -> None:
    merged = {**(current or {}), **values}
    for column, value in values.items():
        if column in _NON_NEGATIVE and value is not None and Decimal(value) < 0:
            raise BadUserInput(f"{column} cannot be negative", field=_camel(column))
    if values.get("country") is not None:
        code = str(values["country"])
        if len(code) != 2 or not code.isupper() or pycountry.countries.get(alpha_2=code) is None:
            raise BadUserInput(
                f"{excerpt(code)} is not an ISO 3166-1 alpha-2 country code (e.g. CN, AU)",
                field="country",
            )
    if values.get("currency") is not None:
        code = str(values["currency"])
        if len(code) != 3 or not code.isupper() or pycountry.currencies.get(alpha_3=code) is None:
            raise BadUserInput(
                f"{excerpt(code)} is not an ISO 4217 currency code (e.g. CNY, EUR)",
                field="currency",
            )
    for first, last in _PERIODS:
        start, end = merged.get(first), merged.get(last)
        if isinstance(start, date) and isinstance(end, date) and end < start:
            raise BadUserInput(f"{last} cannot be before {first}", field=_camel(last))
    score = values.get("score")
    if score is not None and not Decimal(0) <= Decimal(score) <= Decimal(100):
        raise BadUserInput("a score is between 0 and 100", field="score")


def _camel(column: str) -> str:
    head, *rest = column.split("_")
    return head + "".join(part.title() for part in rest)


async def _check_references(
    connection: AsyncConnection, entity: Entity, values: Mapping[str, Any]
) -> None:
    from resolvers.nodes import NODE_TABLES

    for column, type_name in entity.references.items():
        key = values.get(column)
        if key is None:
            continue
        if await row_or_none(connection, NODE_TABLES[type_name], key) is None:
            field = _camel(column.removesuffix("_id"))
            raise NotFound(f"no {type_name} with that ID", field=field)


async def _owners(
    connection: AsyncConnection, entity: Entity, row: Mapping[str, Any]
) -> tuple[set[int], set[int]]:
    organizations: set[int] = set()
    for owner in entity.owners:
        value = row.get(owner.column)
        if value is None:
            continue
        if owner.via is None or owner.table is None:
            organizations.add(int(value))
            continue
        target = owner.table
        column = {
            AGREEMENT_PARTY.name: "organization_id",
            PROGRAM_PARTNER.name: "organization_id",
            POSITION.name: "organization_id",
            "activity_participant": "organization_id",
            RESOURCE.name: "owner_id",
            LEARNER.name: "home_organization_id",
            RULE.name: "to_organization_id",
        }[target.name]
        found = await connection.scalars(
            sa.select(target.c[column]).where(target.c[owner.via] == value)
        )
        organizations.update(int(o) for o in found if o is not None)
    alliances: set[int] = set()
    if entity.alliance_column and row.get(entity.alliance_column) is not None:
        alliances.add(int(row[entity.alliance_column]))
    return organizations, alliances


async def _require(
    connection: AsyncConnection,
    viewer: Viewer,
    entity: Entity,
    rows: list[Mapping[str, Any]],
    *,
    doing: str,
    creating: bool = False,
) -> None:
    """Admins; or, for every row given (before and after the change), an editor of one of its
    owning organizations or the secretariat of its alliance."""
    if viewer.is_admin:
        return
    for row in rows:
        organizations, alliances = await _owners(connection, entity, row)
        if viewer.role is Role.EDITOR and viewer.scope & organizations:
            continue
        if viewer.role is Role.SECRETARIAT and viewer.alliance_id in alliances:
            continue
        if creating and not organizations and not alliances and viewer.role in entity.creators:
            continue
        raise Forbidden(
            f"{viewer.role.value} callers may not {doing} (needs an editor of its "
            "organization, its alliance's secretariat, or an admin)"
        )


async def create(
    connection: AsyncConnection, viewer: Viewer, entity: Entity, values: dict[str, Any]
) -> RowMapping:
    _check_values(values, None)
    await _check_references(connection, entity, values)
    await _require(
        connection, viewer, entity, [values], doing=f"create this {entity.name}", creating=True
    )
    return await insert_row(connection, entity.table, values, actor=viewer.label)


async def update(
    connection: AsyncConnection,
    viewer: Viewer,
    entity: Entity,
    key: int,
    version: int,
    values: dict[str, Any],
) -> RowMapping:
    current = await row_or_none(connection, entity.table, key)
    if current is None:
        raise NotFound(f"no {entity.name} with that ID", field="id")
    _check_values(values, current)
    await _check_references(connection, entity, values)
    await _require(
        connection,
        viewer,
        entity,
        [dict(current), {**current, **values}],
        doing=f"change this {entity.name}",
    )
    return await update_row(
        connection, entity.table, key, version, values, actor=viewer.label, what=entity.name
    )


async def delete(
    connection: AsyncConnection, viewer: Viewer, entity: Entity, key: int, version: int | None
) -> RowMapping:
    if not entity.deletable:
        raise Forbidden(f"a {entity.name} is not deleted; change its status instead")
    current = await row_or_none(connection, entity.table, key)
    if current is None:
        raise NotFound(f"no {entity.name} with that ID", field="id")
    await _require(connection, viewer, entity, [dict(current)], doing=f"delete this {entity.name}")
    return await delete_row(
        connection, entity.table, key, version, actor=viewer.label, what=entity.name
    )
