"""`GET /reports/<name>.csv`: RFC 4180 in UTF-8 with a header, the same figures and the same
authorisation as GraphQL, and the renewal status of expiring agreements."""

import csv
import io
from dataclasses import replace
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import (
    AgreementKind,
    AgreementStatus,
    CollaborationMode,
    OrganizationKind,
    RenewalRule,
    TokenRole,
)
from db.tables import Agreement, AgreementParty, Organization
from resolvers.ids import encode_id
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.graph.test_network import org_id
from tests.graphql import query

pytestmark = pytest.mark.anyio

TRICKY = 'Zhōng-Wài 中外 "joint", school\r\nsecond line'


def _rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv; charset=utf-8")
    text = response.content.decode("utf-8")
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


async def _add(engine: AsyncEngine, *agreements: Agreement) -> list[int]:
    async with AsyncSession(engine) as session, session.begin():
        org = Organization(kind=OrganizationKind.UNIVERSITY.value, name="CSV University")
        session.add(org)
        session.add_all(agreements)
        await session.flush()
        assert org.id is not None
        for a in agreements:
            assert a.id is not None
            session.add(AgreementParty(agreement_id=a.id, organization_id=org.id))
        return [a.id for a in agreements if a.id is not None]


async def test_the_agreements_export_is_rfc_4180_utf_8_with_a_header(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    (key,) = await _add(
        demo_engine,
        Agreement(title=TRICKY, kind=AgreementKind.OTHER.value, status="active"),
    )
    rows = _rows(await client.get("/reports/agreements.csv"))
    assert rows[0][:5] == ["id", "reference", "title", "kind", "status"]
    listed = await query(client, "{ agreements { totalCount } }")
    assert len(rows) - 1 == listed["agreements"]["totalCount"]
    mine = [r for r in rows if r[0] == encode_id("Agreement", key)]
    assert mine and mine[0][2] == TRICKY
    filtered = _rows(await client.get("/reports/agreements.csv", params={"kind": "OTHER"}))
    assert [r[0] for r in filtered[1:]] == [encode_id("Agreement", key)]


async def test_the_summary_csv_has_the_figures_of_the_graphql_summary(
    client: httpx.AsyncClient,
) -> None:
    data = await query(
        client,
        """{ cooperationSummary(groupBy: [AGREEMENT_KIND, PARTY_COUNTRY]) {
              groups { keys { value } measures { agreements active parties programs } } } }""",
    )
    expected = [
        [*(k["value"] or "" for k in g["keys"]), *(str(v) for v in g["measures"].values())]
        for g in data["cooperationSummary"]["groups"]
    ]
    rows = _rows(
        await client.get("/reports/summary.csv", params={"groupBy": "agreement_kind,PARTY_COUNTRY"})
    )
    header = rows[0]
    assert header[:2] == ["agreement_kind", "party_country"]
    picked = [header.index(n) for n in ("agreements", "active", "parties", "programs")]
    assert [[*r[:2], *(r[i] for i in picked)] for r in rows[1:]] == expected
    totals = _rows(await client.get("/reports/summary.csv"))
    assert len(totals) == 2


async def test_trend_expiring_and_alliance_reports_download(client: httpx.AsyncClient) -> None:
    trend = _rows(
        await client.get(
            "/reports/trend.csv",
            params={"interval": "QUARTER", "from": "2021-01-01", "to": "2025-12-31"},
        )
    )
    assert trend[0][:4] == ["period", "starts_on", "ends_on", "signed"]
    assert [r[0] for r in trend[1:5]] == ["2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]
    assert len(trend) == 1 + 20
    alliance = await query(client, "{ alliances(first: 1) { nodes { id } } }")
    key = alliance["alliances"]["nodes"][0]["id"]
    members = _rows(await client.get("/reports/alliance.csv", params={"alliance": key}))
    report = await query(
        client,
        "query ($a: ID!) { allianceReport(alliance: $a) { totals { members } } }",
        {"a": key},
    )
    assert len(members) - 1 == report["allianceReport"]["totals"]["members"] > 0
    expiring = _rows(await client.get("/reports/expiring.csv", params={"within": "30"}))
    assert expiring[0][0] == "agreement_id"


async def test_renewal_status_of_expiring_agreements(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    soon = date.today() + timedelta(days=20)

    def expiring(title: str, **values: object) -> Agreement:
        fields: dict[str, object] = {
            "kind": AgreementKind.FRAMEWORK.value,
            "status": AgreementStatus.ACTIVE.value,
            "effective_from": date(2020, 1, 1),
            "effective_to": soon,
        }
        return Agreement.model_validate({"title": title, **fields, **values})

    keys = await _add(
        demo_engine,
        expiring("manual", renewal_rule=RenewalRule.MANUAL.value),
        expiring("automatic", renewal_rule=RenewalRule.AUTOMATIC.value),
        expiring("none"),
        expiring("renewing", renewal_rule=RenewalRule.MANUAL.value),
        expiring("later", effective_to=soon + timedelta(days=60)),
    )
    await _add(
        demo_engine,
        Agreement(
            title="successor",
            kind=AgreementKind.FRAMEWORK.value,
            status=AgreementStatus.UNDER_NEGOTIATION.value,
            predecessor_id=keys[3],
        ),
    )
    data = await query(
        client,
        "{ expiringAgreements(within: 30) { daysLeft renewalStatus agreement { title } "
        "successor { title } } }",
    )
    found = {e["agreement"]["title"]: e for e in data["expiringAgreements"]}
    assert {t: e["renewalStatus"] for t, e in found.items()} == {
        "manual": "DUE",
        "automatic": "AUTOMATIC",
        "none": "NOT_RENEWABLE",
        "renewing": "IN_PROGRESS",
    }
    assert found["renewing"]["successor"] == {"title": "successor"}
    assert {e["daysLeft"] for e in found.values()} == {20}
    rows = _rows(await client.get("/reports/expiring.csv", params={"within": 30}))
    assert sorted(r[1] for r in rows[1:]) == sorted(found)


async def test_reports_take_the_same_authorisation_as_graphql(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, "pgt_not_a_token") as stranger:
        response = await stranger.get("/reports/summary.csv")
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    private = replace(TEST_SETTINGS, private=True)
    async with api_client(demo_engine, None, private) as anonymous:
        assert (await anonymous.get("/reports/agreements.csv")).status_code == 401
    reporter_token = await make_token(demo_engine, TokenRole.REPORTER)
    async with (
        api_client(demo_engine, reporter_token) as reporter,
        api_client(demo_engine, databases.admin_token) as admin,
    ):
        assert _rows(await reporter.get("/reports/agreements.csv")) == [
            _rows(await admin.get("/reports/agreements.csv"))[0]
        ]
        assert _rows(await reporter.get("/reports/summary.csv")) == _rows(
            await admin.get("/reports/summary.csv")
        )


async def test_bad_csv_parameters_are_coded_400s(client: httpx.AsyncClient) -> None:
    for path, params, field in [
        ("/reports/summary.csv", {"kind": "NOPE"}, "kind"),
        ("/reports/summary.csv", {"asOf": "yesterday"}, "asOf"),
        ("/reports/summary.csv", {"party": "bm90LWFuLWlk"}, "query.party"),
        ("/reports/trend.csv", {"interval": "YEAR"}, "from"),
        ("/reports/alliance.csv", {}, "alliance"),
        ("/reports/summary.csv", {"includeUnits": "maybe"}, "includeUnits"),
    ]:
        response = await client.get(path, params=params)
        assert response.status_code == 400, (path, params)
        error = response.json()["errors"][0]["extensions"]
        assert error["code"] in {"BAD_USER_INPUT", "INVALID_ID"}
        assert error["field"] == field
    assert (await client.get("/reports/nothing.csv")).status_code == 404


async def test_the_modes_report_counts_each_mode_as_the_summary_filtered_to_it(
    client: httpx.AsyncClient,
) -> None:
    rows = _rows(await client.get("/reports/modes.csv", params={"asOf": "2026-06-30"}))
    assert rows[0][:2] == ["mode", "agreements"]
    modes = {r[0]: int(r[1]) for r in rows[1:]}
    assert set(modes) == {m.value for m in CollaborationMode}
    for mode in ("credit_recognition", "micro_specialty", "joint_degree"):
        found = await query(
            client,
            "query($m: [CollaborationMode!]) { cooperationSummary(filter: {mode: $m},"
            ' asOf: "2026-06-30") { total { agreements } } }',
            {"m": [mode.upper()]},
        )
        assert modes[mode] == found["cooperationSummary"]["total"]["agreements"]
    named = _rows(await client.get("/reports/modes.csv", params={"mode": "micro_specialty"}))
    assert [r[0] for r in named[1:]] == ["micro_specialty"]


async def test_the_csv_filter_rolls_units_up_unless_told(client: httpx.AsyncClient) -> None:
    """Jiangsu Open University's one agreement is its School of Art's (issue 18)."""
    jsou = await org_id(client, "Jiangsu Open University")
    with_units = _rows(await client.get("/reports/agreements.csv", params={"party": jsou}))
    alone = _rows(
        await client.get("/reports/agreements.csv", params={"party": jsou, "includeUnits": "false"})
    )
    assert len(with_units) == 2 and len(alone) == 1  # a header, and the agreement or none
