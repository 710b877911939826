"""Who sees a proposal: its two sides and admins (wired into `resolvers.visibility`).

The sides are the organization to be bound, the proposing organization or alliance, and the
organization or alliance addressed; an organization's side is every caller whose scope holds it
(so a university sees its schools' proposals), an alliance's side its secretariat. Nobody else,
not even the other parties of an agreement a party is proposed for, sees a proposal before it is
accepted; its history entries are seen by whoever sees it.
"""

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from db import tables as t
from db.base import table_of
from resolvers.viewer import Role, Viewer

__all__ = ["incoming", "outgoing", "proposal_history_visible", "proposal_visible"]

PROPOSAL = table_of(t.Proposal)


def _scope_holds(viewer: Viewer, column: sa.ColumnElement[int | None]) -> ColumnElement[bool]:
    if not viewer.scope:
        return sa.false()
    return column.in_(sorted(viewer.scope))


def _alliance_is(viewer: Viewer, column: sa.ColumnElement[int | None]) -> ColumnElement[bool]:
    if viewer.role is not Role.SECRETARIAT or viewer.alliance_id is None:
        return sa.false()
    return column == viewer.alliance_id


def incoming(viewer: Viewer, table: sa.Table) -> ColumnElement[bool]:
    """The proposals the viewer's side is asked to answer."""
    return sa.or_(
        _scope_holds(viewer, table.c.addressed_organization_id),
        _alliance_is(viewer, table.c.addressed_alliance_id),
    )


def outgoing(viewer: Viewer, table: sa.Table) -> ColumnElement[bool]:
    """The proposals the viewer's side made."""
    return sa.or_(
        _scope_holds(viewer, table.c.proposer_organization_id),
        _alliance_is(viewer, table.c.proposer_alliance_id),
    )


def proposal_visible(viewer: Viewer, table: sa.Table) -> ColumnElement[bool]:
    return sa.or_(
        incoming(viewer, table),
        outgoing(viewer, table),
        _scope_holds(viewer, table.c.organization_id),
    )


def proposal_history_visible(viewer: Viewer, history: sa.Table) -> ColumnElement[bool]:
    """History entries of proposals the viewer sees."""
    seen = sa.select(PROPOSAL.c.id).where(proposal_visible(viewer, PROPOSAL))
    return sa.and_(history.c.subject_type == "proposal", history.c.subject_id.in_(seen))
