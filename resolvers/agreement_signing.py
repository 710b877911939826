"""Signing and renewal, the two transitions of `TRANSITIONS` with work of their own: a party
signs the current terms through a signatory holding a position at it (the last signature makes
the agreement SIGNED), and a renewal makes the successor, a DRAFT from the day after this one
ends, carrying over its parties, modes and open commitments.
"""

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from db.enums import (
    AgreementStatus,
    CollaborationMode,
    CommitmentStatus,
    PartyRole,
)
from db.terms import refresh_terms_hash
from resolvers.agreement_lifecycle import (
    BY_ACTION,
    InvalidTransition,
    check_version,
    load_agreement,
    load_for_change,
    parties_of,
    status_of,
)
from resolvers.agreement_terms import PartyTerms, check_dates, set_modes, set_parties
from resolvers.errors import BadUserInput
from resolvers.viewer import Viewer
from resolvers.write_declarations import MUTATIONS
from resolvers.write_scope import (
    check_reference,
)
from resolvers.writes import (
    insert_row,
    update_row,
)

__all__ = ["renew", "sign"]

S = AgreementStatus
AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
MODE = table_of(t.AgreementMode)
COMMITMENT = table_of(t.Commitment)
POSITION = table_of(t.Position)
ORGANIZATION = table_of(t.Organization)


async def _belongs_to(connection: AsyncConnection, person_id: int, organization_id: int) -> bool:
    """Whether the person holds a current position at the organization or a unit below it."""
    units = sa.select(ORGANIZATION.c.id).where(ORGANIZATION.c.id == organization_id)
    tree = units.cte("tree", recursive=True)
    tree = tree.union_all(
        sa.select(ORGANIZATION.c.id).join(tree, ORGANIZATION.c.parent_id == tree.c.id)
    )
    found = await connection.scalar(
        sa.select(POSITION.c.id)
        .where(
            POSITION.c.person_id == person_id,
            POSITION.c.organization_id.in_(sa.select(tree.c.id)),
            sa.or_(POSITION.c.ended_on.is_(None), POSITION.c.ended_on >= date.today()),
        )
        .limit(1)
    )
    return found is not None


async def sign(
    connection: AsyncConnection,
    viewer: Viewer,
    key: int,
    version: int,
    *,
    organization_id: int,
    signatory_id: int,
    signed_on: date,
) -> RowMapping:
    """One party signs the current terms; the last signature makes the agreement SIGNED."""
    row = await load_for_change(connection, viewer, key, doing="sign this agreement")
    _, party_ref, signatory_ref = MUTATIONS["signAgreement"]
    await check_reference(connection, viewer, party_ref, organization_id)
    await check_reference(connection, viewer, signatory_ref, signatory_id)
    status = status_of(row)
    if status not in BY_ACTION["sign"].sources:
        raise InvalidTransition(
            f"cannot sign an agreement that is {status.value} (submit it for approval first)",
            field="id",
        )
    check_version(row, version)
    parties = {p["organization_id"]: p for p in await parties_of(connection, key)}
    party = parties.get(organization_id)
    if party is None:
        raise BadUserInput("this organization is not a party to the agreement", field="party")
    if party["signed_on"] is not None:
        raise InvalidTransition("this party has already signed", field="party")
    if not await _belongs_to(connection, signatory_id, organization_id):
        raise BadUserInput(
            "the signatory holds no current position at the signing party", field="signatory"
        )
    if signed_on > date.today():
        raise BadUserInput("a signature cannot be dated in the future", field="signedOn")
    await update_row(
        connection,
        PARTY,
        party["id"],
        party["version"],
        {
            "signatory_id": signatory_id,
            "signed_on": signed_on,
            "signed_terms_hash": row["terms_hash"],
        },
        actor=viewer.label,
        action="signed",
        what="party",
    )
    unsigned = [p for p in parties.values() if p["signed_on"] is None and p["id"] != party["id"]]
    values: dict[str, Any] = {}
    if not unsigned:
        last = max([signed_on, *(p["signed_on"] for p in parties.values() if p["signed_on"])])
        values = {"status": S.SIGNED.value, "signed_on": last}
    return await update_row(
        connection,
        AGREEMENT,
        key,
        version,
        values,
        actor=viewer.label,
        action="signed" if values else "party signed",
        what="agreement",
    )


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(day.day, last))


def _same_length(first: date, last: date, start: date) -> date:
    """The last day of a period from `start` as long as `first`..`last`: in whole months when
    it was whole months (so two calendar years renew as two calendar years), else in days."""
    after = last + timedelta(days=1)
    months = (after.year - first.year) * 12 + after.month - first.month
    if months > 0 and _add_months(first, months) == after:
        return _add_months(start, months) - timedelta(days=1)
    return start + (last - first)


async def renew(
    connection: AsyncConnection,
    viewer: Viewer,
    key: int,
    version: int,
    *,
    effective_to: date | None = None,
) -> RowMapping:
    """The successor: a DRAFT starting the day after this one ends, carrying its parties,
    modes and open commitments; this one is superseded when the successor is activated."""
    row = await load_for_change(connection, viewer, key, doing="renew this agreement")
    status = status_of(row)
    if status not in BY_ACTION["renew"].sources:
        raise InvalidTransition(f"cannot renew an agreement that is {status.value}", field="id")
    check_version(row, version)
    existing = await connection.scalar(
        sa.select(AGREEMENT.c.id).where(AGREEMENT.c.predecessor_id == key).limit(1)
    )
    if existing is not None:
        raise InvalidTransition("this agreement has already been renewed", field="id")
    if row["effective_to"] is None:
        raise BadUserInput("an agreement without an end date has nothing to renew", field="id")
    try:
        start = row["effective_to"] + timedelta(days=1)
        if effective_to is None:
            if row["renewal_term_months"]:
                effective_to = _add_months(start, row["renewal_term_months"]) - timedelta(days=1)
            elif row["effective_from"] is not None:
                effective_to = _same_length(row["effective_from"], row["effective_to"], start)
    except (OverflowError, ValueError):
        message = "the renewed period would end after the last day of the calendar"
        raise BadUserInput(message, field="effectiveTo") from None
    check_dates(start, effective_to)
    successor = await insert_row(
        connection,
        AGREEMENT,
        {
            "title": row["title"],
            "local_title": row["local_title"],
            "reference": row["reference"],
            "kind": row["kind"],
            "status": S.DRAFT.value,
            "description": row["description"],
            "effective_from": start,
            "effective_to": effective_to,
            "renewal_rule": row["renewal_rule"],
            "renewal_term_months": row["renewal_term_months"],
            "notice_period_days": row["notice_period_days"],
            "parent_id": row["parent_id"],
            "predecessor_id": key,
        },
        actor=viewer.label,
        action="renewal of an earlier agreement",
    )
    new_id = successor["id"]
    await set_parties(
        connection,
        new_id,
        [
            PartyTerms(p["organization_id"], PartyRole(p["role"]))
            for p in await parties_of(connection, key)
        ],
        viewer.label,
    )
    modes = await connection.scalars(sa.select(MODE.c.mode).where(MODE.c.agreement_id == key))
    await set_modes(connection, new_id, [CollaborationMode(m) for m in modes])
    open_commitments = await connection.execute(
        sa.select(COMMITMENT).where(
            COMMITMENT.c.agreement_id == key, COMMITMENT.c.status == CommitmentStatus.OPEN.value
        )
    )
    for commitment in open_commitments.mappings().all():
        await insert_row(
            connection,
            COMMITMENT,
            {
                "agreement_id": new_id,
                "obligor_id": commitment["obligor_id"],
                "beneficiary_id": commitment["beneficiary_id"],
                "description": commitment["description"],
                "due_on": commitment["due_on"],
            },
            actor=viewer.label,
            action="carried over",
        )
    await refresh_terms_hash(connection, new_id)
    await update_row(connection, AGREEMENT, key, version, {}, actor=viewer.label, action="renewed")
    return await load_agreement(connection, new_id)
