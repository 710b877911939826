"""Reports: the summary and the trend agree with the lists (property-based), every dimension
groups each agreement, who counts what, bad arguments, and the SQL a summary runs."""

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import AgreementKind, AgreementStatus, OrganizationKind, TokenRole
from tests.conftest import Databases, api_client, make_token
from tests.graphql import errors_of, query
from tests.resolvers.report_data import (
    COUNT,
    COUNTRIES,
    JIANGXI,
    SUMMARY,
    add_varied,
    count_agreements,
)
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio


@pytest.fixture
async def varied(demo_engine: AsyncEngine) -> AsyncEngine:
    """The demo database plus the varied agreements (made once per test function)."""
    await add_varied(demo_engine)
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
@example(filter={}, role="admin", dimension="AGREEMENT_KIND")
@example(filter={}, role="admin", dimension="STATUS")
@example(filter={}, role="admin", dimension="PARTY_COUNTRY")
async def test_summary_counts_equal_the_lists_total_count(
    clients: dict[str, httpx.AsyncClient], filter: dict[str, Any], role: str, dimension: str
) -> None:
    """Also against the rollups: an admin's summary without a filter, by kind or status, is
    read from them (and its total, by party country)."""
    client = clients[role]
    expected = await count_agreements(client, filter)
    variables = {"filter": filter, "groupBy": [dimension]}
    response = await client.post("/graphql", json={"query": SUMMARY, "variables": variables})
    body = response.json()
    assert "errors" not in body, body
    data = body["data"]
    rolled = role == "admin" and not filter
    source = {"AGREEMENT_KIND": "rollup", "STATUS": "rollup"}.get(dimension, "mixed")
    assert body["extensions"]["summarySource"] == (source if rolled else "scan")
    summary = data["cooperationSummary"]
    assert summary["total"]["agreements"] == expected
    assert sum(s["count"] for s in summary["total"]["byStatus"]) == expected
    for entry in summary["total"]["byStatus"]:
        narrowed = _with(filter, "status", entry["status"].lower())
        assert narrowed is not None
        assert entry["count"] == await count_agreements(client, narrowed)
    single = dimension in ("AGREEMENT_KIND", "STATUS")
    if single:
        assert sum(g["measures"]["agreements"] for g in summary["groups"]) == expected
    for group in summary["groups"]:
        value = group["keys"][0]["value"]
        if value is None:
            continue
        narrowed = _with(filter, SPLITS[dimension], value)
        assert narrowed is not None
        assert group["measures"]["agreements"] == await count_agreements(client, narrowed)


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
    listed = await count_agreements(client, {"signedFrom": "2019-01-01", "signedTo": "2025-12-31"})
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
