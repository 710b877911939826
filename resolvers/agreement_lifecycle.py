"""An agreement's lifecycle: the one table of allowed status changes (`TRANSITIONS`), the
plain status changes it allows (`transition`), and what every agreement write shares: loading
an agreement for a change, its status as of today, its parties, the version check, and the
rule that changed terms reopen a signed agreement (`reopen_if_signed`) and no longer change
once it is in force (`require_open_terms`). The mutations are generated from `TRANSITIONS`, the
docs/writes.md prints it (`transitions_markdown`), and the tests walk it.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from db.enums import (
    AgreementStatus,
)
from resolvers.approvals import MissingApproval, missing_approvals
from resolvers.errors import ApiError, BadUserInput
from resolvers.viewer import Viewer
from resolvers.write_scope import (
    load_for_write,
    require_change,
)
from resolvers.writes import (
    StaleVersion,
    record,
    row_or_none,
    update_row,
)

__all__ = [
    "BY_ACTION",
    "MIN_PARTIES_TO_SUBMIT",
    "TRANSITIONS",
    "InvalidTransition",
    "Transition",
    "check_version",
    "load_agreement",
    "load_for_change",
    "mutation_name",
    "parties_of",
    "party_organizations",
    "reopen_if_signed",
    "require_open_terms",
    "status_of",
    "transition",
    "transitions_markdown",
]

S = AgreementStatus
AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)


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


MIN_PARTIES_TO_SUBMIT = 2


def status_of(row: RowMapping, today: date | None = None) -> AgreementStatus:
    status = AgreementStatus(row["status"])
    end = row["effective_to"]
    if status in _IN_FORCE and end is not None and end < (today or date.today()):
        return S.EXPIRED
    return status


async def parties_of(connection: AsyncConnection, agreement_id: int) -> list[RowMapping]:
    result = await connection.execute(
        sa.select(PARTY).where(PARTY.c.agreement_id == agreement_id).order_by(PARTY.c.id)
    )
    return list(result.mappings())


async def party_organizations(connection: AsyncConnection, key: int) -> list[int]:
    return [p["organization_id"] for p in await parties_of(connection, key)]


def check_version(row: RowMapping, version: int) -> None:
    if row["version"] != version:
        raise StaleVersion(
            f"this agreement changed since version {version} was read (it is at version "
            f"{row['version']}): read it again and retry",
            field="version",
        )


async def load_agreement(connection: AsyncConnection, key: int) -> RowMapping:
    """An agreement this transaction knows exists (after a write, or a check of the caller)."""
    row = await row_or_none(connection, AGREEMENT, key)
    assert row is not None
    return row


async def load_for_change(
    connection: AsyncConnection, viewer: Viewer, key: int, *, doing: str, field: str = "id"
) -> RowMapping:
    """The agreement, if the caller sees it (else as missing) and may change it (else
    `FORBIDDEN`): the first check of every agreement mutation, before any state or version."""
    row = await load_for_write(connection, viewer, "Agreement", key, field=field)
    await require_change(connection, viewer, "Agreement", row, field=field, doing=doing)
    return row


def require_open_terms(row: RowMapping) -> None:
    """Refuses an agreement whose terms can no longer change (in force, ended or superseded)."""
    status = status_of(row)
    if status in _TERMS_FROZEN:
        raise InvalidTransition(
            f"the terms of an agreement that is {status.value} cannot change; renew it instead",
            field="agreement",
        )


async def reopen_if_signed(connection: AsyncConnection, row: RowMapping, actor: str) -> RowMapping:
    """Changed terms need new signatures: back to negotiation, signatures cleared."""
    status = status_of(row)
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


async def transition(
    connection: AsyncConnection, viewer: Viewer, key: int, version: int, action: str
) -> RowMapping:
    """A plain status change of `TRANSITIONS` (not `sign` or `renew`, which have their own)."""
    move = BY_ACTION[action]
    row = await load_for_change(connection, viewer, key, doing=f"{action} this agreement")
    status = status_of(row)
    if status not in move.sources:
        allowed = ", ".join(sorted(s.value for s in move.sources))
        raise InvalidTransition(
            f"cannot {action} an agreement that is {status.value} (only from {allowed})",
            field="id",
        )
    if move.target is S.AWAITING_APPROVAL:
        count = len(await party_organizations(connection, key))
        if count < MIN_PARTIES_TO_SUBMIT:
            raise BadUserInput(
                f"an agreement needs at least {MIN_PARTIES_TO_SUBMIT} parties before it is "
                "submitted: propose the others with `proposeAgreementParty`",
                field="id",
            )
    if action == "activate":
        missing = await missing_approvals(connection, key)
        if missing:
            raise MissingApproval(
                f"a {str(row['kind']).upper()} agreement is activated once approved by "
                f"{', '.join(missing)}: record the approval (`createApproval`) first",
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
        predecessor = await load_agreement(connection, updated["predecessor_id"])
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


def mutation_name(action: str) -> str:
    """The GraphQL mutation of a transition: `openNegotiation`, `activateAgreement`..."""
    return action if any(c.isupper() for c in action) else f"{action}Agreement"


def transitions_markdown() -> str:
    """`TRANSITIONS` as the table docs/writes.md prints (a test keeps the two equal)."""
    rows = [
        f"| `{mutation_name(t.action)}` | {', '.join(sorted(s.name for s in t.sources))} "
        f"| {t.target.name} | {t.description} |"
        for t in TRANSITIONS
    ]
    return "\n".join(["| Mutation | From | To | What it means |", "|---|---|---|---|", *rows])
