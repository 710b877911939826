"""The data and documents of the report tests: the varied agreements added to the demo, the
summary and count queries, and the count of a filter read from the lists."""

import random
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import (
    AgreementKind,
    AgreementStatus,
    OrganizationKind,
    PartyRole,
    ProgramCategory,
    ProgramKind,
    RenewalRule,
)
from db.tables import Agreement, AgreementParty, Alliance, Membership, Organization, Program
from tests.graphql import query

JIANGXI = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"


COUNTRIES = ["CN", "DE", "GB", "AU", "FR"]


TODAY = date.today()


SUMMARY = """
query ($filter: AgreementFilter, $groupBy: [ReportDimension!], $asOf: Date) {
  cooperationSummary(filter: $filter, groupBy: $groupBy, asOf: $asOf) {
    total { agreements active byStatus { status count } }
    groups { keys { dimension value } measures { agreements byStatus { status count } } }
  }
}
"""


COUNT = "query ($filter: AgreementFilter) { agreements(filter: $filter) { totalCount } }"


async def add_varied(engine: AsyncEngine, seed: int = 7) -> None:
    """Organizations of every kind in five countries, a few members of the Jiangxi alliance,
    and 60 agreements of mixed kinds, statuses, dates and parties, some with programs."""
    rng = random.Random(seed)
    async with AsyncSession(engine) as session, session.begin():
        orgs = [
            Organization(
                kind=kind.value,
                name=f"Report Org {i:02d}",
                country=COUNTRIES[i % len(COUNTRIES)],
                region=f"Region {i % 3}",
            )
            for i, kind in enumerate(list(OrganizationKind) * 2)
        ]
        session.add_all(orgs)
        await session.flush()
        alliance = (await session.exec(select(Alliance).where(Alliance.name == JIANGXI))).one()
        for org in orgs[:3]:
            assert alliance.id is not None and org.id is not None
            session.add(Membership(alliance_id=alliance.id, organization_id=org.id, role="member"))
        for i in range(60):
            status = rng.choice(list(AgreementStatus))
            signed = None
            if status not in {
                AgreementStatus.DRAFT,
                AgreementStatus.UNDER_NEGOTIATION,
                AgreementStatus.AWAITING_APPROVAL,
            }:
                signed = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 2500))
            start = signed + timedelta(days=rng.randrange(0, 90)) if signed else None
            end = start + timedelta(days=rng.randrange(200, 2500)) if start else None
            agreement = Agreement(
                title=f"Report agreement {i:02d}",
                kind=rng.choice(list(AgreementKind)).value,
                status=status.value,
                signed_on=signed,
                effective_from=start,
                effective_to=end,
                renewal_rule=rng.choice(list(RenewalRule)).value,
            )
            session.add(agreement)
            await session.flush()
            for n, org in enumerate(rng.sample(orgs, rng.randint(1, 3))):
                assert agreement.id is not None and org.id is not None
                role = PartyRole.LEAD if n == 0 else PartyRole.PARTNER
                session.add(
                    AgreementParty(
                        agreement_id=agreement.id, organization_id=org.id, role=role.value
                    )
                )
            for _ in range(rng.randint(0, 2)):
                session.add(
                    Program(
                        name=f"Report program {i:02d}",
                        kind=rng.choice(list(ProgramKind)).value,
                        category=rng.choice(list(ProgramCategory)).value,
                        agreement_id=agreement.id,
                    )
                )


async def count_agreements(client: httpx.AsyncClient, filter: dict[str, Any]) -> int:
    extra = filter.get("_extra", [])
    base = {k: v for k, v in filter.items() if k != "_extra"}
    if not extra:
        data = await query(client, COUNT, {"filter": base})
        return int(data["agreements"]["totalCount"])
    # Two party conditions on the same field cannot be written in one filter: the list is read
    # through pages (at most 100 a page) and intersected by ID.
    ids = await agreement_ids(client, base)
    for condition in extra:
        ids &= await agreement_ids(client, {**base, **condition})
    return len(ids)


async def agreement_ids(client: httpx.AsyncClient, filter: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    after = None
    while True:
        data = await query(
            client,
            """query ($filter: AgreementFilter, $after: String) {
              agreements(filter: $filter, first: 100, after: $after) {
                nodes { id } pageInfo { hasNextPage endCursor } } }""",
            {"filter": filter, "after": after},
        )
        page = data["agreements"]
        found |= {n["id"] for n in page["nodes"]}
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]
