"""Reading agreements: filters over parties, dates and states; the lists around an agreement."""

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import strawberry
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from db.base import table_of
from db.enums import (
    AgreementKind,
    AgreementStatus,
    CollaborationMode,
    CommitmentStatus,
    OrganizationKind,
)
from db.tables import (
    Agreement,
    AgreementMode,
    AgreementParty,
    Membership,
    Organization,
    OrganizationAgreement,
    OrganizationAgreementTotal,
)
from resolvers.context import Context
from resolvers.ids import decode_id_of, reference_to
from resolvers.modified import Modified, modifiable
from resolvers.ordering import SortDirection, ordered
from resolvers.paging import Page, PageRequest
from resolvers.reading import narrowed
from resolvers.text_search import text_matches
from resolvers.units import in_organization, in_organizations
from resolvers.viewer import Viewer
from resolvers.visibility import agreement_visible_through_party, agreement_visible_under

__all__ = [
    "AGREEMENT",
    "PARTY",
    "AgreementFilter",
    "AgreementOrder",
    "AgreementOrderField",
    "CommitmentState",
    "agreement_conditions",
    "agreement_ordering",
    "agreements_of_organizations",
    "agreements_page",
    "commitment_state",
    "effective_status",
    "kept_total",
    "modes_of",
    "notice_deadline",
    "notice_deadline_sql",
    "organization_agreement_ordering",
    "organization_agreements",
    "status_as_read",
]

AGREEMENT = table_of(Agreement)
PARTY = table_of(AgreementParty)
MODE = table_of(AgreementMode)
ORGANIZATION = table_of(Organization)
MEMBERSHIP = table_of(Membership)

IN_FORCE = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
NOT_YET_BINDING = (
    AgreementStatus.DRAFT,
    AgreementStatus.UNDER_NEGOTIATION,
    AgreementStatus.AWAITING_APPROVAL,
)


@dataclass
class AgreementFilter(Modified):
    kind: list[AgreementKind] | None = None
    status: list[AgreementStatus] | None = None
    mode: list[CollaborationMode] | None = None
    party: strawberry.ID | None = reference_to("Organization")
    party_kind: list[OrganizationKind] | None = None
    party_country: list[str] | None = None
    party_alliance: strawberry.ID | None = reference_to("Alliance")
    active_on: date | None = None
    expiring_before: date | None = None
    signed_from: date | None = None
    signed_to: date | None = None
    text: str | None = None
    include_units: bool = True


class AgreementOrderField(StrEnum):
    TITLE = "title"
    SIGNED_ON = "signed_on"
    EFFECTIVE_FROM = "effective_from"
    EFFECTIVE_TO = "effective_to"
    CREATED_AT = "created_at"


@dataclass
class AgreementOrder:
    field: AgreementOrderField = AgreementOrderField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def _with_party(
    condition: Callable[[ColumnElement[int]], ColumnElement[bool]],
    listed: sa.Table | None = None,
    *,
    rolls_up: bool = False,
) -> ColumnElement[bool]:
    """Agreements with at least one party whose organization id meets `condition` (a correlated
    EXISTS: an index probe per agreement, see `resolvers.visibility`). With `listed`, the party
    table the agreements are reached through: its row's organization is tested first and the
    probe made only when it does not meet `condition` (a member's agreements with a party in
    its own alliance need none), all on the party row, so PostgreSQL filters the party rows
    before joining their agreements.

    `listed` may be `LISTED` instead, whose organization is at or above a party, not
    necessarily one: its organization is then tested first only for a condition that
    `rolls_up` (met by an organization, it is met by every unit below it: "is X or one of its
    units", "is a member or a unit of one"), and otherwise the probe alone decides."""
    party = PARTY.alias()
    agreement = AGREEMENT.c.id if listed is None else listed.c.agreement_id
    probe = sa.exists().where(party.c.agreement_id == agreement, condition(party.c.organization_id))
    if listed is None or (listed is LISTED and not rolls_up):
        return probe
    return sa.or_(condition(listed.c.organization_id), probe)


def _organizations_where(condition: ColumnElement[bool]) -> sa.Select[tuple[int]]:
    return sa.select(ORGANIZATION.c.id).where(condition).correlate(None)


class CommitmentState(StrEnum):
    """A commitment's status as read: stored states plus `overdue`, derived from the due date."""

    OPEN = "open"
    OVERDUE = "overdue"
    DELIVERED = "delivered"
    WAIVED = "waived"


def commitment_state(status: str, due_on: date | None, today: date) -> CommitmentState:
    if status == CommitmentStatus.OPEN and due_on is not None and due_on < today:
        return CommitmentState.OVERDUE
    return CommitmentState(status)


def effective_status(today: date) -> ColumnElement[str]:
    """The status an agreement reads as on `today`: one in force past its end date is expired,
    even before any job has written that down."""
    a = AGREEMENT.c
    return sa.case(
        (
            sa.and_(a.status.in_([s.value for s in IN_FORCE]), a.effective_to < today),
            AgreementStatus.EXPIRED.value,
        ),
        else_=a.status,
    )


def notice_deadline(effective_to: date | None, notice_period_days: int | None) -> date | None:
    """The last day a party can give notice: `notice_period_days` before the end date; null
    when either is unknown."""
    if effective_to is None or notice_period_days is None:
        return None
    return effective_to - timedelta(days=notice_period_days)


def notice_deadline_sql(table: sa.Table, dialect: str = "postgresql") -> ColumnElement[Any]:
    """`notice_deadline` in SQL over `table`'s row (null when either column is)."""
    end, days = table.c.effective_to, table.c.notice_period_days
    if dialect == "postgresql":
        return sa.type_coerce(end - days, sa.Date)
    return sa.type_coerce(
        sa.func.date(end, sa.literal("-") + sa.cast(days, sa.Text) + sa.literal(" days")), sa.Date
    )


def status_as_read(status: str, effective_to: date | None, today: date) -> AgreementStatus:
    """`effective_status` for one row already in hand."""
    if status in IN_FORCE and effective_to is not None and effective_to < today:
        return AgreementStatus.EXPIRED
    return AgreementStatus(status)


OrganizationCondition = Callable[[ColumnElement[Any]], ColumnElement[bool]]


def _party_conditions(f: AgreementFilter, field: str) -> dict[str, OrganizationCondition]:
    """The filter's conditions on a party's organization (`party`, `partyAlliance`), by field
    name: each met by an organization is met by its units when `includeUnits`."""
    units = f.include_units
    found: dict[str, OrganizationCondition] = {}
    if f.party is not None:
        party_id = decode_id_of(f.party, "Organization", field=f"{field}.party")
        found["party"] = lambda organization: in_organization(organization, party_id, units)
    if f.party_alliance is not None:
        alliance_id = decode_id_of(f.party_alliance, "Alliance", field=f"{field}.partyAlliance")
        members = (
            sa.select(MEMBERSHIP.c.organization_id)
            .where(MEMBERSHIP.c.alliance_id == alliance_id, MEMBERSHIP.c.left_on.is_(None))
            .correlate(None)
        )
        found["party_alliance"] = lambda organization: in_organizations(
            organization, members, units
        )
    return found


@modifiable(AGREEMENT)
def agreement_conditions(
    f: AgreementFilter | None,
    *,
    field: str = "filter",
    listed: sa.Table | None = None,
) -> list[ColumnElement[bool]]:
    """The filter as conditions on `AGREEMENT`; `listed` is the party table the agreements are
    reached through, if any (see `_with_party`)."""
    if f is None:
        return []
    a = AGREEMENT.c
    conditions: list[ColumnElement[bool]] = []
    if f.kind:
        conditions.append(a.kind.in_([k.value for k in f.kind]))
    if f.status:
        statuses = [s.value for s in f.status]
        conditions.append(effective_status(date.today()).in_(statuses))
    if f.mode:
        conditions.append(
            a.id.in_(
                sa.select(MODE.c.agreement_id).where(MODE.c.mode.in_([m.value for m in f.mode]))
            )
        )
    rolled_up = _party_conditions(f, field)
    if f.party is not None:
        conditions.append(_with_party(rolled_up["party"], listed, rolls_up=f.include_units))
    if f.party_kind:
        kinds = _organizations_where(ORGANIZATION.c.kind.in_([k.value for k in f.party_kind]))
        conditions.append(_with_party(lambda organization: organization.in_(kinds), listed))
    if f.party_country:
        countries = [c.upper() for c in f.party_country]
        in_countries = _organizations_where(ORGANIZATION.c.country.in_(countries))
        conditions.append(_with_party(lambda organization: organization.in_(in_countries), listed))
    if f.party_alliance is not None:
        conditions.append(
            _with_party(rolled_up["party_alliance"], listed, rolls_up=f.include_units)
        )
    if f.active_on is not None:
        conditions.append(
            sa.and_(
                a.status.not_in([s.value for s in NOT_YET_BINDING]),
                sa.or_(a.effective_from.is_(None), a.effective_from <= f.active_on),
                sa.or_(a.effective_to.is_(None), a.effective_to >= f.active_on),
            )
        )
    if f.expiring_before is not None:
        conditions.append(sa.and_(a.effective_to.is_not(None), a.effective_to < f.expiring_before))
    if f.signed_from is not None:
        conditions.append(a.signed_on >= f.signed_from)
    if f.signed_to is not None:
        conditions.append(a.signed_on <= f.signed_to)
    if f.text:
        conditions.append(text_matches(AGREEMENT, ("title", "local_title", "short_title"), f.text))
    return conditions


def agreement_ordering(order: AgreementOrder | None) -> list[Any]:
    order = order or AgreementOrder()
    return ordered([AGREEMENT.c[order.field.value]], order.direction)


async def agreements_page(
    ctx: Context,
    *,
    filter: AgreementFilter | None,
    order: AgreementOrder | None,
    request: PageRequest,
) -> Page:
    return await ctx.reader.page(
        AGREEMENT,
        where=agreement_conditions(filter),
        order_by=agreement_ordering(order),
        request=request,
    )


def agreements_through_parties(viewer: Viewer) -> sa.Select[Any]:
    """The agreements `viewer` may see, once per party (the rows of organizations' lists).

    From the party rows, with their agreement left-joined: every party has its agreement (a
    foreign key), so it is the inner join by another name, but PostgreSQL drops a left join
    to a unique key that nothing reads, and a page's total then counts party rows alone."""
    return (
        sa.select(AGREEMENT)
        .select_from(PARTY.outerjoin(AGREEMENT, AGREEMENT.c.id == PARTY.c.agreement_id))
        .where(agreement_visible_through_party(viewer, PARTY))
    )


LISTED = table_of(OrganizationAgreement)
"""Each organization with the agreements listed under it when units roll up: those with a
party at or below it, kept by the database (db/tables/listings.py)."""


def agreements_through_units(viewer: Viewer, filter: AgreementFilter | None) -> sa.Select[Any]:
    """The agreements `viewer` may see, once per organization at or above one of their parties
    (`LISTED.c.organization_id`): an agreement is listed under a university when the university
    or any of its units is a party, once however many of them are. Read from `LISTED`, one
    index range per organization, with visibility and the filter decided on its row as
    `agreements_through_parties` decides them on a party row (an organization the viewer
    answers for answers for every unit below it, so an editor's own list needs no probe).

    The agreement is left-joined, as there: a page's total then counts `LISTED`'s index alone."""
    statement = (
        sa.select(AGREEMENT)
        .select_from(LISTED.outerjoin(AGREEMENT, AGREEMENT.c.id == LISTED.c.agreement_id))
        .where(agreement_visible_through_party(viewer, LISTED))
    )
    return narrowed(statement, agreement_conditions(filter, listed=LISTED))


def organization_agreements(
    viewer: Viewer, filter: AgreementFilter | None
) -> tuple[sa.Select[Any], ColumnElement[Any]]:
    """The rows of organizations' agreement lists and the column naming the organization each
    is listed under: with its units' agreements unless `filter.includeUnits` is false. Both
    roads (the loader below, `resolvers.compiled.lists`) read these, in the order of
    `organization_agreement_ordering`."""
    if filter is not None and not filter.include_units:
        statement = agreements_through_parties(viewer)
        return narrowed(
            statement, agreement_conditions(filter, listed=PARTY)
        ), PARTY.c.organization_id
    return agreements_through_units(viewer, filter), LISTED.c.organization_id


TOTAL = table_of(OrganizationAgreementTotal)

_DECIDED_ON_THE_ORGANIZATION = frozenset({"party", "party_alliance", "include_units"})
"""The filter's fields whose conditions an organization meets for every agreement of its list
(with units rolled up): any other field given, a list's total is counted."""

KeptTotal = Callable[[ColumnElement[Any], ColumnElement[Any]], ColumnElement[Any]]
"""The total of a parent's list from its key and the counting subquery (used where the kept
total does not apply)."""


def kept_total(viewer: Viewer, filter: AgreementFilter | None) -> KeptTotal | None:
    """The total of an organization's `agreements` list (units rolled up) read from
    `organization_agreement_total` where the organization alone decides that every agreement of
    the list passes the filter and is visible to `viewer`, else counted: an alliance's member
    asked for its agreements with a party in the alliance (by the alliance's secretariat), an
    editor's own organization, any list of an admin. The conditions `organization_agreements`
    tests on each row (`_with_party`, `agreement_visible_through_party`) are tested once on the
    parent, in a CASE that counts the rows only when they do not hold. `None` where no such
    decision exists (a filter on the agreements' own columns, units not rolled up, a caller
    who sees no records), and the list is counted as before."""
    if filter is not None:
        if not filter.include_units:
            return None
        for field in fields(filter):
            if field.name not in _DECIDED_ON_THE_ORGANIZATION and getattr(filter, field.name):
                return None
    seen = agreement_visible_under(viewer)
    if seen is None:
        return None
    rolled_up = [] if filter is None else list(_party_conditions(filter, "filter").values())

    def total(key: ColumnElement[Any], counted: ColumnElement[Any]) -> ColumnElement[Any]:
        kept = sa.select(TOTAL.c.agreements).where(TOTAL.c.organization_id == key)
        conditions: list[ColumnElement[bool]] = []
        for condition in (seen(key), *(made(key) for made in rolled_up)):
            if not any(condition.compare(other) for other in conditions):
                conditions.append(condition)  # a secretariat's own alliance: tested once
        decided = sa.and_(*conditions)
        return sa.case(
            (decided, sa.func.coalesce(kept.scalar_subquery(), 0)),
            else_=counted,
        )

    return total


def organization_agreement_ordering(
    filter: AgreementFilter | None, order: AgreementOrder | None
) -> list[Any]:
    """`agreement_ordering`, by `LISTED`'s copy of the sort key where it has one, then by its
    copy of the agreement's id (the tie-break every list ends with): the page is then the first
    entries of an index (`POSTGRESQL_ONLY_INDEXES`), where the agreement's own columns sorted
    every agreement of the organization. Keyset cursors read and compare the agreement's own
    columns, which the copies always equal (`db.tables.listings.MIRRORS`)."""
    order = order or AgreementOrder()
    if filter is not None and not filter.include_units:
        return agreement_ordering(order)
    column = LISTED.c.get(order.field.value)
    if column is None:
        return agreement_ordering(order)
    return [*ordered([column], order.direction), LISTED.c.agreement_id]


def agreements_of_organizations(
    ctx: Context,
    *,
    filter: AgreementFilter | None,
    order: AgreementOrder | None,
    request: PageRequest,
) -> DataLoader[int, Page]:
    """Pages of the agreements each organization (or, by default, one of its units) is a
    party to."""
    units = filter is None or filter.include_units
    return ctx.loaders.children(
        AGREEMENT,
        key=LISTED.c.organization_id if units else PARTY.c.organization_id,
        statement=lambda: organization_agreements(ctx.viewer, filter)[0],
        order_by=organization_agreement_ordering(filter, order),
        request=request,
        args=(repr(filter), repr(order)),
        total=kept_total(ctx.viewer, filter),
    )


def modes_of(ctx: Context) -> DataLoader[int, list[str]]:
    """The collaboration modes of each agreement (a short list, not paged)."""

    async def batch(keys: Any) -> list[list[str]]:
        statement = (
            ctx.reader.select(AGREEMENT, MODE.c.mode)
            .join(MODE, MODE.c.agreement_id == AGREEMENT.c.id)
            .where(AGREEMENT.c.id.in_(list(keys)))
            .order_by(MODE.c.mode)
        )
        found: dict[int, list[str]] = {k: [] for k in keys}
        async with ctx.engine.connect() as connection:
            for row in (await connection.execute(statement)).mappings():
                found[row["id"]].append(row["mode"])
        return [found[k] for k in keys]

    loader: DataLoader[int, list[str]] = ctx.loaders.lists("agreement_modes", batch)
    return loader
