"""Reports: the summary agrees with the lists (property-based), `asOf`, trends, alliances,
expiring agreements, and who counts what."""

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
    TokenRole,
)
from db.tables import (
    Agreement,
    AgreementParty,
    Alliance,
    HistoryEntry,
    Membership,
    Organization,
    Program,
)
from tests.conftest import Databases, api_client, make_token
from tests.graphql import errors_of, query
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

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


async def _add_varied(engine: AsyncEngine, seed: int = 7) -> None:
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


@pytest.fixture
async def varied(demo_engine: AsyncEngine) -> AsyncEngine:
    """The demo database plus the varied agreements (made once per test function)."""
    await _add_varied(demo_engine)
    return demo_engine


@pytest.fixture
async def clients(
    varied: AsyncEngine, databases: Databases
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """An admin, an editor (Jiangsu Open University), the Jiangxi secretariat and a reporter."""
    tokens = {
        "admin": databases.admin_token,
        "editor": await make_token(
            varied, TokenRole.EDITOR, organization="Jiangsu Open University"
        ),
        "secretariat": await make_token(varied, TokenRole.SECRETARIAT, alliance=JIANGXI),
        "reporter": await make_token(varied, TokenRole.REPORTER),
        "member": await make_token(varied, TokenRole.VIEWER, organization="Report Org 01"),
    }
    async with (
        api_client(varied, tokens["admin"]) as admin,
        api_client(varied, tokens["editor"]) as editor,
        api_client(varied, tokens["secretariat"]) as secretariat,
        api_client(varied, tokens["reporter"]) as reporter,
        api_client(varied, tokens["member"]) as member,
    ):
        yield {
            "admin": admin,
            "editor": editor,
            "secretariat": secretariat,
            "reporter": reporter,
            "member": member,
        }


def _names(enum: Any) -> Any:
    return st.lists(st.sampled_from([m.name for m in enum]), min_size=1, max_size=3, unique=True)


DAYS = st.dates(min_value=date(2018, 1, 1), max_value=date(2027, 12, 31)).map(str)

FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "kind": _names(AgreementKind),
        "status": _names(AgreementStatus),
        "partyKind": _names(OrganizationKind),
        "partyCountry": st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=2),
        "signedFrom": DAYS,
        "signedTo": DAYS,
        "activeOn": DAYS,
        "expiringBefore": DAYS,
        "text": st.sampled_from(["agreement 1", "Report", "cooperation"]),
    },
)

SPLITS = {
    "AGREEMENT_KIND": "kind",
    "STATUS": "status",
    "PARTY_KIND": "partyKind",
    "PARTY_COUNTRY": "partyCountry",
}


def _with(filter: dict[str, Any], field: str, value: str) -> dict[str, Any] | None:
    """`filter` narrowed to agreements whose `field` is `value`; for the agreement's own
    fields (kind, status) that replaces a list that already holds it."""
    narrowed = dict(filter)
    if field in ("kind", "status"):
        upper = value.upper()
        if field in filter and upper not in filter[field]:
            return None
        narrowed[field] = [upper]
    else:
        # A party condition composes: "a party in CN" and "a party in DE" may both hold.
        narrowed.setdefault("_extra", []).append(
            {field: [value.upper() if field == "partyKind" else value]}
        )
    return narrowed


async def _count(client: httpx.AsyncClient, filter: dict[str, Any]) -> int:
    extra = filter.get("_extra", [])
    base = {k: v for k, v in filter.items() if k != "_extra"}
    if not extra:
        data = await query(client, COUNT, {"filter": base})
        return int(data["agreements"]["totalCount"])
    # Two party conditions on the same field cannot be written in one filter: the list is read
    # through pages (at most 100 a page) and intersected by ID.
    ids = await _ids(client, base)
    for condition in extra:
        ids &= await _ids(client, {**base, **condition})
    return len(ids)


async def _ids(client: httpx.AsyncClient, filter: dict[str, Any]) -> set[str]:
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


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    filter=FILTERS,
    role=st.sampled_from(["admin", "editor", "secretariat", "member"]),
    dimension=st.sampled_from(sorted(SPLITS)),
)
async def test_summary_counts_equal_the_lists_total_count(
    clients: dict[str, httpx.AsyncClient], filter: dict[str, Any], role: str, dimension: str
) -> None:
    client = clients[role]
    expected = await _count(client, filter)
    data = await query(client, SUMMARY, {"filter": filter, "groupBy": [dimension]})
    summary = data["cooperationSummary"]
    assert summary["total"]["agreements"] == expected
    assert sum(s["count"] for s in summary["total"]["byStatus"]) == expected
    for entry in summary["total"]["byStatus"]:
        narrowed = _with(filter, "status", entry["status"].lower())
        assert narrowed is not None
        assert entry["count"] == await _count(client, narrowed)
    single = dimension in ("AGREEMENT_KIND", "STATUS")
    if single:
        assert sum(g["measures"]["agreements"] for g in summary["groups"]) == expected
    for group in summary["groups"]:
        value = group["keys"][0]["value"]
        if value is None:
            continue
        narrowed = _with(filter, SPLITS[dimension], value)
        assert narrowed is not None
        assert group["measures"]["agreements"] == await _count(client, narrowed)


async def test_a_portal_counts_only_what_it_may_see(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    totals = {}
    for role, client in clients.items():
        data = await query(client, SUMMARY, {})
        totals[role] = data["cooperationSummary"]["total"]["agreements"]
    admin = totals["admin"]
    assert 0 < totals["editor"] < admin
    assert 0 < totals["member"] < admin
    assert 0 < totals["secretariat"] < admin


async def test_a_reporter_counts_everything_but_lists_nothing(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    grouped = {"groupBy": ["PARTY_COUNTRY", "AGREEMENT_KIND"]}
    admin = await query(clients["admin"], SUMMARY, grouped)
    reporter = await query(clients["reporter"], SUMMARY, grouped)
    assert reporter == admin
    assert admin["cooperationSummary"]["total"]["agreements"] > 60
    listed = await query(clients["reporter"], COUNT, {})
    assert listed["agreements"]["totalCount"] == 0
    expiring = await query(clients["reporter"], "{ expiringAgreements(within: 3000) { daysLeft } }")
    assert expiring["expiringAgreements"] == []


async def _insert(engine: AsyncEngine, *rows: Any) -> list[int]:
    async with AsyncSession(engine) as session, session.begin():
        session.add_all(rows)
        await session.flush()
        return [r.id for r in rows if isinstance(r, Agreement) and r.id is not None]


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


async def _party(engine: AsyncEngine, agreement_id: int, name: str) -> None:
    async with AsyncSession(engine) as session, session.begin():
        org = Organization(kind=OrganizationKind.UNIVERSITY.value, name=name, country="NZ")
        session.add(org)
        await session.flush()
        assert org.id is not None
        session.add(AgreementParty(agreement_id=agreement_id, organization_id=org.id))


async def _summary_as_of(client: httpx.AsyncClient, day: date | None) -> dict[str, int]:
    data = await query(
        client,
        SUMMARY,
        {"filter": {"partyCountry": ["NZ"]}, "asOf": str(day) if day else None},
    )
    total = data["cooperationSummary"]["total"]
    counts = {s["status"]: s["count"] for s in total["byStatus"]}
    return {"agreements": total["agreements"], "active": total["active"], **counts}


async def test_as_of_counts_an_agreement_from_its_signing_and_reads_its_status_then(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    # Loaded without history: its signing date says when it began to exist.
    (loaded,) = await _insert(
        demo_engine,
        Agreement(
            title="Loaded",
            kind=AgreementKind.FRAMEWORK.value,
            status=AgreementStatus.ACTIVE.value,
            signed_on=date(2021, 5, 1),
            effective_from=date(2021, 6, 1),
            effective_to=date(2023, 12, 31),
        ),
    )
    await _party(demo_engine, loaded, "As-of University A")
    assert await _summary_as_of(client, date(2021, 4, 30)) == {"agreements": 0, "active": 0}
    assert await _summary_as_of(client, date(2021, 5, 15)) == {
        "agreements": 1,
        "active": 0,
        "SIGNED": 1,
    }
    assert await _summary_as_of(client, date(2022, 1, 1)) == {
        "agreements": 1,
        "active": 1,
        "ACTIVE": 1,
    }
    # Past its end date it reads as expired, though nothing wrote that down.
    expired = {"agreements": 1, "active": 0, "EXPIRED": 1}
    assert await _summary_as_of(client, date(2024, 1, 1)) == expired
    assert await _summary_as_of(client, None) == expired


async def test_as_of_follows_the_history_of_an_agreement_terminated_later(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    (key,) = await _insert(
        demo_engine,
        Agreement(
            title="Terminated in 2023",
            kind=AgreementKind.JOINT_PROGRAM.value,
            status=AgreementStatus.TERMINATED.value,
            signed_on=date(2020, 3, 1),
            effective_from=date(2020, 4, 1),
            created_at=_at(date(2020, 1, 10)),
        ),
    )
    await _party(demo_engine, key, "As-of University B")
    steps = [
        (date(2020, 1, 10), None, "draft"),
        (date(2020, 3, 1), "draft", "signed"),
        (date(2020, 4, 1), "signed", "active"),
        (date(2023, 6, 1), "active", "terminated"),
    ]
    await _insert(
        demo_engine,
        *[
            HistoryEntry(
                subject_type="agreement",
                subject_id=key,
                agreement_id=key,
                action="created" if old is None else new,
                changed_at=_at(day),
                changes={"status": {"old": old, "new": new}, "title": {"old": None, "new": "x"}},
            )
            for day, old, new in steps
        ],
    )
    assert await _summary_as_of(client, date(2020, 1, 9)) == {"agreements": 0, "active": 0}
    assert (await _summary_as_of(client, date(2020, 2, 1)))["DRAFT"] == 1
    assert await _summary_as_of(client, date(2022, 1, 1)) == {
        "agreements": 1,
        "active": 1,
        "ACTIVE": 1,
    }
    # Terminated on 2023-06-01: still counted, as active, the day before; terminated from then.
    assert (await _summary_as_of(client, date(2023, 5, 31)))["ACTIVE"] == 1
    terminated = {"agreements": 1, "active": 0, "TERMINATED": 1}
    assert await _summary_as_of(client, date(2023, 6, 1)) == terminated
    assert await _summary_as_of(client, None) == terminated
    # Filtering by status uses the status of that day.
    data = await query(
        client,
        SUMMARY,
        {"filter": {"partyCountry": ["NZ"], "status": ["ACTIVE"]}, "asOf": "2022-01-01"},
    )
    assert data["cooperationSummary"]["total"]["agreements"] == 1


async def test_trend_has_every_period_with_zeros_and_sums_to_the_list(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    client = clients["admin"]
    data = await query(
        client,
        """{ cooperationTrend(interval: QUARTER, from: "2019-02-10", to: "2025-12-31") {
              points { period startsOn endsOn signed started } } }""",
    )
    points = data["cooperationTrend"]["points"]
    assert len(points) == 7 * 4
    assert points[0] == {
        "period": "2019-Q1",
        "startsOn": "2019-01-01",
        "endsOn": "2019-03-31",
        "signed": points[0]["signed"],
        "started": points[0]["started"],
    }
    assert any(p["signed"] == 0 for p in points)
    listed = await _count(client, {"signedFrom": "2019-01-01", "signedTo": "2025-12-31"})
    assert sum(p["signed"] for p in points) == listed
    months = await query(
        client,
        """{ cooperationTrend(interval: MONTH, from: "2024-11-05", to: "2025-02-01") {
              points { period } } }""",
    )
    assert [p["period"] for p in months["cooperationTrend"]["points"]] == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]


async def test_bad_report_arguments_are_coded_errors(client: httpx.AsyncClient) -> None:
    errors = await errors_of(
        client,
        """{ cooperationTrend(interval: YEAR, from: "2025-01-01", to: "2024-01-01") {
             points { period } } }""",
    )
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = await errors_of(
        client,
        """{ cooperationTrend(interval: MONTH, from: "1900-01-01", to: "2025-01-01") {
             points { period } } }""",
    )
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = await errors_of(
        client,
        """{ cooperationSummary(groupBy: [STATUS, AGREEMENT_KIND, PARTY_KIND, PARTY_COUNTRY,
             PARTY_REGION]) { total { agreements } } }""",
    )
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = await errors_of(
        client, '{ allianceReport(alliance: "QWxsaWFuY2U6OTk") { totals { members } } }'
    )
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    errors = await errors_of(client, "{ expiringAgreements(within: -1) { daysLeft } }")
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_summary_runs_only_the_sql_of_the_figures_it_asks_for(
    client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    lean = (
        "{ cooperationSummary(groupBy: [AGREEMENT_KIND]) { groups { measures { agreements } } } }"
    )
    full = """{ cooperationSummary(groupBy: [AGREEMENT_KIND]) { groups { measures {
                  agreements parties programs funding { amount currency } } } } }"""
    statements.reset()
    few = await query(client, lean)
    lean_count = statements.count
    statements.reset()
    many = await query(client, full)
    assert statements.count > lean_count
    assert [g["measures"]["agreements"] for g in few["cooperationSummary"]["groups"]] == [
        g["measures"]["agreements"] for g in many["cooperationSummary"]["groups"]
    ]
    assert any(g["measures"]["programs"] for g in many["cooperationSummary"]["groups"])


@pytest.mark.parametrize("as_of", [None, "2024-06-30"])
async def test_every_dimension_groups_each_agreement_under_its_values(
    clients: dict[str, httpx.AsyncClient], as_of: str | None
) -> None:
    """Each dimension, alone, as of today and as of a past day: its groups hold every counted
    agreement at least once, and a single-valued dimension's groups add up to the total."""
    client = clients["admin"]
    single = {"AGREEMENT_KIND", "STATUS", "SIGNED_YEAR", "SIGNED_QUARTER", "START_YEAR"}
    single |= {"START_QUARTER"}
    for dimension in [
        "AGREEMENT_KIND",
        "STATUS",
        "PARTY_KIND",
        "PARTY_COUNTRY",
        "PARTY_REGION",
        "ALLIANCE",
        "SIGNED_YEAR",
        "SIGNED_QUARTER",
        "START_YEAR",
        "START_QUARTER",
        "PROGRAM_KIND",
        "PROGRAM_CATEGORY",
    ]:
        data = await query(
            client,
            """query ($groupBy: [ReportDimension!], $asOf: Date) {
                 cooperationSummary(groupBy: $groupBy, asOf: $asOf) {
                   total { agreements }
                   groups { keys { value label } measures { agreements } } } }""",
            {"groupBy": [dimension], "asOf": as_of},
        )
        summary = data["cooperationSummary"]
        counts = [g["measures"]["agreements"] for g in summary["groups"]]
        total = summary["total"]["agreements"]
        assert total > 0
        if dimension in single:
            assert sum(counts) == total, dimension
        else:
            assert sum(counts) >= total and max(counts) <= total, dimension
        values = [g["keys"][0]["value"] for g in summary["groups"]]
        if dimension.endswith("QUARTER"):
            assert all(v is None or v[4:6] == "-Q" for v in values), values
        if dimension == "ALLIANCE":
            labelled = [g["keys"][0]["label"] for g in summary["groups"] if g["keys"][0]["value"]]
            assert JIANGXI in labelled
