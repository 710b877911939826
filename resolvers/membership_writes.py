"""Alliance membership over time: join, change role, leave; one row per role held over a period.

Who may do what is declared in `resolvers.write_scope`: the secretariat (or an admin) adds
members it edits (any other organization joins by accepting `proposeMembership`) and changes
roles; the secretariat or the member's own editor records its leaving. A role change ends the
current row on the day and opens a new one from that day (a membership `on` a date is one
with `joined_on <= date < left_on`), so "who was vice-chair on 1 March" stays answerable.
An alliance has at most one current chair (checked here with a clear error, and by a partial
unique index against races).
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from db.enums import MembershipRole
from resolvers.errors import ApiError, BadUserInput
from resolvers.viewer import Viewer
from resolvers.write_declarations import MUTATIONS
from resolvers.write_scope import check_reference
from resolvers.writes import insert_row, update_row

__all__ = ["add_member", "change_role", "join", "leave", "require_joinable"]

MEMBERSHIP = table_of(t.Membership)


class MembershipConflict(ApiError):
    code = "MEMBERSHIP_CONFLICT"


async def _check_chair(
    connection: AsyncConnection, alliance_id: int, role: MembershipRole, *, other_than: int = 0
) -> None:
    if role is not MembershipRole.CHAIR:
        return
    chair = await connection.scalar(
        sa.select(MEMBERSHIP.c.id).where(
            MEMBERSHIP.c.alliance_id == alliance_id,
            MEMBERSHIP.c.role == MembershipRole.CHAIR.value,
            MEMBERSHIP.c.left_on.is_(None),
            MEMBERSHIP.c.id != other_than,
        )
    )
    if chair is not None:
        raise MembershipConflict(
            "the alliance already has a chair: record the current chair's change first",
            field="role",
        )


async def add_member(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    alliance_id: int,
    organization_id: int,
    role: MembershipRole,
    joined_on: date | None,
) -> RowMapping:
    """A member its secretariat (or an admin) adds: only an organization the caller edits,
    others join by accepting a proposal (`CONSENT_REQUIRED`)."""
    alliance, organization = MUTATIONS["addMember"]
    await check_reference(connection, viewer, alliance, alliance_id)
    await check_reference(connection, viewer, organization, organization_id)
    return await join(
        connection,
        alliance_id=alliance_id,
        organization_id=organization_id,
        role=role,
        joined_on=joined_on,
        actor=viewer.label,
    )


async def _current(
    connection: AsyncConnection, viewer: Viewer, mutation: str, key: int
) -> RowMapping:
    """The membership, once the caller holds what `mutation` declares on it."""
    [ref] = MUTATIONS[mutation]
    row = await check_reference(connection, viewer, ref, key)
    if row["left_on"] is not None:
        raise MembershipConflict("this membership has ended", field="id")
    return row


async def change_role(
    connection: AsyncConnection,
    viewer: Viewer,
    key: int,
    version: int,
    *,
    role: MembershipRole,
    on: date,
) -> RowMapping:
    """Ends the current role on `on` and starts `role` from `on`; returns the new membership."""
    row = await _current(connection, viewer, "changeMemberRole", key)
    if MembershipRole(row["role"]) is role:
        raise BadUserInput(f"the member already holds the role {role.value}", field="role")
    if row["joined_on"] is not None and on < row["joined_on"]:
        raise BadUserInput("the change cannot come before the member joined", field="on")
    await _check_chair(connection, row["alliance_id"], role, other_than=key)
    await update_row(
        connection,
        MEMBERSHIP,
        key,
        version,
        {"left_on": on},
        actor=viewer.label,
        action=f"role ended ({row['role']} to {role.value})",
        what="membership",
    )
    return await insert_row(
        connection,
        MEMBERSHIP,
        {
            "alliance_id": row["alliance_id"],
            "organization_id": row["organization_id"],
            "role": role.value,
            "joined_on": on,
        },
        actor=viewer.label,
        action=f"role started ({row['role']} to {role.value})",
    )


async def leave(
    connection: AsyncConnection, viewer: Viewer, key: int, version: int, *, left_on: date
) -> RowMapping:
    row = await _current(connection, viewer, "recordMemberLeaving", key)
    if row["joined_on"] is not None and left_on < row["joined_on"]:
        raise BadUserInput("a member cannot leave before it joined", field="leftOn")
    return await update_row(
        connection,
        MEMBERSHIP,
        key,
        version,
        {"left_on": left_on},
        actor=viewer.label,
        action="left",
        what="membership",
    )


async def require_joinable(
    connection: AsyncConnection, *, alliance_id: int, organization_id: int, role: MembershipRole
) -> None:
    """Refuses an organization that is a current member already, or a second chair."""
    current = await connection.scalar(
        sa.select(MEMBERSHIP.c.id).where(
            MEMBERSHIP.c.alliance_id == alliance_id,
            MEMBERSHIP.c.organization_id == organization_id,
            MEMBERSHIP.c.left_on.is_(None),
        )
    )
    if current is not None:
        raise MembershipConflict(
            "this organization is already a member; change its role instead", field="organization"
        )
    await _check_chair(connection, alliance_id, role)


async def join(
    connection: AsyncConnection,
    *,
    alliance_id: int,
    organization_id: int,
    role: MembershipRole,
    joined_on: date | None,
    actor: str,
    action: str = "joined",
) -> RowMapping:
    """The membership (returned) of an organization both sides agreed on: no permission check
    here (an accepted proposal, `resolvers.proposals`), the membership rules all the same."""
    await require_joinable(
        connection, alliance_id=alliance_id, organization_id=organization_id, role=role
    )
    return await insert_row(
        connection,
        MEMBERSHIP,
        {
            "alliance_id": alliance_id,
            "organization_id": organization_id,
            "role": role.value,
            "joined_on": joined_on,
        },
        actor=actor,
        action=action,
    )
