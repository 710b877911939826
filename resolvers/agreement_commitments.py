"""An agreement's commitments: adding one is a change of its terms (so it reopens a signed
agreement), settling one (delivered or waived) leaves the terms as signed.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from db.enums import (
    CommitmentStatus,
)
from db.terms import refresh_terms_hash
from resolvers.agreement_lifecycle import (
    InvalidTransition,
    load_agreement,
    load_for_change,
    party_organizations,
    reopen_if_signed,
)
from resolvers.agreement_writes import update_agreement
from resolvers.errors import ApiError, BadUserInput
from resolvers.viewer import Viewer
from resolvers.write_declarations import MUTATIONS
from resolvers.write_scope import (
    check_reference,
    load_for_write,
    require_change,
)
from resolvers.writes import (
    insert_row,
    update_row,
)

__all__ = ["CommitmentTerms", "add_commitment", "settle_commitment", "terms_changed"]

COMMITMENT = table_of(t.Commitment)
# The agreement's own mutations call it `id` and `version`; this input calls them `agreement`
# and `agreementVersion`, and a userError's field is the path into the input that was sent.
_INPUT_FIELDS = {"id": "agreement", "version": "agreementVersion"}


@dataclass(frozen=True, slots=True)
class CommitmentTerms:
    obligor_id: int
    description: str
    beneficiary_id: int | None = None
    due_on: date | None = None


async def add_commitment(
    connection: AsyncConnection,
    viewer: Viewer,
    agreement_id: int,
    version: int,
    terms: CommitmentTerms,
) -> RowMapping:
    """A new commitment is a change of terms (so it reopens a signed agreement)."""
    await load_for_change(
        connection, viewer, agreement_id, doing="add commitments to it", field="agreement"
    )
    _, obligor, beneficiary = MUTATIONS["addCommitment"]
    await check_reference(connection, viewer, obligor, terms.obligor_id)
    if terms.beneficiary_id is not None:
        await check_reference(connection, viewer, beneficiary, terms.beneficiary_id)
    organizations = await party_organizations(connection, agreement_id)
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
    await terms_changed(connection, viewer, agreement_id, version)
    return commitment


async def terms_changed(
    connection: AsyncConnection, viewer: Viewer, agreement_id: int, version: int
) -> None:
    """After a change of an agreement's terms made through one of its parts (a commitment, a
    mobility condition): its version moves on from `version`, its terms are hashed again and a
    signed agreement is reopened; errors name the input's `agreement` and `agreementVersion`."""
    try:
        await update_agreement(connection, viewer, agreement_id, version, {})
        await refresh_terms_hash(connection, agreement_id)
        row = await load_agreement(connection, agreement_id)
        await reopen_if_signed(connection, row, viewer.label)
    except ApiError as error:
        error.field = _INPUT_FIELDS.get(error.field or "", error.field)
        raise


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
