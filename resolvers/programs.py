"""Reading programs: by kind, category, status, delivery, partner or agreement; target groups."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import strawberry
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from db.base import table_of
from db.enums import DeliveryMode, ProgramCategory, ProgramKind, ProgramStatus, TargetLearnerGroup
from db.tables import Program, ProgramPartner, ProgramTargetGroup
from resolvers.codes import eqf_conditions, field_conditions
from resolvers.context import Context
from resolvers.ids import decode_id_of, reference_to
from resolvers.modified import Modified, modifiable
from resolvers.ordering import SortDirection, order_by_field
from resolvers.paging import Page, PageRequest
from resolvers.text_search import text_matches
from resolvers.units import in_organization

__all__ = [
    "ProgramFilter",
    "ProgramOrder",
    "ProgramOrderField",
    "program_conditions",
    "programs_page",
    "target_groups_of",
]

PROGRAM = table_of(Program)
PARTNER = table_of(ProgramPartner)
TARGET = table_of(ProgramTargetGroup)


@dataclass
class ProgramFilter(Modified):
    kind: list[ProgramKind] | None = None
    category: list[ProgramCategory] | None = None
    status: list[ProgramStatus] | None = None
    delivery: list[DeliveryMode] | None = None
    target_group: list[TargetLearnerGroup] | None = None
    partner: strawberry.ID | None = reference_to("Organization")
    agreement: strawberry.ID | None = reference_to("Agreement")
    text: str | None = None
    field_of_study: list[str] | None = None
    eqf_level: list[int] | None = None
    include_units: bool = True


class ProgramOrderField(StrEnum):
    NAME = "name"
    STARTS_ON = "starts_on"
    CREATED_AT = "created_at"


@dataclass
class ProgramOrder:
    field: ProgramOrderField = ProgramOrderField.NAME
    direction: SortDirection = SortDirection.ASC


@modifiable(PROGRAM)
def program_conditions(
    f: ProgramFilter | None, *, field: str = "filter"
) -> list[ColumnElement[bool]]:
    """The SQL conditions of a program filter (they compose with AND)."""
    if f is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    for column, values in (
        (PROGRAM.c.kind, f.kind),
        (PROGRAM.c.category, f.category),
        (PROGRAM.c.status, f.status),
        (PROGRAM.c.delivery, f.delivery),
    ):
        if values:
            conditions.append(column.in_([v.value for v in values]))
    if f.target_group:
        conditions.append(
            PROGRAM.c.id.in_(
                sa.select(TARGET.c.program_id).where(
                    TARGET.c.target_group.in_([g.value for g in f.target_group])
                )
            )
        )
    if f.partner is not None:
        org_id = decode_id_of(f.partner, "Organization", field=f"{field}.partner")
        conditions.append(
            PROGRAM.c.id.in_(
                sa.select(PARTNER.c.program_id).where(
                    in_organization(PARTNER.c.organization_id, org_id, f.include_units)
                )
            )
        )
    if f.agreement is not None:
        agreement_id = decode_id_of(f.agreement, "Agreement", field=f"{field}.agreement")
        conditions.append(PROGRAM.c.agreement_id == agreement_id)
    if f.field_of_study:
        conditions += field_conditions(
            PROGRAM.c.isced_f_code, f.field_of_study, field=f"{field}.fieldOfStudy"
        )
    if f.eqf_level:
        conditions += eqf_conditions(PROGRAM.c.eqf_level, f.eqf_level, field=f"{field}.eqfLevel")
    if f.text:
        conditions.append(text_matches(PROGRAM, ("name", "local_name", "subject_area"), f.text))
    return conditions


async def programs_page(
    ctx: Context,
    *,
    filter: ProgramFilter | None,
    order: ProgramOrder | None,
    request: PageRequest,
) -> Page:
    return await ctx.reader.page(
        PROGRAM,
        where=program_conditions(filter),
        order_by=order_by_field(PROGRAM, order or ProgramOrder()),
        request=request,
    )


def target_groups_of(ctx: Context) -> DataLoader[int, list[str]]:
    """The learner groups each program is for (a short list, not paged)."""

    async def batch(keys: Any) -> list[list[str]]:
        statement = (
            ctx.reader.select(PROGRAM, TARGET.c.target_group)
            .join(TARGET, TARGET.c.program_id == PROGRAM.c.id)
            .where(PROGRAM.c.id.in_(list(keys)))
            .order_by(TARGET.c.target_group)
        )
        found: dict[int, list[str]] = {k: [] for k in keys}
        async with ctx.engine.connect() as connection:
            for row in (await connection.execute(statement)).mappings():
                found[row["id"]].append(row["target_group"])
        return [found[k] for k in keys]

    loader: DataLoader[int, list[str]] = ctx.loaders.lists("program_target_groups", batch)
    return loader
