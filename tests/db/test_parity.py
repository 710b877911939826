"""SQLite and PostgreSQL answer the same: representative reads (every summary measure grouped by
each dimension, the report lists, the CSV reports, text searches in mixed case and non-ASCII,
lists sorted on columns with nulls, date windows) run on the demo data on both, and the JSON and
CSV answers are compared for equality."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import create_engine
from db.enums import OrganizationKind
from db.tables import (
    Agreement,
    Evaluation,
    Funding,
    Organization,
    Person,
)
from resolvers.report_terms import Dimension
from tests.conftest import Databases, api_client
from tests.graphql import query

pytestmark = pytest.mark.anyio

TODAY = date.today()

MEASURES = """
agreements active parties programs enrolments creditsEarned creditsRecognised resourcesShared
activities meanEvaluationScore byStatus { status count } funding { amount currency }
"""
SUMMARY = f"""
query ($groupBy: [ReportDimension!], $asOf: Date, $filter: AgreementFilter) {{
  cooperationSummary(groupBy: $groupBy, asOf: $asOf, filter: $filter) {{
    asOf total {{ {MEASURES} }}
    groups {{ keys {{ dimension value label }} measures {{ {MEASURES} }} }}
  }}
}}
"""
TREND = """
query ($interval: ReportInterval!) {
  cooperationTrend(interval: $interval, from: "2015-01-01", to: "2026-12-31") {
    points { period startsOn endsOn signed started ended programsStarted enrolments
             creditsEarned creditsRecognised activities evaluations funding { amount currency } }
  }
}
"""
ALLIANCE = """
query ($id: ID!, $asOf: Date) {
  allianceReport(alliance: $id, asOf: $asOf) {
    asOf
    members { role agreementsWithMembers agreementsWithNonMembers agreementsWithForeignPartners
              programs lastActivityOn meanEvaluationScore organization { name } }
    totals { members agreementsBetweenMembers agreementsWithNonMembers
             agreementsWithForeignPartners programs activities meanEvaluationScore }
  }
}
"""
EXPIRING = """
query ($within: Int!) {
  expiringAgreements(within: $within, first: 500) {
    effectiveTo daysLeft renewalRule renewalStatus agreement { title } successor { title }
  }
}
"""
AGREEMENTS = """
query ($filter: AgreementFilter, $orderBy: AgreementOrder) {
  agreements(first: 100, filter: $filter, orderBy: $orderBy) {
    totalCount nodes { title status signedOn effectiveFrom effectiveTo }
  }
}
"""
ORGANIZATIONS = """
query ($filter: OrganizationFilter, $orderBy: OrganizationOrder) {
  organizations(first: 100, filter: $filter, orderBy: $orderBy) {
    totalCount nodes { name localName country region }
  }
}
"""
PEOPLE = """
query ($filter: PersonFilter) { people(first: 100, filter: $filter) { totalCount nodes { name } } }
"""
PROGRAMS = """
query ($filter: ProgramFilter, $orderBy: ProgramOrder) {
  programs(first: 100, filter: $filter, orderBy: $orderBy) {
    totalCount nodes { name startsOn credits }
  }
}
"""
COURSES = """
query ($orderBy: CourseOrder) {
  courses(first: 100, orderBy: $orderBy) {
    nodes { title credits learningOutcomes { nodes { credits account { creditsEarned } } } }
  }
}
"""
NETWORK = """
query ($filter: NetworkFilter) {
  network(filter: $filter) {
    organizationCount edgeCount density components largestComponent isolated
    degree { rank score organization { name } } pagerank { rank score organization { name } }
  }
}
"""
WRITES = """
mutation ($organization: ID!, $agreement: ID!, $long: String!) {
  c1: createCourse(input: {title: "Parity 1", organization: $organization, credits: "2.5"}) {
    course { credits } userErrors { field code }
  }
  c2: createCourse(input: {title: "Parity 2", organization: $organization, credits: "2.555"}) {
    course { credits } userErrors { field code }
  }
  c3: createCourse(input: {title: "Parity 3", organization: $organization, credits: "0.125"}) {
    course { credits } userErrors { field code }
  }
  c4: createCourse(input: {title: $long, organization: $organization}) {
    course { title } userErrors { field code message }
  }
  createApiToken(input: {name: $long, role: REPORTER}) { userErrors { field code message } }
  createEvaluation(input: {agreement: $agreement, score: "75", periodEnd: "2025-06-30"}) {
    evaluation { score } userErrors { field code }
  }
  createFunding(input: {currency: "EUR", funder: $organization, agreement: $agreement,
                        amount: "10"}) {
    funding { amount { amount currency } } userErrors { field code }
  }
}
"""
ALLIANCES = """
query ($filter: AllianceFilter, $orderBy: AllianceOrder) {
  alliances(first: 100, filter: $filter, orderBy: $orderBy) { nodes { name foundedOn } }
}
"""
EVALUATIONS = """
query ($filter: EvaluationFilter, $orderBy: EvaluationOrder) {
  evaluations(first: 100, filter: $filter, orderBy: $orderBy) {
    nodes { periodEnd score measures { standard indicator { name } target actual } }
  }
}
"""
AGREEMENT_MONEY = """
{
  agreements(first: 100, orderBy: {field: TITLE, direction: ASC}) {
    nodes {
      title
      funding { nodes { amount { amount currency } } }
      recognitionRules { nodes { ratio maxCredits recognitions { nodes { credits } } } }
    }
  }
}
"""

ACCENTED = "École Polytechnique Fédérale de Lausanne"
GREEK = "ΕΘΝΙΚΟ ΜΕΤΣΟΒΙΟ ΠΟΛΥΤΕΧΝΕΙΟ"
CHINESE = "南昌大学"


async def _add_extras(engine: AsyncEngine) -> None:
    """What the demo lacks to tell the databases apart: names with accents and in Greek and
    Chinese, organizations without a country or region, scores whose mean does not end, funding
    in a second currency and an agreement with no dates."""
    async with AsyncSession(engine) as session, session.begin():
        session.add_all(
            [
                Organization(kind=OrganizationKind.UNIVERSITY.value, name=ACCENTED, country="CH"),
                Organization(
                    kind=OrganizationKind.UNIVERSITY.value,
                    name=GREEK,
                    local_name="Εθνικό Μετσόβιο Πολυτεχνείο",
                ),
                Organization(
                    kind=OrganizationKind.OTHER.value,
                    name="Nanchang University Alumni",
                    local_name=CHINESE + "校友会",
                    country="CN",
                ),
                Person(name="Åsa Öberg"),
            ]
        )
        agreements = (await session.exec(select(Agreement).order_by(col(Agreement.id)))).all()
        first, second = agreements[0], agreements[1]
        funder = (await session.exec(select(Organization).order_by(col(Organization.id)))).first()
        assert first.id and second.id and funder and funder.id
        for i, score in enumerate(["70.10", "80.25", "91.33"]):
            session.add(
                Evaluation(
                    agreement_id=first.id if i < 2 else second.id,
                    period_end=TODAY - timedelta(days=30 * (i + 1)),
                    score=Decimal(score),
                )
            )
        session.add(Evaluation(agreement_id=second.id, period_end=None, score=None))
        session.add(
            Funding(
                funder_id=funder.id,
                agreement_id=second.id,
                amount=Decimal("1234.5"),
                currency="EUR",
                awarded_on=TODAY - timedelta(days=10),
            )
        )
        session.add(Agreement(title="Undated agreement", kind="other", status="draft"))


def _reads(alliance_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, document, variables) of every read compared."""
    window = {"periodEndsFrom": str(TODAY - timedelta(days=65)), "periodEndsTo": str(TODAY)}
    reads: list[tuple[str, str, dict[str, Any]]] = [
        ("summary", SUMMARY, {}),
        ("summary as of 2024-06-30", SUMMARY, {"asOf": "2024-06-30"}),
        ("summary by kind and status", SUMMARY, {"groupBy": ["AGREEMENT_KIND", "STATUS"]}),
        ("summary by year, country", SUMMARY, {"groupBy": ["SIGNED_YEAR", "PARTY_COUNTRY"]}),
        ("summary by alliance, as of", SUMMARY, {"groupBy": ["ALLIANCE"], "asOf": "2025-12-31"}),
        ("alliance report", ALLIANCE, {"id": alliance_id}),
        ("alliance report as of 2025-11-18", ALLIANCE, {"id": alliance_id, "asOf": "2025-11-18"}),
        ("expiring in 10 years", EXPIRING, {"within": 3650}),
        ("expiring in 90 days", EXPIRING, {"within": 90}),
        ("money", AGREEMENT_MONEY, {}),
        ("evaluations in a window", EVALUATIONS, {"filter": window}),
        ("organizations by name", ORGANIZATIONS, {}),
        ("network", NETWORK, {}),
        ("network as of 2024", NETWORK, {"filter": {"asOf": "2024-01-01"}}),
    ]
    sorted_on_nullable = [
        ("courses", COURSES, "CREDITS"),
        ("programs", PROGRAMS, "STARTS_ON"),
        ("alliances", ALLIANCES, "FOUNDED_ON"),
        ("evaluations", EVALUATIONS, "SCORE"),
        ("evaluations", EVALUATIONS, "PERIOD_END"),
        ("organizations", ORGANIZATIONS, "COUNTRY"),
        *[("agreements", AGREEMENTS, f) for f in ["SIGNED_ON", "EFFECTIVE_FROM", "EFFECTIVE_TO"]],
    ]
    for name, document, field in sorted_on_nullable:
        for direction in ["ASC", "DESC"]:
            order = {"field": field, "direction": direction}
            reads.append((f"{name} by {field} {direction}", document, {"orderBy": order}))
    for dimension in Dimension:
        group_by = [dimension.name]
        reads.append((f"summary by {dimension.name}", SUMMARY, {"groupBy": group_by}))
    for text in ["nanchang", "NANCHANG", "école", "ÉCOLE", "FÉDÉRALE", "εθνικό", "ΜΕΤΣΟΒΙΟ",
                 "南昌", "大学", "%", "_", "\\"]:  # fmt: skip
        reads.append((f"organizations {text!r}", ORGANIZATIONS, {"filter": {"text": text}}))
    for text in ["ZHAO", "åsa", "ÖBERG"]:
        reads.append((f"people {text!r}", PEOPLE, {"filter": {"text": text}}))
    for text in ["LIFELONG", "micro-SPECIALTIES"]:
        reads.append((f"programs {text!r}", PROGRAMS, {"filter": {"text": text}}))
    for text in ["COOPERATION", "framework", "中外"]:
        reads.append((f"agreements {text!r}", AGREEMENTS, {"filter": {"text": text}}))
        reads.append((f"summary of agreements {text!r}", SUMMARY, {"filter": {"text": text}}))
    windows: list[dict[str, Any]] = [
        {"activeOn": str(TODAY)},
        {"activeOn": "2020-01-01"},
        {"expiringBefore": str(TODAY + timedelta(days=365))},
        {"signedFrom": "2019-01-01", "signedTo": "2024-12-31"},
        {"status": ["EXPIRED"]},
        {"status": ["ACTIVE", "SIGNED"]},
    ]
    for window in windows:
        reads.append((f"agreements {window}", AGREEMENTS, {"filter": window}))
        reads.append((f"summary of agreements {window}", SUMMARY, {"filter": window}))
    for interval in ["YEAR", "QUARTER", "MONTH"]:
        reads.append((f"trend by {interval}", TREND, {"interval": interval}))
    return reads


def _csv_reports(alliance_id: str) -> list[tuple[str, dict[str, str]]]:
    reports: list[tuple[str, dict[str, str]]] = [
        ("summary", {}),
        ("summary", {"groupBy": "signed_year,party_country"}),
        ("summary", {"text": "ÉCOLE"}),
        ("trend", {"interval": "quarter", "from": "2015-01-01", "to": "2026-12-31"}),
        ("alliance", {"alliance": alliance_id}),
        ("expiring", {"within": "3650"}),
        ("agreements", {}),
        ("agreements", {"status": "expired"}),
    ]
    reports += [("summary", {"groupBy": d.value}) for d in Dimension]
    return reports


async def _answers(client: httpx.AsyncClient) -> dict[str, Any]:
    found = await query(client, "{ alliances(first: 1) { nodes { id } } }")
    alliance_id = found["alliances"]["nodes"][0]["id"]
    ids = await query(
        client, "{ organizations(first: 1) { nodes { id } } agreements(first: 1) { nodes { id } } }"
    )
    written = {
        "organization": ids["organizations"]["nodes"][0]["id"],
        "agreement": ids["agreements"]["nodes"][0]["id"],
        "long": "x" * 501,
    }
    answers: dict[str, Any] = {"writes": await query(client, WRITES, written)}
    for name, document, variables in _reads(alliance_id):
        response = await client.post("/graphql", json={"query": document, "variables": variables})
        answers[name] = response.json()
    for name, params in _csv_reports(alliance_id):
        response = await client.get(f"/reports/{name}.csv", params=params)
        answers[f"{name}.csv {params}"] = (response.status_code, response.text)
    return answers


def _differences(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Where two answers differ: the path to each differing value (CSV lines as list items)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        a, b = [a[0], *a[1].split("\r\n")], [b[0], *b[1].split("\r\n")]
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return [d for k in a for d in _differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [(path, a, b)]


async def test_sqlite_and_postgresql_answer_the_same(
    both_databases: dict[str, Databases],
) -> None:
    answers: dict[str, dict[str, Any]] = {}
    for backend, databases in both_databases.items():
        engine = create_engine(await databases.demo())
        try:
            await _add_extras(engine)
            async with api_client(engine, databases.admin_token) as client:
                answers[backend] = await _answers(client)
        finally:
            await engine.dispose()
    sqlite, postgresql = answers["sqlite"], answers["postgresql"]
    differences = [
        f"{name}{path}: SQLite {a!r}, PostgreSQL {b!r}"
        for name in sqlite
        for path, a, b in _differences(sqlite[name], postgresql[name])[:3]
    ]
    assert not differences, "\n".join(differences)
    failed = {n: a["errors"] for n, a in sqlite.items() if isinstance(a, dict) and "errors" in a}
    assert not failed
    assert all(a[0] == 200 for a in sqlite.values() if isinstance(a, tuple))
