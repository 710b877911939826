"""Agreements in chunks, with their parties, collaboration modes and commitments, and the terms
hash the API would compute."""

import random
from datetime import timedelta

from bench.generate.shape import (
    PREFIX,
    SIGNED,
    STAMP,
    STATUSES,
    Picker,
    random_day,
    stamp,
    weighted_choices,
)
from bench.generate.writer import IdCounter, Writer
from db.enums import (
    AgreementKind,
    AgreementStatus,
    CollaborationMode,
    CommitmentStatus,
    PartyRole,
    RenewalRule,
)
from db.terms import terms_hash

CHUNK = 20_000
"""Agreements generated and inserted per round (bounds memory at 1,000,000 agreements)."""


AGREEMENT_COLUMNS = [
    "id",
    *STAMP,
    "title",
    "local_title",
    "reference",
    "kind",
    "status",
    "description",
    "signed_on",
    "effective_from",
    "effective_to",
    "renewal_rule",
    "renewal_term_months",
    "parent_id",
    "predecessor_id",
    "is_illustrative",
    "terms_hash",
]


PARTY_COLUMNS = [
    "id",
    *STAMP,
    "agreement_id",
    "organization_id",
    "role",
    "signatory_id",
    "signed_on",
    "signed_terms_hash",
]


COMMITMENT_COLUMNS = [
    "id",
    *STAMP,
    "agreement_id",
    "obligor_id",
    "beneficiary_id",
    "description",
    "due_on",
    "status",
    "delivered_on",
]


async def insert_agreements(
    w: Writer,
    rng: random.Random,
    picker: Picker,
    members_of: list[list[int]],
    count: int,
) -> tuple[int, int]:
    """Insert `count` agreements in chunks; returns (first id, count)."""
    first = await w.next_id("agreement")
    party_ids = IdCounter(await w.next_id("agreement_party"))
    mode_ids = IdCounter(await w.next_id("agreement_mode"))
    commitment_ids = IdCounter(await w.next_id("commitment"))
    kinds = list(AgreementKind)
    modes_all = [m.value for m in CollaborationMode]
    for chunk_start in range(0, count, CHUNK):
        agreements, parties, modes, commitments = [], [], [], []
        for i in range(chunk_start, min(count, chunk_start + CHUNK)):
            key = first + i
            size = rng.choices([2, 3, 4, 5], weights=[60, 25, 10, 5])[0]
            if rng.random() < 0.33:
                pool = members_of[rng.randrange(len(members_of))]
                orgs = picker.pick(min(size, len(pool)), pool)
            else:
                orgs = picker.pick(size)
            kind = rng.choice(kinds).value
            status: AgreementStatus = weighted_choices(rng, STATUSES, 1)[0]
            signed_on = random_day(rng) if status in SIGNED else None
            effective_from = signed_on + timedelta(days=rng.randint(0, 60)) if signed_on else None
            effective_to = (
                effective_from + timedelta(days=365 * rng.randint(1, 5)) if effective_from else None
            )
            roles = [PartyRole.LEAD.value] + [
                PartyRole.FUNDER.value
                if rng.random() < 0.05
                else PartyRole.HOST.value
                if rng.random() < 0.05
                else PartyRole.PARTNER.value
                for _ in orgs[1:]
            ]
            chosen_modes = rng.sample(modes_all, rng.randint(1, 3))
            owed = []
            if rng.random() < 0.2:
                for _ in range(rng.randint(1, 2)):
                    obligor, beneficiary = rng.sample(orgs, 2)
                    due = (effective_from or random_day(rng)) + timedelta(days=rng.randint(30, 900))
                    cid = next(commitment_ids)
                    owed.append((cid, obligor, beneficiary, f"Deliver item {cid}", due))
            digest = terms_hash(
                kind=kind,
                effective_from=effective_from,
                effective_to=effective_to,
                parties=zip(orgs, roles, strict=True),
                modes=chosen_modes,
                commitments=[row[1:] for row in owed],
            )
            renewal = rng.choice(list(RenewalRule)).value
            agreements.append(
                (
                    key,
                    *stamp(),
                    f"{PREFIX} agreement {i:07d}",
                    None,
                    f"BA-{i:07d}",
                    kind,
                    status.value,
                    None,
                    signed_on,
                    effective_from,
                    effective_to,
                    renewal,
                    12 if renewal != RenewalRule.NONE.value else None,
                    None,
                    None,
                    True,
                    digest,
                )
            )
            for organization, role in zip(orgs, roles, strict=True):
                parties.append(
                    (
                        next(party_ids),
                        *stamp(),
                        key,
                        organization,
                        role,
                        None,
                        signed_on,
                        digest if signed_on else None,
                    )
                )
            for mode in chosen_modes:
                modes.append((next(mode_ids), key, mode))
            for cid, obligor, beneficiary, description, due in owed:
                done = status is AgreementStatus.EXPIRED or rng.random() < 0.3
                commitments.append(
                    (
                        cid,
                        *stamp(),
                        key,
                        obligor,
                        beneficiary,
                        description,
                        due,
                        CommitmentStatus.DELIVERED.value if done else CommitmentStatus.OPEN.value,
                        due if done else None,
                    )
                )
        await w.insert("agreement", AGREEMENT_COLUMNS, agreements)
        await w.insert("agreement_party", PARTY_COLUMNS, parties)
        await w.insert("agreement_mode", ["id", "agreement_id", "mode"], modes)
        await w.insert("commitment", COMMITMENT_COLUMNS, commitments)
    return first, count
