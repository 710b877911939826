"""An agreement's life: drafting, negotiating, signing per party, coming into force, renewal.

`TRANSITIONS` is the one table of allowed status changes: the mutations are generated from it,
the README prints it, and the tests walk it. Signing and renewal are transitions with work of
their own (`sign`, `renew`). The terms (kind, period, parties, modes, commitments) have a
SHA-256 `terms_hash`, recomputed on every change; each party's signature stores the hash it
signed. Changing the terms of an agreement awaiting approval or signed sends it back to
negotiation and clears every signature.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of, utcnow
from db.enums import (
    AgreementKind,
    AgreementStatus,
    CollaborationMode,
    CommitmentStatus,
    PartyRole,
    RenewalRule,
)
from db.terms import refresh_terms_hash, terms_of
from resolvers.errors import ApiError, BadUserInput
from resolvers.viewer import Viewer
from resolvers.write_scope import (
    MUTATIONS,
    check_organizations,
    check_reference,
    load_for_write,
    require_change,
)
from resolvers.writes import (
    StaleVersion,
    delete_row,
    insert_row,
    record,
    row_or_none,
    update_row,
)

__all__ = [
    "TRANSITIONS",
    "AgreementDraft",
    "CommitmentTerms",
    "InvalidTransition",
    "PartyTerms",
    "Transition",
    "add_commitment",
    "add_party",
    "create_agreement",
    "delete_agreement",
    "mutation_name",
    "refresh_terms_hash",
    "renew",
    "require_open_terms",
    "settle_commitment",
    "sign",
    "terms_of",
    "transition",
    "transitions_markdown",
    "update_agreement",
]

S = AgreementStatus
AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
MODE = table_of(t.AgreementMode)
COMMITMENT = table_of(t.Commitment)
POSITION = table_of(t.Position)
ORGANIZATION = table_of(t.Organization)


class InvalidTransition(ApiError):
    code = "INVALID_TRANSITION"


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    sources: frozenset[AgreementStatus]
    target: AgreementStatus
    description: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition("openNegotiation", frozenset({S.DRAFT}), S.UNDER_NEGOTIATION, "talks begin"),
    Transition(
        "submitForApproval",
        frozenset({S.UNDER_NEGOTIATION}),
        S.AWAITING_APPROVAL,
        "the terms are final; the parties may sign",
    ),
    Transition(
        "returnToNegotiation",
        frozenset({S.AWAITING_APPROVAL}),
        S.UNDER_NEGOTIATION,
        "reopen the terms; signatures are cleared",
    ),
    Transition(
        "sign",
        frozenset({S.AWAITING_APPROVAL}),
        S.SIGNED,
        "one party signs; the agreement is SIGNED when the last party has",
    ),
    Transition("activate", frozenset({S.SIGNED}), S.ACTIVE, "in force; a renewed one supersedes"),
    Transition("suspend", frozenset({S.ACTIVE}), S.SUSPENDED, "paused"),
    Transition("resume", frozenset({S.SUSPENDED}), S.ACTIVE, "in force again"),
    Transition(
        "terminate",
        frozenset({S.SIGNED, S.ACTIVE, S.SUSPENDED}),
        S.TERMINATED,
        "ended early by the parties",
    ),
    Transition(
        "abandon",
        frozenset({S.DRAFT, S.UNDER_NEGOTIATION, S.AWAITING_APPROVAL}),
        S.TERMINATED,
        "talks end without an agreement",
    ),
    Transition(
        "renew",
        frozenset({S.SIGNED, S.ACTIVE, S.EXPIRED}),
        S.DRAFT,
        "makes the successor (a DRAFT from the day after this one ends), with parties, modes "
        "and open commitments carried over; this one becomes SUPERSEDED when it is activated",
    ),
)
BY_ACTION = {tr.action: tr for tr in TRANSITIONS}
_SIGNATURE_RESET = {S.AWAITING_APPROVAL, S.SIGNED}
_TERMS_FROZEN = {S.ACTIVE, S.SUSPENDED, S.EXPIRED, S.TERMINATED, S.SUPERSEDED}
_IN_FORCE = {S.ACTIVE, S.SUSPENDED}


@dataclass(frozen=True, slots=True)
class PartyTerms:
    organization_id: int
    role: PartyRole = PartyRole.PARTNER


@dataclass(frozen=True, slots=True)
class CommitmentTerms:
    obligor_id: int
    description: str
    beneficiary_id: int | None = None
    due_on: date | None = None


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
    parent_id: int | None = None


MAX_PARTIES = 250
"""Bulk inputs are capped (the largest CORDIS consortium has 199 participants)."""

TERM_FIELDS = frozenset({"kind", "effective_from", "effective_to"})
"""Columns of `agreement` that are part of the signed terms (with parties, modes, commitments)."""


def _status(row: RowMapping, today: date | None = None) -> AgreementStatus:
    status = AgreementStatus(row["status"])
    end = row["effective_to"]
    if status in _IN_FORCE and end is not None and end < (today or date.today()):
        return S.EXPIRED
    return status


async def _parties(connection: AsyncConnection, agreement_id: int) -> list[RowMapping]:
    result = await connection.execute(
        sa.select(PARTY).where(PARTY.c.agreement_id == agreement_id).order_by(PARTY.c.id)
    )
    return list(result.mappings())


MAX_RENEWAL_TERM_MONTHS = 600


def _check_renewal_term(months: int | None) -> None:
    if months is not None and not 1 <= months <= MAX_RENEWAL_TERM_MONTHS:
        raise BadUserInput(
            f"a renewal term is 1 to {MAX_RENEWAL_TERM_MONTHS} months", field="renewalTermMonths"
        )


def _check_dates(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise BadUserInput("the agreement cannot end before it starts", field="effectiveTo")


MIN_PARTIES_TO_SUBMIT = 2


def _check_parties(parties: Sequence[PartyTerms]) -> None:
    """The shape of a list of parties; who may name them is `_check_new_parties`."""
    ids = [p.organization_id for p in parties]
    if len(ids) > MAX_PARTIES:
        raise BadUserInput(f"at most {MAX_PARTIES} parties at once", field="parties")
    if not ids:
        raise BadUserInput("an agreement needs a party", field="parties")
    if len(set(ids)) != len(ids):
        raise BadUserInput("the same organization is named twice as a party", field="parties")


async def _check_new_parties(
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


async def _set_parties(
    connection: AsyncConnection, agreement_id: int, parties: Sequence[PartyTerms], actor: str
) -> None:
    await connection.execute(sa.delete(PARTY).where(PARTY.c.agreement_id == agreement_id))
    for party in parties:
        await insert_row(
            connection,
            PARTY,
            {
                "agreement_id": agreement_id,
                "organization_id": party.organization_id,
                "role": party.role.value,
            },
            actor=actor,
            action="party added",
        )


async def _set_modes(
    connection: AsyncConnection, agreement_id: int, modes: Sequence[CollaborationMode]
) -> None:
    await connection.execute(sa.delete(MODE).where(MODE.c.agreement_id == agreement_id))
    if modes:
        await connection.execute(
            sa.insert(MODE),
            [{"agreement_id": agreement_id, "mode": m.value} for m in sorted(set(modes))],
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


def _check_version(row: RowMapping, version: int) -> None:
    if row["version"] != version:
        raise StaleVersion(
            f"this agreement changed since version {version} was read (it is at version "
            f"{row['version']}): read it again and retry",
            field="version",
        )


async def _load(connection: AsyncConnection, key: int) -> RowMapping:
    """An agreement this transaction knows exists (after a write, or a check of the caller)."""
    row = await row_or_none(connection, AGREEMENT, key)
    assert row is not None
    return row


async def _load_for_change(
    connection: AsyncConnection, viewer: Viewer, key: int, *, doing: str, field: str = "id"
) -> RowMapping:
    """The agreement, if the caller sees it (else as missing) and may change it (else
    `FORBIDDEN`): the first check of every agreement mutation, before any state or version."""
    row = await load_for_write(connection, viewer, "Agreement", key, field=field)
    await require_change(connection, viewer, "Agreement", row, field=field, doing=doing)
    return row


async def _party_organizations(connection: AsyncConnection, key: int) -> list[int]:
    return [p["organization_id"] for p in await _parties(connection, key)]


async def create_agreement(
    connection: AsyncConnection, viewer: Viewer, draft: AgreementDraft
) -> RowMapping:
    """A new DRAFT between distinct organizations the caller edits (an admin: any); the
    others are proposed afterwards (`CONSENT_REQUIRED` names the proposal)."""
    if not draft.title.strip():
        raise BadUserInput("an agreement needs a title", field="title")
    _check_dates(draft.effective_from, draft.effective_to)
    _check_renewal_term(draft.renewal_term_months)
    _check_parties(draft.parties)
    await _check_new_parties(connection, viewer, "createAgreement", draft.parties, set())
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
            "parent_id": draft.parent_id,
        },
        actor=viewer.label,
    )
    await _set_parties(connection, row["id"], draft.parties, viewer.label)
    await _set_modes(connection, row["id"], draft.modes)
    await refresh_terms_hash(connection, row["id"])
    return await _load(connection, row["id"])


async def _reopen_if_signed(connection: AsyncConnection, row: RowMapping, actor: str) -> RowMapping:
    """Changed terms need new signatures: back to negotiation, signatures cleared."""
    status = _status(row)
    if status in _TERMS_FROZEN:
        raise InvalidTransition(
            f"the terms of an agreement that is {status.value} cannot change; renew it instead",
            field="id",
        )
    if status not in _SIGNATURE_RESET:
        return row
    await connection.execute(
        sa.update(PARTY)
        .where(PARTY.c.agreement_id == row["id"])
        .values(signatory_id=None, signed_on=None, signed_terms_hash=None)
    )
    result = await connection.execute(
        sa.update(AGREEMENT)
        .where(AGREEMENT.c.id == row["id"])
        .values(status=S.UNDER_NEGOTIATION.value, signed_on=None)
        .returning(AGREEMENT)
    )
    after: RowMapping = result.mappings().one()
    await record(
        connection,
        table=AGREEMENT,
        row=after,
        action="returned to negotiation",
        actor=actor,
        changes={"status": {"old": status.value, "new": S.UNDER_NEGOTIATION.value}},
    )
    return after


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
    current = await _load_for_change(connection, viewer, key, doing="change this agreement")
    if parties is not None:
        _check_parties(parties)
        roles = {p.organization_id: p.role.value for p in parties}
        existing = await _parties(connection, key)
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
        await _check_new_parties(connection, viewer, "updateAgreement", parties, known)
    start = values.get("effective_from", current["effective_from"])
    end = values.get("effective_to", current["effective_to"])
    _check_dates(start, end)
    _check_renewal_term(values.get("renewal_term_months"))
    if "title" in values and not str(values["title"] or "").strip():
        raise BadUserInput("an agreement needs a title", field="title")
    old_terms = await terms_of(connection, key)
    row = await update_row(
        connection, AGREEMENT, key, version, values, actor=viewer.label, what="agreement"
    )
    changes_terms = bool(TERM_FIELDS & values.keys()) or parties is not None or modes is not None
    if changes_terms:
        if parties is not None:
            await _set_parties(connection, key, parties, viewer.label)
        if modes is not None:
            await _set_modes(connection, key, modes)
        new_terms = await terms_of(connection, key)
        before = current["terms_hash"]
        after = await refresh_terms_hash(connection, key)
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
            row = await _reopen_if_signed(connection, row, viewer.label)
    return await _load(connection, key)


async def transition(
    connection: AsyncConnection, viewer: Viewer, key: int, version: int, action: str
) -> RowMapping:
    """A plain status change of `TRANSITIONS` (not `sign` or `renew`, which have their own)."""
    move = BY_ACTION[action]
    row = await _load_for_change(connection, viewer, key, doing=f"{action} this agreement")
    status = _status(row)
    if status not in move.sources:
        allowed = ", ".join(sorted(s.value for s in move.sources))
        raise InvalidTransition(
            f"cannot {action} an agreement that is {status.value} (only from {allowed})",
            field="id",
        )
    if move.target is S.AWAITING_APPROVAL:
        count = len(await _party_organizations(connection, key))
        if count < MIN_PARTIES_TO_SUBMIT:
            raise BadUserInput(
                f"an agreement needs at least {MIN_PARTIES_TO_SUBMIT} parties before it is "
                "submitted: propose the others with `proposeAgreementParty`",
                field="id",
            )
    values: dict[str, Any] = {"status": move.target.value}
    if move.target is S.UNDER_NEGOTIATION and status in _SIGNATURE_RESET:
        await connection.execute(
            sa.update(PARTY)
            .where(PARTY.c.agreement_id == key)
            .values(signatory_id=None, signed_on=None, signed_terms_hash=None)
        )
    updated = await update_row(
        connection,
        AGREEMENT,
        key,
        version,
        values,
        actor=viewer.label,
        action=action,
        what="agreement",
    )
    if move.target is S.ACTIVE and updated["predecessor_id"] is not None:
        predecessor = await _load(connection, updated["predecessor_id"])
        if AgreementStatus(predecessor["status"]) is not S.SUPERSEDED:
            await update_row(
                connection,
                AGREEMENT,
                predecessor["id"],
                predecessor["version"],
                {"status": S.SUPERSEDED.value},
                actor=viewer.label,
                action="superseded",
                what="agreement",
            )
    return updated


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
    row = await _load_for_change(connection, viewer, key, doing="sign this agreement")
    _, party_ref, signatory_ref = MUTATIONS["signAgreement"]
    await check_reference(connection, viewer, party_ref, organization_id)
    await check_reference(connection, viewer, signatory_ref, signatory_id)
    status = _status(row)
    if status not in BY_ACTION["sign"].sources:
        raise InvalidTransition(
            f"cannot sign an agreement that is {status.value} (submit it for approval first)",
            field="id",
        )
    _check_version(row, version)
    parties = {p["organization_id"]: p for p in await _parties(connection, key)}
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
    row = await _load_for_change(connection, viewer, key, doing="renew this agreement")
    status = _status(row)
    if status not in BY_ACTION["renew"].sources:
        raise InvalidTransition(f"cannot renew an agreement that is {status.value}", field="id")
    _check_version(row, version)
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
    _check_dates(start, effective_to)
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
            "parent_id": row["parent_id"],
            "predecessor_id": key,
        },
        actor=viewer.label,
        action="renewal of an earlier agreement",
    )
    new_id = successor["id"]
    await _set_parties(
        connection,
        new_id,
        [
            PartyTerms(p["organization_id"], PartyRole(p["role"]))
            for p in await _parties(connection, key)
        ],
        viewer.label,
    )
    modes = await connection.scalars(sa.select(MODE.c.mode).where(MODE.c.agreement_id == key))
    await _set_modes(connection, new_id, [CollaborationMode(m) for m in modes])
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
    return await _load(connection, new_id)


async def add_commitment(
    connection: AsyncConnection,
    viewer: Viewer,
    agreement_id: int,
    version: int,
    terms: CommitmentTerms,
) -> RowMapping:
    """A new commitment is a change of terms (so it reopens a signed agreement)."""
    await _load_for_change(
        connection, viewer, agreement_id, doing="add commitments to it", field="agreement"
    )
    _, obligor, beneficiary = MUTATIONS["addCommitment"]
    await check_reference(connection, viewer, obligor, terms.obligor_id)
    if terms.beneficiary_id is not None:
        await check_reference(connection, viewer, beneficiary, terms.beneficiary_id)
    organizations = await _party_organizations(connection, agreement_id)
    if not terms.description.strip():
        raise BadUserInput("a commitment needs a description", field="description")
    if terms.obligor_id not in organizations:
        raise BadUserInput("the obligor must be a party to the agreement", field="obligor")
    if terms.beneficiary_id is not None and terms.beneficiary_id not in organizations:
        raise BadUserInput("the beneficiary must be a party", field="beneficiary")
    if terms.beneficiary_id == terms.obligor_id:
        raise BadUserInput("a party cannot owe itself", field="beneficiary")
    commitment = await insert_row(
        connection,
        COMMITMENT,
        {
            "agreement_id": agreement_id,
            "obligor_id": terms.obligor_id,
            "beneficiary_id": terms.beneficiary_id,
            "description": terms.description.strip(),
            "due_on": terms.due_on,
        },
        actor=viewer.label,
    )
    await update_agreement(connection, viewer, agreement_id, version, {})
    await refresh_terms_hash(connection, agreement_id)
    row = await _load(connection, agreement_id)
    await _reopen_if_signed(connection, row, viewer.label)
    return commitment


async def settle_commitment(
    connection: AsyncConnection,
    viewer: Viewer,
    key: int,
    version: int,
    *,
    status: CommitmentStatus,
    on: date | None,
) -> RowMapping:
    """Marks an open commitment delivered (on a date) or waived; its terms stay as signed."""
    commitment = await load_for_write(connection, viewer, "Commitment", key)
    await require_change(
        connection, viewer, "Commitment", commitment, doing="settle this commitment"
    )
    if CommitmentStatus(commitment["status"]) is not CommitmentStatus.OPEN:
        raise InvalidTransition(f"this commitment is already {commitment['status']}", field="id")
    values: dict[str, Any] = {"status": status.value}
    if status is CommitmentStatus.DELIVERED:
        values["delivered_on"] = on or date.today()
    return await update_row(
        connection,
        COMMITMENT,
        key,
        version,
        values,
        actor=viewer.label,
        action=status.value,
        what="commitment",
    )


async def delete_agreement(
    connection: AsyncConnection, viewer: Viewer, key: int, version: int
) -> RowMapping:
    """Only a never-signed draft or negotiation is deleted, and only by a caller who answers for
    every party (a party alone abandons it, or leaves); anything signed is terminated."""
    [ref] = MUTATIONS["deleteAgreement"]
    row = await check_reference(connection, viewer, ref, key)
    parties = await _parties(connection, key)
    if _status(row) not in {S.DRAFT, S.UNDER_NEGOTIATION} or any(p["signed_on"] for p in parties):
        raise InvalidTransition(
            "an agreement that was submitted or signed is never deleted; terminate it",
            field="id",
        )
    return await delete_row(connection, AGREEMENT, key, version, actor=viewer.label)


def require_open_terms(row: RowMapping) -> None:
    """Refuses an agreement whose terms can no longer change (in force, ended or superseded)."""
    status = _status(row)
    if status in _TERMS_FROZEN:
        raise InvalidTransition(
            f"the terms of an agreement that is {status.value} cannot change; renew it instead",
            field="agreement",
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
    row = await _load(connection, agreement_id)
    require_open_terms(row)
    old_terms = await terms_of(connection, agreement_id)
    added = await insert_row(
        connection,
        PARTY,
        {
            "agreement_id": agreement_id,
            "organization_id": party.organization_id,
            "role": party.role.value,
        },
        actor=actor,
        action=action,
    )
    new_terms = await terms_of(connection, agreement_id)
    await refresh_terms_hash(connection, agreement_id)
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
    await _reopen_if_signed(connection, after, actor)
    return added


def mutation_name(action: str) -> str:
    """The GraphQL mutation of a transition: `openNegotiation`, `activateAgreement`..."""
    return action if any(c.isupper() for c in action) else f"{action}Agreement"


def transitions_markdown() -> str:
    """`TRANSITIONS` as the table the README prints (a test keeps the two equal)."""
    rows = [
        f"| `{mutation_name(t.action)}` | {', '.join(sorted(s.name for s in t.sources))} "
        f"| {t.target.name} | {t.description} |"
        for t in TRANSITIONS
    ]
    return "\n".join(["| Mutation | From | To | What it means |", "|---|---|---|---|", *rows])
