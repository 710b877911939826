"""An agreement's terms beyond its own row: its parties (the shape of a list, who may name
them, replacing them, and adding one once both sides consented) and its collaboration modes,
and the shape of its period. Every change of the terms recomputes the SHA-256 `terms_hash`
(`db.terms`); each party's signature stores the hash it signed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of, utcnow
from db.enums import (
    CollaborationMode,
    PartyRole,
)
from db.terms import refresh_terms_hash, terms_of
from resolvers.agreement_lifecycle import load_agreement, reopen_if_signed, require_open_terms
from resolvers.errors import BadUserInput
from resolvers.viewer import Viewer
from resolvers.write_declarations import MUTATIONS
from resolvers.write_scope import (
    check_organizations,
)
from resolvers.writes import (
    insert_row,
    record,
)

__all__ = [
    "MAX_PARTIES",
    "PartyTerms",
    "add_party",
    "check_dates",
    "check_new_parties",
    "check_parties",
    "set_modes",
    "set_parties",
]


AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
MODE = table_of(t.AgreementMode)


@dataclass(frozen=True, slots=True)
class PartyTerms:
    organization_id: int
    role: PartyRole = PartyRole.PARTNER


MAX_PARTIES = 250
"""Bulk inputs are capped (the largest CORDIS consortium has 199 participants)."""


def check_dates(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise BadUserInput("the agreement cannot end before it starts", field="effectiveTo")


def check_parties(parties: Sequence[PartyTerms]) -> None:
    """The shape of a list of parties; who may name them is `check_new_parties`."""
    ids = [p.organization_id for p in parties]
    if len(ids) > MAX_PARTIES:
        raise BadUserInput(f"at most {MAX_PARTIES} parties at once", field="parties")
    if not ids:
        raise BadUserInput("an agreement needs a party", field="parties")
    if len(set(ids)) != len(ids):
        raise BadUserInput("the same organization is named twice as a party", field="parties")


async def check_new_parties(
    connection: AsyncConnection,
    viewer: Viewer,
    mutation: str,
    parties: Sequence[PartyTerms],
    existing: set[int],
) -> None:
    """Every organization named as a new party exists and is one the caller edits (else it
    must be proposed: `CONSENT_REQUIRED`)."""
    ref = next(r for r in MUTATIONS[mutation] if r.field == "parties.organization")
    await check_organizations(
        connection,
        viewer,
        ref,
        [p.organization_id for p in parties],
        field="parties.{index}.organization",
        skip=frozenset(existing),
    )


async def _insert_party(
    connection: AsyncConnection, agreement_id: int, party: PartyTerms, *, actor: str, action: str
) -> RowMapping:
    values = {
        "agreement_id": agreement_id,
        "organization_id": party.organization_id,
        "role": party.role.value,
    }
    return await insert_row(connection, PARTY, values, actor=actor, action=action)


async def set_parties(
    connection: AsyncConnection, agreement_id: int, parties: Sequence[PartyTerms], actor: str
) -> None:
    await connection.execute(sa.delete(PARTY).where(PARTY.c.agreement_id == agreement_id))
    for party in parties:
        await _insert_party(connection, agreement_id, party, actor=actor, action="party added")


async def set_modes(
    connection: AsyncConnection, agreement_id: int, modes: Sequence[CollaborationMode]
) -> None:
    await connection.execute(sa.delete(MODE).where(MODE.c.agreement_id == agreement_id))
    if modes:
        await connection.execute(
            sa.insert(MODE),
            [{"agreement_id": agreement_id, "mode": m.value} for m in sorted(set(modes))],
        )


async def add_party(
    connection: AsyncConnection,
    agreement_id: int,
    party: PartyTerms,
    *,
    actor: str,
    action: str = "party added",
) -> RowMapping:
    """One more party (returned), as any change of the terms is made: the terms hash
    recomputed, the agreement's version raised, "terms changed" in its history, and a signed
    agreement or one awaiting approval sent back to negotiation with its signatures cleared.

    No permission check: the caller has established that both sides consented (an accepted
    proposal, `resolvers.proposals`)."""
    row = await load_agreement(connection, agreement_id)
    require_open_terms(row)
    old_terms = await terms_of(connection, agreement_id)
    added = await _insert_party(connection, agreement_id, party, actor=actor, action=action)
    new_terms = await terms_of(connection, agreement_id)
    await refresh_terms_hash(connection, agreement_id, new_terms)
    result = await connection.execute(
        sa.update(AGREEMENT)
        .where(AGREEMENT.c.id == agreement_id)
        .values(version=AGREEMENT.c.version + 1, updated_at=utcnow())
        .returning(AGREEMENT)
    )
    after: RowMapping = result.mappings().one()
    await record(
        connection,
        table=AGREEMENT,
        row=after,
        action="terms changed",
        actor=actor,
        changes={"parties": {"old": old_terms["parties"], "new": new_terms["parties"]}},
    )
    await reopen_if_signed(connection, after, actor)
    return added
