"""Approvals on record: which approver may approve what, and which approvals an agreement
still lacks before it is activated.

Who may approve an agreement: an organization that is a party, above one or below one (an
internal chain: a school's university, its legal office, its president's office), and the
organizations the approval policy names for the agreement's kind (`approval_policy`: a ministry
for Sino-foreign cooperative education). The policy rows marked `required` must each have
approved (APPROVED or CONDITIONAL) before `activateAgreement`; a refusal or no decision leaves
the approval missing. Organizations and programs may be approved by anyone named.
"""

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from db.enums import ApprovalDecision
from resolvers.context import Context
from resolvers.errors import BadUserInput, NotFound, excerpt
from resolvers.units import UNIT

__all__ = [
    "APPROVAL",
    "POLICY",
    "MissingApproval",
    "check",
    "clear_policy",
    "missing_approvals",
    "policy",
    "set_policy",
]

APPROVAL = table_of(t.Approval)
POLICY = table_of(t.ApprovalPolicy)
AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
ORGANIZATION = table_of(t.Organization)

SUBJECTS = ("agreement_id", "organization_id", "program_id")
GRANTED = (ApprovalDecision.APPROVED.value, ApprovalDecision.CONDITIONAL.value)


class MissingApproval(BadUserInput):
    code = "APPROVAL_REQUIRED"


async def _name(connection: AsyncConnection, organization_id: int) -> str:
    name = await connection.scalar(
        sa.select(ORGANIZATION.c.name).where(ORGANIZATION.c.id == organization_id)
    )
    return excerpt(str(name))


async def check(connection: AsyncConnection, values: Mapping[str, Any]) -> None:
    """An approval names its approver and exactly one subject, and an agreement's approver
    may approve it."""
    if values.get("approver_id") is None:
        raise BadUserInput("an approval names its approver", field="approver")
    if sum(values.get(s) is not None for s in SUBJECTS) != 1:
        raise BadUserInput(
            "an approval is of exactly one subject: give one of agreement, organization and "
            "program",
            field="agreement",
        )
    agreement_id = values.get("agreement_id")
    if agreement_id is None:
        return
    approver = int(values["approver_id"])
    kind = await connection.scalar(
        sa.select(AGREEMENT.c.kind).where(AGREEMENT.c.id == agreement_id)
    )
    above, below = UNIT.alias("above"), UNIT.alias("below")
    related = sa.exists().where(
        PARTY.c.agreement_id == agreement_id,
        sa.or_(
            sa.exists().where(
                above.c.ancestor_id == approver, above.c.unit_id == PARTY.c.organization_id
            ),
            sa.exists().where(
                below.c.ancestor_id == PARTY.c.organization_id, below.c.unit_id == approver
            ),
        ),
    )
    named = sa.exists().where(POLICY.c.agreement_kind == kind, POLICY.c.approver_id == approver)
    if await connection.scalar(sa.select(sa.or_(related, named))):
        return
    allowed = await connection.scalars(
        sa.select(ORGANIZATION.c.name)
        .join(POLICY, POLICY.c.approver_id == ORGANIZATION.c.id)
        .where(POLICY.c.agreement_kind == kind)
        .order_by(ORGANIZATION.c.name)
    )
    names = ", ".join(allowed.all()) or "none"
    raise BadUserInput(
        f"{await _name(connection, approver)} may not approve {str(kind).upper()} agreements: "
        f"only the "
        f"parties, the organizations above or below them, and those the approval policy "
        f"names for the kind ({names})",
        field="approver",
    )


async def missing_approvals(connection: AsyncConnection, agreement_id: int) -> list[str]:
    """The names of the organizations the policy requires for the agreement's kind that have
    not approved it (APPROVED or CONDITIONAL), by name."""
    granted = sa.exists().where(
        APPROVAL.c.agreement_id == agreement_id,
        APPROVAL.c.approver_id == POLICY.c.approver_id,
        APPROVAL.c.decision.in_(GRANTED),
    )
    kind = sa.select(AGREEMENT.c.kind).where(AGREEMENT.c.id == agreement_id).scalar_subquery()
    statement = (
        sa.select(ORGANIZATION.c.name)
        .join(POLICY, POLICY.c.approver_id == ORGANIZATION.c.id)
        .where(POLICY.c.agreement_kind == kind, POLICY.c.required, ~granted)
        .order_by(ORGANIZATION.c.name)
    )
    return list((await connection.scalars(statement)).all())


async def policy(ctx: Context) -> list[RowMapping]:
    """Every row of the approval policy, by kind and approver."""
    statement = ctx.reader.select(POLICY).order_by(POLICY.c.agreement_kind, POLICY.c.approver_id)
    async with ctx.engine.connect() as connection:
        return list((await connection.execute(statement)).mappings())


async def check_write(
    connection: AsyncConnection, current: Mapping[Any, Any] | None, values: Mapping[str, Any]
) -> None:
    """`check` on the row as it will be: the new values over the current row (none on create)."""
    await check(connection, {**(current or {}), **values})


async def _policy_rows(connection: AsyncConnection) -> list[RowMapping]:
    statement = sa.select(POLICY).order_by(POLICY.c.agreement_kind, POLICY.c.approver_id)
    return list((await connection.execute(statement)).mappings())


async def set_policy(
    connection: AsyncConnection, *, agreement_kind: str, approver_id: int, required: bool
) -> list[RowMapping]:
    """Allows `approver_id` to approve agreements of the kind (and, with `required`, makes
    activation wait for it), replacing what the policy said of that pair; the policy after."""
    exists = await connection.scalar(
        sa.select(ORGANIZATION.c.id).where(ORGANIZATION.c.id == approver_id)
    )
    if exists is None:
        raise NotFound("no Organization with that ID", field="approver")
    pair = sa.and_(POLICY.c.agreement_kind == agreement_kind, POLICY.c.approver_id == approver_id)
    current = await connection.scalar(sa.select(POLICY.c.id).where(pair))
    if current is None:
        await connection.execute(
            sa.insert(POLICY).values(
                agreement_kind=agreement_kind, approver_id=approver_id, required=required
            )
        )
    else:
        await connection.execute(sa.update(POLICY).where(pair).values(required=required))
    return await _policy_rows(connection)


async def clear_policy(
    connection: AsyncConnection, *, agreement_kind: str, approver_id: int
) -> list[RowMapping]:
    """Removes the approver from the kind's policy; the policy after."""
    pair = sa.and_(POLICY.c.agreement_kind == agreement_kind, POLICY.c.approver_id == approver_id)
    removed = await connection.execute(sa.delete(POLICY).where(pair))
    if removed.rowcount != 1:
        raise NotFound(
            f"the approval policy names no such approver for {agreement_kind.upper()} agreements",
            field="approver",
        )
    return await _policy_rows(connection)
