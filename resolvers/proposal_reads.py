"""Reading proposals: the caller's incoming and outgoing ones, by status, newest first."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from db.enums import ProposalStatus
from resolvers.context import Context
from resolvers.modified import Modified, modifiable
from resolvers.paging import Page, PageRequest
from resolvers.proposal_visibility import PROPOSAL, incoming, outgoing
from resolvers.viewer import Viewer

__all__ = ["ProposalDirection", "ProposalFilter", "proposal_conditions", "proposals_page"]


class ProposalDirection(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    ANY = "any"


@dataclass
class ProposalFilter(Modified):
    statuses: list[ProposalStatus] | None = None
    direction: ProposalDirection = ProposalDirection.ANY


def _status_is(status: ProposalStatus, today: date) -> ColumnElement[bool]:
    """LAPSED is a PENDING row past its expiry, so PENDING and LAPSED both look at the date."""
    p = PROPOSAL.c
    if status is ProposalStatus.LAPSED:
        return sa.and_(p.status == ProposalStatus.PENDING.value, p.expires_on < today)
    if status is ProposalStatus.PENDING:
        return sa.and_(p.status == ProposalStatus.PENDING.value, p.expires_on >= today)
    return p.status == status.value


@modifiable(PROPOSAL)
def proposal_conditions(viewer: Viewer, f: ProposalFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if f.statuses:
        today = date.today()
        conditions.append(sa.or_(*(_status_is(s, today) for s in dict.fromkeys(f.statuses))))
    if not viewer.is_admin:
        if f.direction is ProposalDirection.INCOMING:
            conditions.append(incoming(viewer, PROPOSAL))
        elif f.direction is ProposalDirection.OUTGOING:
            conditions.append(outgoing(viewer, PROPOSAL))
    return conditions


async def proposals_page(
    ctx: Context, *, filter: ProposalFilter | None, request: PageRequest
) -> Page:
    return await ctx.reader.page(
        PROPOSAL,
        where=proposal_conditions(ctx.viewer, filter),
        order_by=[PROPOSAL.c.id.desc()],
        request=request,
    )
