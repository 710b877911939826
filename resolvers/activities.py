"""Reading activities: by kind, date range, alliance, participant or agreement; newest first."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
import strawberry
from sqlalchemy.sql.elements import ColumnElement

from db.base import table_of
from db.enums import ActivityKind
from db.tables import Activity, ActivityAgreement, ActivityParticipant
from resolvers.context import Context
from resolvers.ids import decode_id_of, reference_to
from resolvers.modified import Modified, modifiable
from resolvers.ordering import SortDirection, order_by_field
from resolvers.paging import Page, PageRequest
from resolvers.text_search import like_text
from resolvers.units import in_organization

__all__ = [
    "ActivityFilter",
    "ActivityOrder",
    "ActivityOrderField",
    "activities_page",
    "activity_conditions",
]

ACTIVITY = table_of(Activity)
PARTICIPANT = table_of(ActivityParticipant)
ABOUT = table_of(ActivityAgreement)


@dataclass
class ActivityFilter(Modified):
    kind: list[ActivityKind] | None = None
    held_from: date | None = None
    held_to: date | None = None
    alliance: strawberry.ID | None = reference_to("Alliance")
    participant: strawberry.ID | None = reference_to("Organization")
    agreement: strawberry.ID | None = reference_to("Agreement")
    text: str | None = None
    include_units: bool = True


class ActivityOrderField(StrEnum):
    HELD_ON = "held_on"
    TITLE = "title"
    CREATED_AT = "created_at"


@dataclass
class ActivityOrder:
    field: ActivityOrderField = ActivityOrderField.HELD_ON
    direction: SortDirection = SortDirection.DESC


@modifiable(ACTIVITY)
def activity_conditions(
    f: ActivityFilter | None, *, field: str = "filter"
) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if f.kind:
        conditions.append(ACTIVITY.c.kind.in_([k.value for k in f.kind]))
    if f.held_from is not None:
        conditions.append(ACTIVITY.c.held_on >= f.held_from)
    if f.held_to is not None:
        conditions.append(ACTIVITY.c.held_on <= f.held_to)
    if f.alliance is not None:
        alliance_id = decode_id_of(f.alliance, "Alliance", field=f"{field}.alliance")
        conditions.append(ACTIVITY.c.alliance_id == alliance_id)
    if f.participant is not None:
        org_id = decode_id_of(f.participant, "Organization", field=f"{field}.participant")
        conditions.append(
            ACTIVITY.c.id.in_(
                sa.select(PARTICIPANT.c.activity_id).where(
                    in_organization(PARTICIPANT.c.organization_id, org_id, f.include_units)
                )
            )
        )
    if f.agreement is not None:
        agreement_id = decode_id_of(f.agreement, "Agreement", field=f"{field}.agreement")
        conditions.append(
            ACTIVITY.c.id.in_(
                sa.select(ABOUT.c.activity_id).where(ABOUT.c.agreement_id == agreement_id)
            )
        )
    if f.text:
        pattern = like_text(f.text)
        conditions.append(
            sa.or_(
                ACTIVITY.c.title.ilike(pattern, escape="\\"),
                ACTIVITY.c.summary.ilike(pattern, escape="\\"),
                ACTIVITY.c.outcomes.ilike(pattern, escape="\\"),
            )
        )
    return conditions


async def activities_page(
    ctx: Context,
    *,
    filter: ActivityFilter | None,
    order: ActivityOrder | None,
    request: PageRequest,
) -> Page:
    return await ctx.reader.page(
        ACTIVITY,
        where=activity_conditions(filter),
        order_by=order_by_field(ACTIVITY, order or ActivityOrder()),
        request=request,
    )
