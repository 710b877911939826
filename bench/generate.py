"""A synthetic cooperation network for benchmarks: N organizations, M agreements and what hangs
off them (parties, modes, commitments, alliances with memberships, programs, activities,
funding, evaluations), bulk-inserted (COPY on PostgreSQL, executemany in batches on SQLite).

    uv run python -m bench.generate --organizations 1000 --agreements 10000 \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench

The database must be migrated and may hold other data (the demo): generated rows take ids above
the current maximum of each table, and sequences are moved past them. Same seed, same network.

The shape, so that the benchmark scenarios find what real users would:
- kinds and countries are skewed (many Chinese universities and businesses, fewer foreign ones);
  one organization in ten is a unit (school, department) of an earlier university;
- partners are drawn with a heavy tail (a few hubs sign many agreements, most sign a few), and one
  agreement in three is between members of the same alliance;
- alliances: one per 200 organizations (at least 3), 20-120 members each, one chair, vice-chairs,
  directors, members and observers, and some past memberships;
- every agreement has 2-5 parties (the first leads), 1-3 collaboration modes, dates in order,
  and a `terms_hash` equal to what `db.terms.refresh_terms_hash` computes;
  signed parties carry the hash they signed;
- programs (one per 20 agreements) with partners and target groups, activities (one per 50
  agreements) with participants and the agreement they concern, funding and evaluations (one per
  20 agreements each).
"""

import argparse
import asyncio
import bisect
import itertools
import random
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import SQLModel

import db.tables  # noqa: F401  (registers the tables)
from db.engine import create_engine
from db.enums import (
    ActivityKind,
    AgreementKind,
    AgreementStatus,
    AllianceScope,
    CollaborationMode,
    CommitmentStatus,
    DeliveryMode,
    EvaluationIndicator,
    MembershipRole,
    OrganizationKind,
    PartyRole,
    ProgramCategory,
    ProgramKind,
    ProgramStatus,
    RenewalRule,
    TargetLearnerGroup,
)
from db.loaders import bulk
from db.loaders.merge import FIELDS
from db.terms import terms_hash

__all__ = ["generate"]

PREFIX = "Bench"
CHUNK = 20_000
"""Agreements generated and inserted per round (bounds memory at 1,000,000 agreements)."""

KINDS = [
    (OrganizationKind.UNIVERSITY, 40),
    (OrganizationKind.BUSINESS, 25),
    (OrganizationKind.RESEARCH_INSTITUTE, 12),
    (OrganizationKind.GOVERNMENT_BODY, 10),
    (OrganizationKind.INTERNATIONAL_ORGANIZATION, 3),
    (OrganizationKind.OTHER, 10),
]
COUNTRIES = [
    ("CN", 45),
    ("US", 8),
    ("GB", 6),
    ("DE", 5),
    ("FR", 4),
    ("AU", 4),
    ("JP", 4),
    ("KR", 4),
    ("CA", 3),
    ("IT", 3),
    ("NL", 2),
    ("RU", 2),
    ("SG", 2),
    ("MY", 2),
    ("TH", 2),
    ("ES", 2),
    ("NZ", 1),
    ("IE", 1),
    ("SE", 1),
    ("FI", 1),
]
REGIONS = {
    "CN": ["Jiangxi", "Jiangsu", "Zhejiang", "Guangdong", "Beijing", "Shanghai", "Sichuan"],
    "US": ["California", "New York", "Texas", "Massachusetts"],
    "GB": ["England", "Scotland", "Wales"],
    "DE": ["Bavaria", "Berlin", "Saxony"],
}
CITIES = ["Nanchang", "Nanjing", "Hangzhou", "Shenzhen", "Harbor City", "Riverside", "Hillview"]
WORDS = [
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Central",
    "Coastal",
    "Mountain",
    "River",
    "Lake",
    "Valley",
    "Open",
    "Normal",
    "Technical",
    "Agricultural",
    "Medical",
    "Maritime",
]
KIND_NOUN = {
    OrganizationKind.UNIVERSITY: "University",
    OrganizationKind.BUSINESS: "Industries Co.",
    OrganizationKind.RESEARCH_INSTITUTE: "Research Institute",
    OrganizationKind.GOVERNMENT_BODY: "Education Bureau",
    OrganizationKind.INTERNATIONAL_ORGANIZATION: "Foundation",
    OrganizationKind.OTHER: "Association",
}
UNIT_NOUNS = ["School of Art", "School of Engineering", "School of Lifelong Education", "Institute"]
STATUSES = [
    (AgreementStatus.ACTIVE, 40),
    (AgreementStatus.SIGNED, 10),
    (AgreementStatus.EXPIRED, 20),
    (AgreementStatus.DRAFT, 8),
    (AgreementStatus.UNDER_NEGOTIATION, 8),
    (AgreementStatus.AWAITING_APPROVAL, 4),
    (AgreementStatus.SUSPENDED, 3),
    (AgreementStatus.TERMINATED, 4),
    (AgreementStatus.SUPERSEDED, 3),
]
SIGNED = {
    AgreementStatus.SIGNED,
    AgreementStatus.ACTIVE,
    AgreementStatus.SUSPENDED,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
    AgreementStatus.SUPERSEDED,
}
START = date(2010, 1, 1)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, int]], k: int) -> list[Any]:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices], k=k)


def _day(rng: random.Random, span_days: int = 16 * 365) -> date:
    return START + timedelta(days=rng.randrange(span_days))


class _Writer:
    """Bulk inserts with explicit ids, through `db.loaders.bulk` (COPY on PostgreSQL, batched
    executemany on SQLite), counting the rows it wrote."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.rows = 0

    async def next_id(self, table: str) -> int:
        return await bulk.next_keys(self.connection, SQLModel.metadata.tables[table])

    async def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        self.rows += await bulk.insert_rows(
            self.connection,
            SQLModel.metadata.tables[table],
            [dict(zip(columns, row, strict=True)) for row in rows],
        )

    async def reset_sequences(self, tables: Iterable[str]) -> None:
        await bulk.sync_sequences(
            self.connection, [SQLModel.metadata.tables[table] for table in tables]
        )


STAMP = ("created_at", "updated_at", "version")


def _stamp() -> tuple[datetime, datetime, int]:
    return (NOW, NOW, 1)


class _Picker:
    """Organizations drawn with a heavy tail: weight 1/(rank+10)^0.9, so hubs exist."""

    def __init__(self, rng: random.Random, ids: list[int]) -> None:
        self.rng = rng
        self.ids = ids[:]
        rng.shuffle(self.ids)
        weights = [1 / (rank + 10) ** 0.9 for rank in range(len(ids))]
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, k: int, pool: Sequence[int] | None = None) -> list[int]:
        chosen: list[int] = []
        seen: set[int] = set()
        while len(chosen) < k:
            if pool is not None:
                candidate = pool[self.rng.randrange(len(pool))]
            else:
                point = self.rng.random() * self.cumulative[-1]
                candidate = self.ids[bisect.bisect_left(self.cumulative, point)]
            if candidate not in seen:
                seen.add(candidate)
                chosen.append(candidate)
        return chosen


async def _organizations(
    w: _Writer, rng: random.Random, count: int
) -> tuple[list[int], dict[int, str], dict[int, str]]:
    first = await w.next_id("organization")
    ids = list(range(first, first + count))
    kinds = _weighted(rng, KINDS, count)
    countries = _weighted(rng, COUNTRIES, count)
    universities: list[int] = []
    rows = []
    kind_of: dict[int, str] = {}
    country_of: dict[int, str] = {}
    for i, key in enumerate(ids):
        kind: OrganizationKind = kinds[i]
        country: str = countries[i]
        parent = None
        if universities and rng.random() < 0.1:
            parent = universities[rng.randrange(len(universities))]
            kind = OrganizationKind.OTHER
            name = f"{rng.choice(UNIT_NOUNS)} of {PREFIX} University {parent - first:06d}"
        else:
            name = f"{PREFIX} {rng.choice(WORDS)} {KIND_NOUN[kind]} {i:06d}"
        if kind is OrganizationKind.UNIVERSITY and parent is None:
            universities.append(key)
        regions = REGIONS.get(country)
        kind_of[key] = kind.value
        country_of[key] = country
        rows.append(
            (
                key,
                *_stamp(),
                kind.value,
                name,
                f"本科{i}" if country == "CN" else None,
                f"B{i}",
                country,
                rng.choice(regions) if regions else None,
                rng.choice(CITIES),
                f"https://org{i}.bench.example",
                None,
                None,
                "active" if rng.random() < 0.95 else "inactive",
                None,
                None,
                parent,
                True,
            )
        )
    columns = ["id", *STAMP, *FIELDS, "ror_id", "description", "parent_id", "is_illustrative"]
    await w.insert("organization", columns, rows)
    return ids, kind_of, country_of


async def _alliances(
    w: _Writer, rng: random.Random, picker: _Picker, organizations: int
) -> list[list[int]]:
    count = max(3, organizations // 200)
    first = await w.next_id("alliance")
    alliances, memberships = [], []
    members_of: list[list[int]] = []
    membership_id = await w.next_id("membership")
    for a in range(count):
        key = first + a
        size = min(organizations // 2, rng.randint(20, 120))
        members = picker.pick(size)
        members_of.append(members)
        alliances.append(
            (
                key,
                *_stamp(),
                f"{PREFIX} Alliance {key:05d}",
                None,
                f"BA{a}",
                rng.choice(list(AllianceScope)).value,
                members[0],
                _day(rng, 4 * 365),
                rng.choice(CITIES),
                None,
                "A generated alliance.",
            )
        )
        roles = [MembershipRole.CHAIR, MembershipRole.VICE_CHAIR, MembershipRole.VICE_CHAIR]
        roles += [MembershipRole.DIRECTOR] * 3
        for i, organization in enumerate(members):
            role = (
                roles[i]
                if i < len(roles)
                else (MembershipRole.OBSERVER if rng.random() < 0.1 else MembershipRole.MEMBER)
            )
            joined = _day(rng, 6 * 365)
            if rng.random() < 0.1:
                # an earlier period in another role, over before the current one began
                earlier = joined - timedelta(days=rng.randint(400, 1500))
                memberships.append(
                    (
                        membership_id,
                        *_stamp(),
                        key,
                        organization,
                        MembershipRole.OBSERVER.value,
                        earlier,
                        joined - timedelta(days=1),
                    )
                )
                membership_id += 1
            memberships.append(
                (membership_id, *_stamp(), key, organization, role.value, joined, None)
            )
            membership_id += 1
    await w.insert(
        "alliance",
        [
            "id",
            *STAMP,
            "name",
            "local_name",
            "short_name",
            "scope",
            "secretariat_id",
            "founded_on",
            "founded_place",
            "website",
            "description",
        ],
        alliances,
    )
    await w.insert(
        "membership",
        ["id", *STAMP, "alliance_id", "organization_id", "role", "joined_on", "left_on"],
        memberships,
    )
    return members_of


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


class _Ids:
    def __init__(self, start: int) -> None:
        self.value = start

    def __next__(self) -> int:
        value = self.value
        self.value += 1
        return value


async def _agreements(
    w: _Writer,
    rng: random.Random,
    picker: _Picker,
    members_of: list[list[int]],
    count: int,
) -> tuple[int, int]:
    """Insert `count` agreements in chunks; returns (first id, count)."""
    first = await w.next_id("agreement")
    party_ids = _Ids(await w.next_id("agreement_party"))
    mode_ids = _Ids(await w.next_id("agreement_mode"))
    commitment_ids = _Ids(await w.next_id("commitment"))
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
            status: AgreementStatus = _weighted(rng, STATUSES, 1)[0]
            signed_on = _day(rng) if status in SIGNED else None
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
                    due = (effective_from or _day(rng)) + timedelta(days=rng.randint(30, 900))
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
                    *_stamp(),
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
                        *_stamp(),
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
                        *_stamp(),
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


async def _programs_and_more(
    w: _Writer,
    rng: random.Random,
    picker: _Picker,
    alliances: int,
    first_agreement: int,
    agreements: int,
) -> None:
    """Programs, activities, funding and evaluations, each tied to generated agreements."""
    party_rows = await w.connection.execute(
        sa.text(
            "SELECT agreement_id, organization_id FROM agreement_party "
            "WHERE agreement_id >= :first AND agreement_id < :last ORDER BY id"
        ),
        {"first": first_agreement, "last": first_agreement + agreements},
    )
    parties_of: dict[int, list[int]] = {}
    for agreement_id, organization_id in party_rows:
        parties_of.setdefault(agreement_id, []).append(organization_id)

    def some_agreement() -> tuple[int, list[int]]:
        key = first_agreement + rng.randrange(agreements)
        return key, parties_of[key]

    program_id = _Ids(await w.next_id("program"))
    partner_id = _Ids(await w.next_id("program_partner"))
    target_id = _Ids(await w.next_id("program_target_group"))
    programs, partners, targets = [], [], []
    program_keys = []
    for i in range(max(1, agreements // 20)):
        key = next(program_id)
        program_keys.append(key)
        agreement, orgs = some_agreement()
        starts = _day(rng)
        programs.append(
            (
                key,
                *_stamp(),
                f"{PREFIX} program {i:06d}",
                None,
                rng.choice(list(ProgramKind)).value,
                rng.choice(list(ProgramStatus)).value,
                agreement,
                rng.choice(["Art", "Engineering", "Nursing", "Logistics", "Education"]),
                rng.choice(list(DeliveryMode)).value,
                rng.choice(list(ProgramCategory)).value,
                Decimal(rng.randint(2, 30)),
                rng.randint(20, 500),
                starts,
                starts + timedelta(days=rng.randint(90, 1000)),
                None,
                True,
            )
        )
        for n, organization in enumerate(orgs):
            role = PartyRole.LEAD.value if n == 0 else PartyRole.PARTNER.value
            partners.append((next(partner_id), *_stamp(), key, organization, role))
        for group in rng.sample(list(TargetLearnerGroup), 2):
            targets.append((next(target_id), key, group.value))
    await w.insert(
        "program",
        [
            "id",
            *STAMP,
            "name",
            "local_name",
            "kind",
            "status",
            "agreement_id",
            "subject_area",
            "delivery",
            "category",
            "credits",
            "capacity",
            "starts_on",
            "ends_on",
            "description",
            "is_illustrative",
        ],
        programs,
    )
    await w.insert(
        "program_partner", ["id", *STAMP, "program_id", "organization_id", "role"], partners
    )
    await w.insert("program_target_group", ["id", "program_id", "target_group"], targets)

    first_alliance = int(await w.connection.scalar(sa.text("SELECT max(id) FROM alliance")) or 0)
    first_alliance -= alliances - 1
    activity_id = _Ids(await w.next_id("activity"))
    participant_id = _Ids(await w.next_id("activity_participant"))
    concern_id = _Ids(await w.next_id("activity_agreement"))
    activity_program_id = _Ids(await w.next_id("activity_program"))
    activities, participants, concerns, about_programs = [], [], [], []
    for i in range(max(1, agreements // 50)):
        key = next(activity_id)
        agreement, orgs = some_agreement()
        activities.append(
            (
                key,
                *_stamp(),
                rng.choice(list(ActivityKind)).value,
                f"{PREFIX} meeting {i:06d}",
                _day(rng),
                rng.choice(CITIES),
                first_alliance + rng.randrange(alliances) if rng.random() < 0.3 else None,
                "Generated.",
                "Agreed to continue.",
                None,
            )
        )
        for organization in orgs:
            participants.append((next(participant_id), key, organization, None, None))
        concerns.append((next(concern_id), key, agreement))
        if rng.random() < 0.2:
            about_programs.append((next(activity_program_id), key, rng.choice(program_keys)))
    await w.insert(
        "activity",
        [
            "id",
            *STAMP,
            "kind",
            "title",
            "held_on",
            "place",
            "alliance_id",
            "summary",
            "outcomes",
            "next_steps",
        ],
        activities,
    )
    await w.insert(
        "activity_participant",
        ["id", "activity_id", "organization_id", "person_id", "role"],
        participants,
    )
    await w.insert("activity_agreement", ["id", "activity_id", "agreement_id"], concerns)
    await w.insert("activity_program", ["id", "activity_id", "program_id"], about_programs)

    funding_id = _Ids(await w.next_id("funding"))
    funding = []
    for _ in range(max(1, agreements // 20)):
        agreement, _orgs = some_agreement()
        awarded = _day(rng)
        funding.append(
            (
                next(funding_id),
                *_stamp(),
                picker.pick(1)[0],
                agreement,
                None,
                "Special fund",
                Decimal(rng.randint(10, 5_000)) * 1000,
                rng.choice(["CNY", "CNY", "USD", "EUR"]),
                awarded,
                awarded,
                awarded + timedelta(days=365 * rng.randint(1, 3)),
            )
        )
    await w.insert(
        "funding",
        [
            "id",
            *STAMP,
            "funder_id",
            "agreement_id",
            "program_id",
            "title",
            "amount",
            "currency",
            "awarded_on",
            "starts_on",
            "ends_on",
        ],
        funding,
    )

    evaluation_id = _Ids(await w.next_id("evaluation"))
    measure_id = _Ids(await w.next_id("evaluation_measure"))
    evaluations, measures = [], []
    for _ in range(max(1, agreements // 20)):
        key = next(evaluation_id)
        agreement, orgs = some_agreement()
        end = _day(rng)
        evaluations.append(
            (
                key,
                *_stamp(),
                agreement,
                None,
                orgs[0],
                end - timedelta(days=365),
                end,
                Decimal(rng.randint(40, 100)),
                None,
            )
        )
        for indicator in rng.sample(list(EvaluationIndicator), 2):
            target = rng.randint(10, 500)
            measures.append(
                (next(measure_id), key, indicator.value, Decimal(target), Decimal(target // 2))
            )
    await w.insert(
        "evaluation",
        [
            "id",
            *STAMP,
            "agreement_id",
            "program_id",
            "evaluator_id",
            "period_start",
            "period_end",
            "score",
            "notes",
        ],
        evaluations,
    )
    await w.insert(
        "evaluation_measure", ["id", "evaluation_id", "indicator", "target", "actual"], measures
    )


TABLES = [
    "organization",
    "alliance",
    "membership",
    "agreement",
    "agreement_party",
    "agreement_mode",
    "commitment",
    "program",
    "program_partner",
    "program_target_group",
    "activity",
    "activity_participant",
    "activity_agreement",
    "activity_program",
    "funding",
    "evaluation",
    "evaluation_measure",
]


async def generate(
    engine: AsyncEngine, *, organizations: int, agreements: int, seed: int = 1
) -> None:
    """Add a generated network to a migrated database (see the module's docstring)."""
    if organizations < 10:
        raise ValueError("at least 10 organizations")
    rng = random.Random(seed)
    async with engine.begin() as connection:
        w = _Writer(connection)
        ids, _kinds, _countries = await _organizations(w, rng, organizations)
        picker = _Picker(rng, ids)
        members_of = await _alliances(w, rng, picker, organizations)
        first, count = await _agreements(w, rng, picker, members_of, agreements)
        await _programs_and_more(w, rng, picker, len(members_of), first, count)
        await w.reset_sequences(TABLES)
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(sa.text("VACUUM ANALYZE"))


async def _main(url: str, organizations: int, agreements: int, seed: int, migrate: bool) -> None:
    engine = create_engine(url)
    if migrate:
        from db.migrate import upgrade

        await upgrade(engine)
    start = time.perf_counter()
    await generate(engine, organizations=organizations, agreements=agreements, seed=seed)
    await engine.dispose()
    print(
        f"generated {organizations} organizations and {agreements} agreements "
        f"in {time.perf_counter() - start:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, required=True)
    parser.add_argument("--agreements", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--no-migrate", action="store_true", help="the database is migrated")
    args = parser.parse_args()
    agreements = args.agreements if args.agreements is not None else args.organizations * 10
    asyncio.run(
        _main(args.database_url, args.organizations, agreements, args.seed, not args.no_migrate)
    )


if __name__ == "__main__":
    main()
