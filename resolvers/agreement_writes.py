"""Creating, changing and deleting an agreement: a new DRAFT between organizations the caller
edits, a change of its fields, parties or modes (a change of terms recomputes the terms hash and
sends an agreement awaiting approval or signed back to negotiation, clearing every signature),
and the deletion of a never-signed draft. Its lifecycle is `resolvers.agreement_lifecycle`,
signing and renewal `resolvers.agreement_signing`, its parties and modes
`resolvers.agreement_terms`, its commitments `resolvers.agreement_commitments`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from db.enums import (
    AgreementKind,
    AgreementStatus,
    CollaborationMode,
    RenewalRule,
)
from db.terms import refresh_terms_hash, terms_of
from resolvers.agreement_lifecycle import (
    InvalidTransition,
    load_agreement,
    load_for_change,
    parties_of,
    reopen_if_signed,
    status_of,
)
from resolvers.agreement_terms import (
    PartyTerms,
    check_dates,
    check_new_parties,
    check_parties,
    set_modes,
    set_parties,
)
from resolvers.errors import BadUserInput
from resolvers.viewer import Viewer
from resolvers.write_declarations import MUTATIONS
from resolvers.write_scope import (
    check_reference,
    require_change,
)
from resolvers.writes import (
    delete_row,
    insert_row,
    record,
    update_row,
)

__all__ = [
    "TERM_FIELDS",
    "AgreementDraft",
    "create_agreement",
    "delete_agreement",
    "refresh_terms_hash",
    "terms_of",
    "update_agreement",
]

S = AgreementStatus
AGREEMENT = table_of(t.Agreement)


@dataclass(slots=True)
class AgreementDraft:
    title: str
    kind: AgreementKind
    parties: Sequence[PartyTerms]
    modes: Sequence[CollaborationMode] = ()
    local_title: str | None = None
    reference: str | None = None
    description: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    renewal_rule: RenewalRule = RenewalRule.NONE
    renewal_term_months: int | None = None
    notice_period_days: int | None = None
    parent_id: int | None = None


TERM_FIELDS = frozenset({"kind", "effective_from", "effective_to"})
"""Columns of `agreement` that are part of the signed terms (with parties, modes, commitments)."""


MAX_RENEWAL_TERM_MONTHS = 600
MAX_NOTICE_PERIOD_DAYS = 3650


def _check_renewal_term(months: int | None) -> None:
    if months is not None and not 1 <= months <= MAX_RENEWAL_TERM_MONTHS:
        raise BadUserInput(
            f"a renewal term is 1 to {MAX_RENEWAL_TERM_MONTHS} months", field="renewalTermMonths"
        )


def _check_notice_period(days: int | None) -> None:
    if days is not None and not 0 <= days <= MAX_NOTICE_PERIOD_DAYS:
        raise BadUserInput(
            f"a notice period is 0 to {MAX_NOTICE_PERIOD_DAYS} days", field="noticePeriodDays"
        )


async def create_agreement(
    connection: AsyncConnection, viewer: Viewer, draft: AgreementDraft
) -> RowMapping:
    """A new DRAFT between distinct organizations the caller edits (an admin: any); the
    others are proposed afterwards (`CONSENT_REQUIRED` names the proposal)."""
    if not draft.title.strip():
        raise BadUserInput("an agreement needs a title", field="title")
    check_dates(draft.effective_from, draft.effective_to)
    _check_renewal_term(draft.renewal_term_months)
    _check_notice_period(draft.notice_period_days)
    check_parties(draft.parties)
    await check_new_parties(connection, viewer, "createAgreement", draft.parties, set())
    if draft.parent_id is not None:
        [parent] = [r for r in MUTATIONS["createAgreement"] if r.field == "parent"]
        await check_reference(connection, viewer, parent, draft.parent_id)
    row = await insert_row(
        connection,
        AGREEMENT,
        {
            "title": draft.title.strip(),
            "local_title": draft.local_title,
            "reference": draft.reference,
            "kind": draft.kind.value,
            "status": S.DRAFT.value,
            "description": draft.description,
            "effective_from": draft.effective_from,
            "effective_to": draft.effective_to,
            "renewal_rule": draft.renewal_rule.value,
            "renewal_term_months": draft.renewal_term_months,
            "notice_period_days": draft.notice_period_days,
            "parent_id": draft.parent_id,
        },
        actor=viewer.label,
    )
    await set_parties(connection, row["id"], draft.parties, viewer.label)
    await set_modes(connection, row["id"], draft.modes)
    await refresh_terms_hash(connection, row["id"])
    return await load_agreement(connection, row["id"])


async def update_agreement(
    connection: AsyncConnection,
    viewer: Viewer,
    key: int,
    version: int,
    values: dict[str, Any],
    *,
    parties: Sequence[PartyTerms] | None = None,
    modes: Sequence[CollaborationMode] | None = None,
) -> RowMapping:
    """Changes fields, parties or modes; a change of terms reopens a signed agreement.

    A party is removed, or its role changed, only by its own editor or an admin; a new one
    only when the caller edits it (others are proposed)."""
    current = await load_for_change(connection, viewer, key, doing="change this agreement")
    if parties is not None:
        check_parties(parties)
        roles = {p.organization_id: p.role.value for p in parties}
        existing = await parties_of(connection, key)
        for party in existing:
            if roles.get(party["organization_id"]) != party["role"]:
                await require_change(
                    connection,
                    viewer,
                    "AgreementParty",
                    party,
                    field="parties",
                    doing="remove another organization's party, or change its role (only "
                    "its own editor may)",
                )
        known = {p["organization_id"] for p in existing}
        await check_new_parties(connection, viewer, "updateAgreement", parties, known)
    start = values.get("effective_from", current["effective_from"])
    end = values.get("effective_to", current["effective_to"])
    check_dates(start, end)
    _check_renewal_term(values.get("renewal_term_months"))
    _check_notice_period(values.get("notice_period_days"))
    if "title" in values and not str(values["title"] or "").strip():
        raise BadUserInput("an agreement needs a title", field="title")
    old_terms = await terms_of(connection, key)
    row = await update_row(
        connection, AGREEMENT, key, version, values, actor=viewer.label, what="agreement"
    )
    changes_terms = bool(TERM_FIELDS & values.keys()) or parties is not None or modes is not None
    if changes_terms:
        if parties is not None:
            await set_parties(connection, key, parties, viewer.label)
        if modes is not None:
            await set_modes(connection, key, modes)
        new_terms = await terms_of(connection, key)
        before = current["terms_hash"]
        after = await refresh_terms_hash(connection, key, new_terms)
        await record(
            connection,
            table=AGREEMENT,
            row=row,
            action="terms changed",
            actor=viewer.label,
            changes={
                name: {"old": old_terms[name], "new": new_terms[name]}
                for name in new_terms
                if old_terms[name] != new_terms[name]
            },
        )
        if after != before:
            row = await reopen_if_signed(connection, row, viewer.label)
    return await load_agreement(connection, key)


async def delete_agreement(
    connection: AsyncConnection, viewer: Viewer, key: int, version: int
) -> RowMapping:
    """Only a never-signed draft or negotiation is deleted, and only by a caller who answers for
    every party (a party alone abandons it, or leaves); anything signed is terminated."""
    [ref] = MUTATIONS["deleteAgreement"]
    row = await check_reference(connection, viewer, ref, key)
    parties = await parties_of(connection, key)
    if status_of(row) not in {S.DRAFT, S.UNDER_NEGOTIATION} or any(p["signed_on"] for p in parties):
        raise InvalidTransition(
            "an agreement that was submitted or signed is never deleted; terminate it",
            field="id",
        )
    return await delete_row(connection, AGREEMENT, key, version, actor=viewer.label)
