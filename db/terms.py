"""The terms of an agreement that its parties sign, in one canonical form, and their hash.

One definition for everything that stores a hash: the API's writes and the demo loader (from the
stored rows of an agreement, `refresh_terms_hash`), the registry loaders and the benchmark's
generator (from rows they are about to insert, `terms_hash`), so that a signature made anywhere
proves the same version of the terms.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of

__all__ = ["hash_of", "refresh_terms_hash", "terms_document", "terms_hash", "terms_of"]

AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
MODE = table_of(t.AgreementMode)
COMMITMENT = table_of(t.Commitment)
MOBILITY = table_of(t.MobilityCondition)
_MOBILITY_TERMS = [
    c for c in MOBILITY.c if c.name not in {"id", "created_at", "updated_at", "version"}
]
DOCUMENT = table_of(t.Document)
VERSION = table_of(t.DocumentVersion)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def terms_document(
    *,
    kind: str,
    effective_from: date | None,
    effective_to: date | None,
    parties: Iterable[tuple[int, str]],
    modes: Iterable[str],
    commitments: Iterable[tuple[int, int | None, str, date | None]],
    documents: Iterable[tuple[int, str]] = (),
) -> dict[str, Any]:
    """The terms, sorted and with ISO dates: parties as (organization id, role), commitments as
    (obligor id, beneficiary id or None, description, due date or None), documents as
    (document id, SHA-256 of its latest uploaded version); `documents` only when there are
    any, so the terms of an agreement without uploaded content hash as they always did."""
    found = sorted([document, sha256] for document, sha256 in documents)
    return ({"documents": found} if found else {}) | {
        "kind": kind,
        "effective_from": _iso(effective_from),
        "effective_to": _iso(effective_to),
        "parties": sorted([organization, role] for organization, role in parties),
        "modes": sorted(modes),
        "commitments": sorted(
            [obligor, beneficiary or 0, description, _iso(due) or ""]
            for obligor, beneficiary, description, due in commitments
        ),
    }


def hash_of(document: dict[str, Any]) -> str:
    """SHA-256 of a terms document, over its JSON with sorted keys."""
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def terms_hash(
    *,
    kind: str,
    effective_from: date | None,
    effective_to: date | None,
    parties: Iterable[tuple[int, str]],
    modes: Iterable[str],
    commitments: Iterable[tuple[int, int | None, str, date | None]],
) -> str:
    return hash_of(
        terms_document(
            kind=kind,
            effective_from=effective_from,
            effective_to=effective_to,
            parties=parties,
            modes=modes,
            commitments=commitments,
        )
    )


_ID = sa.bindparam("agreement_id", type_=sa.Integer)
_LATEST = (
    sa.select(VERSION.c.document_id, sa.func.max(VERSION.c.number).label("number"))
    .join(DOCUMENT, DOCUMENT.c.id == VERSION.c.document_id)
    .where(DOCUMENT.c.agreement_id == _ID)
    .group_by(VERSION.c.document_id)
    .subquery()
)
_READS = {
    "agreement": sa.select(
        AGREEMENT.c.kind, AGREEMENT.c.effective_from, AGREEMENT.c.effective_to
    ).where(AGREEMENT.c.id == _ID),
    "parties": sa.select(PARTY.c.organization_id, PARTY.c.role).where(PARTY.c.agreement_id == _ID),
    "modes": sa.select(MODE.c.mode).where(MODE.c.agreement_id == _ID),
    "commitments": sa.select(
        COMMITMENT.c.obligor_id,
        COMMITMENT.c.beneficiary_id,
        COMMITMENT.c.description,
        COMMITMENT.c.due_on,
    ).where(COMMITMENT.c.agreement_id == _ID),
    "mobility": sa.select(*_MOBILITY_TERMS).where(MOBILITY.c.agreement_id == _ID),
    "documents": sa.select(VERSION.c.document_id, VERSION.c.sha256).join(
        _LATEST,
        sa.and_(
            VERSION.c.document_id == _LATEST.c.document_id,
            VERSION.c.number == _LATEST.c.number,
        ),
    ),
}
"""The reads of `terms_of`, built once (a write reads the terms before and after it)."""


async def terms_of(connection: AsyncConnection, agreement_id: int) -> dict[str, Any]:
    """The stored terms of an agreement as `terms_document` gives them, with its mobility
    conditions when it has any (so that the hash of an agreement without stays as it was)."""
    found = {
        name: (await connection.execute(read, {"agreement_id": agreement_id})).all()
        for name, read in _READS.items()
    }
    [row] = found["agreement"]
    document = terms_document(
        kind=row.kind,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        parties=((p.organization_id, p.role) for p in found["parties"]),
        modes=(m.mode for m in found["modes"]),
        commitments=(
            (c.obligor_id, c.beneficiary_id, c.description, c.due_on) for c in found["commitments"]
        ),
        documents=((d.document_id, d.sha256) for d in found["documents"]),
    )
    conditions = [
        json.dumps(dict(m._mapping), sort_keys=True, default=str) for m in found["mobility"]
    ]
    if conditions:
        document["mobility_conditions"] = sorted(conditions)
    return document


async def refresh_terms_hash(
    connection: AsyncConnection, agreement_id: int, terms: dict[str, Any] | None = None
) -> str:
    """Hash the stored terms of an agreement again and store the hash; returns it. `terms`:
    what `terms_of` has just given for it, when the caller read them already."""
    digest = hash_of(terms if terms is not None else await terms_of(connection, agreement_id))
    await connection.execute(
        sa.update(AGREEMENT).where(AGREEMENT.c.id == agreement_id).values(terms_hash=digest)
    )
    return digest
