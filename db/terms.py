"""The terms of an agreement that its parties sign, in one canonical form, and their hash.

One definition for everything that stores a hash: the API's writes (from the rows of an
agreement), the registry loaders and the benchmark's generator (from rows they are about to
insert), so that a signature made anywhere proves the same version of the terms.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

__all__ = ["hash_of", "terms_document", "terms_hash"]


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
) -> dict[str, Any]:
    """The terms, sorted and with ISO dates: parties as (organization id, role), commitments as
    (obligor id, beneficiary id or None, description, due date or None)."""
    return {
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
