"""Create, update and delete for the entities without a lifecycle of their own, from one table.

`ENTITIES` lists them; who may change each and what its references require are declared in
`resolvers.write_scope`, which every write here calls (a row or reference the caller cannot see
answers as a missing one). The rules every write keeps besides: dates in order, amounts,
credits and counts non-negative, countries ISO 3166-1 alpha-2, currencies ISO 4217, languages
BCP 47, fields of study, EQF levels and credit units from their official lists (`resolvers.codes`).
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
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
from resolvers import approvals, indicators
from resolvers.codes import check_codes
from resolvers.errors import BadUserInput, Forbidden, excerpt
from resolvers.languages import language_tag
from resolvers.recognition_rules import check_rule
from resolvers.units import creates_cycle
from resolvers.viewer import Viewer
from resolvers.write_declarations import MUTATIONS, RECORDS, TABLES, Record
from resolvers.write_scope import check_reference, load_for_write, require_change
from resolvers.writes import delete_row, insert_row, update_row

__all__ = ["BY_NAME", "ENTITIES", "Entity", "create", "delete", "update"]


@dataclass(frozen=True)
class Entity:
    """An entity with generated mutations; who owns it and what it references is declared in
    `resolvers.write_declarations.RECORDS`."""

    name: str
    model: type[SQLModel]
    deletable: bool = True
    check: (
        Callable[[AsyncConnection, Mapping[Any, Any] | None, Mapping[str, Any]], Awaitable[None]]
        | None
    ) = None
    """The entity's own rules, given the current row (`None` on create) and the new values."""
    hidden: frozenset[str] = frozenset()
    """Columns no input sets (a standard indicator's code, set by its migration only)."""

    @property
    def table(self) -> sa.Table:
        return table_of(self.model)

    @property
    def record(self) -> Record:
        return RECORDS[self.name]

    @property
    def references(self) -> Mapping[str, str]:
        """Reference columns and the node type they name, e.g. {"parent_id": "Organization"}."""
        return {r.column: r.type_name for r in self.record.references if r.column is not None}


ENTITIES: tuple[Entity, ...] = (
    Entity("Organization", t.Organization),
    Entity("Person", t.Person),
    Entity("Position", t.Position),
    Entity("Alliance", t.Alliance, deletable=False),
    Entity("Document", t.Document),
    Entity("Program", t.Program),
    Entity("ProgramPartner", t.ProgramPartner),
    Entity("Course", t.Course),
    Entity("Resource", t.Resource),
    Entity("ResourceShare", t.ResourceShare),
    Entity("Funding", t.Funding),
    Entity("Activity", t.Activity),
    Entity("ActivityParticipant", t.ActivityParticipant),
    Entity("Evaluation", t.Evaluation),
    Entity("Indicator", t.Indicator, check=indicators.check_write, hidden=frozenset({"code"})),
    Entity("Learner", t.Learner),
    Entity("CreditAccount", t.CreditAccount, deletable=False),
    Entity("Enrolment", t.Enrolment),
    Entity("RecognitionRule", t.RecognitionRule, check=check_rule),
    Entity("RecognitionRuleCourse", t.RecognitionRuleCourse),
    Entity("Approval", t.Approval, check=approvals.check_write),
)
"""Learning outcomes and recognitions are not here: credits enter an account only through the
ledger (`resolvers.ledger`, `resolvers.recognition`), and an account, which holds a ledger, is
never deleted."""
BY_NAME = {entity.name: entity for entity in ENTITIES}

_NON_NEGATIVE = {"amount", "credits", "hours", "capacity", "max_credits", "target", "actual"}
_PERIODS = [
    ("starts_on", "ends_on"),
    ("started_on", "ended_on"),
    ("period_start", "period_end"),
    ("enrolled_on", "completed_on"),
    ("effective_from", "effective_to"),
]


def _standard_language(values: dict[str, Any]) -> None:
    """A `language` is a BCP 47 tag, kept as `langcodes` standardizes it (`zh-cn` -> `zh-CN`)."""
    if values.get("language") is not None:
        values["language"] = language_tag(str(values["language"]), field="language")


MAX_LEAD_DAYS = 3650
MAX_LEAD_TIMES = 10


def _standard_lead_days(values: dict[str, Any]) -> None:
    """Reminder lead times: 0 to 3650 days, at most 10, kept distinct and longest first."""
    given = values.get("reminder_lead_days")
    if given is None:
        return
    if len(given) > MAX_LEAD_TIMES or any(not 0 <= d <= MAX_LEAD_DAYS for d in given):
        raise BadUserInput(
            f"reminder lead times are at most {MAX_LEAD_TIMES} numbers of days, each 0 to "
            f"{MAX_LEAD_DAYS}",
            field="reminderLeadDays",
        )
    values["reminder_lead_days"] = sorted(set(given), reverse=True)


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


def _check_precision(table: sa.Table, values: Mapping[str, Any]) -> None:
    """A number must fit its column (`NUMERIC(p, s)`: under 10^(p-s)): PostgreSQL refuses a
    wider one and SQLite would store it, so both databases answer alike, before either sees it."""
    for column, value in values.items():
        kind = table.c[column].type if column in table.c else None
        if value is None or not isinstance(kind, sa.Numeric) or kind.precision is None:
            continue
        bound = Decimal(10) ** (kind.precision - (kind.scale or 0))
        if abs(Decimal(value)) >= bound:
            raise BadUserInput(f"{column} must be below {bound:,}", field=_camel(column))


def _camel(column: str) -> str:
    head, *rest = column.split("_")
    return head + "".join(part.title() for part in rest)


async def _check_references(
    connection: AsyncConnection,
    viewer: Viewer,
    record: Record,
    values: Mapping[str, Any],
    *,
    skip: str | None = None,
    prefix: str = "",
) -> None:
    """Every reference given, in its declared order (`resolvers.write_declarations`)."""
    for ref in record.references:
        if ref.column is None or ref.column == skip or values.get(ref.column) is None:
            continue
        await check_reference(
            connection, viewer, ref, int(values[ref.column]), field=prefix + ref.field
        )


async def _check_unit_tree(
    connection: AsyncConnection, entity: Entity, key: int, values: Mapping[str, Any]
) -> None:
    """An organization cannot become a unit of itself or of one of its own units (the database
    refuses it too, see `db.tables.organizations.OrganizationUnit`: this says why)."""
    parent = values.get("parent_id")
    if (
        entity.name == "Organization"
        and parent is not None
        and await creates_cycle(connection, key, int(parent))
    ):
        raise BadUserInput(
            "an organization cannot be a unit of itself or of one of its own units",
            field="parent",
        )


async def _still_changeable(
    connection: AsyncConnection, viewer: Viewer, entity: Entity, row: Mapping[Any, Any]
) -> None:
    """After a write, its caller must still be able to change the row (no ownerless rows, no
    rows handed to another organization); the transaction is rolled back otherwise."""
    first = entity.record.first_owner
    hint = f" (give it its first owner in `{first.field}`)" if first is not None else ""
    await require_change(
        connection,
        viewer,
        entity.name,
        row,
        field=first.field if first is not None else None,
        doing=f"leave a {entity.name} that no organization it edits owns{hint}",
    )


async def create(
    connection: AsyncConnection,
    viewer: Viewer,
    entity: Entity,
    values: dict[str, Any],
    first_owner: dict[str, Any] | None = None,
) -> RowMapping:
    """A new row; `first_owner` (for a person, program or activity) the row that owns it."""
    _standard_language(values)
    _standard_lead_days(values)
    _check_values(values, None)
    _check_precision(entity.table, values)
    await check_codes(connection, values)
    await _check_references(connection, viewer, entity.record, values)
    if entity.check is not None:
        await entity.check(connection, None, values)
    link = entity.record.first_owner
    if first_owner is not None and link is not None:
        _check_values(first_owner, None)
        await _check_references(
            connection,
            viewer,
            RECORDS[link.type_name],
            first_owner,
            skip=link.via,
            prefix=f"{link.field}.",
        )
    row = await insert_row(connection, entity.table, values, actor=viewer.label)
    if first_owner is not None and link is not None:
        await insert_row(
            connection,
            TABLES[link.type_name],
            {**first_owner, link.via: row["id"]},
            actor=viewer.label,
        )
    await _still_changeable(connection, viewer, entity, row)
    return row


async def update(
    connection: AsyncConnection,
    viewer: Viewer,
    entity: Entity,
    key: int,
    version: int,
    values: dict[str, Any],
) -> RowMapping:
    current = await load_for_write(connection, viewer, entity.name, key)
    await require_change(connection, viewer, entity.name, current)
    _standard_language(values)
    _standard_lead_days(values)
    _check_values(values, current)
    _check_precision(entity.table, values)
    await check_codes(connection, values)
    await _check_references(connection, viewer, entity.record, values)
    await _check_unit_tree(connection, entity, key, values)
    if entity.check is not None:
        await entity.check(connection, current, values)
    row = await update_row(
        connection, entity.table, key, version, values, actor=viewer.label, what=entity.name
    )
    await _still_changeable(connection, viewer, entity, row)
    return row


async def delete(
    connection: AsyncConnection, viewer: Viewer, entity: Entity, key: int, version: int | None
) -> RowMapping:
    if not entity.deletable:
        raise Forbidden(f"a {entity.name} is not deleted; change its status instead")
    [ref] = MUTATIONS[f"delete{entity.name}"]
    await check_reference(connection, viewer, ref, key)
    return await delete_row(
        connection, entity.table, key, version, actor=viewer.label, what=entity.name
    )
