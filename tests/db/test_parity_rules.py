"""The rules that make SQLite answer as PostgreSQL does, each checked on both backends: decimals
with their column's places, null keys last, case folding of every letter in text searches, and
date windows counted the same. tests/db/test_parity.py compares the two backends' answers whole."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import unicode_lower
from db.enums import AgreementKind, AgreementStatus, OrganizationKind
from db.tables import Agreement, Evaluation, Organization, Person
from resolvers.decimals import mean, scaled, zero
from resolvers.ids import decode_id
from resolvers.report_terms import EVALUATION, FUNDING, LABELLED, OUTCOME, Dimension
from tests.graphql import query

pytestmark = pytest.mark.anyio

TODAY = date.today()
TWO_PLACES = re.compile(r"^\d+\.\d\d$")
CREDITS = "creditsEarned creditsRecognised meanEvaluationScore funding { amount currency }"


def test_sums_read_as_floats_get_their_columns_places() -> None:
    assert scaled(150.35000000000002, EVALUATION.c.score) == Decimal("150.35")
    assert str(scaled(2.0, OUTCOME.c.credits)) == "2.00"
    assert str(scaled(2, OUTCOME.c.credits)) == "2.00"
    assert str(scaled(Decimal("1234.5"), FUNDING.c.amount)) == "1234.50"
    assert str(scaled(None, FUNDING.c.amount)) == str(zero(FUNDING.c.amount)) == "0.00"
    assert str(mean(Decimal("150.35"), 2, EVALUATION.c.score)) == "75.18"  # halves to even
    assert mean(Decimal(0), 0, EVALUATION.c.score) is None


async def test_summary_and_trend_decimals_have_two_places(client: httpx.AsyncClient) -> None:
    data = await query(
        client,
        f"""{{ cooperationSummary(groupBy: [STATUS]) {{
              total {{ {CREDITS} }} groups {{ measures {{ {CREDITS} }} }} }}
            cooperationTrend(interval: YEAR, from: "2015-01-01", to: "2026-12-31") {{
              points {{ creditsEarned creditsRecognised funding {{ amount }} }} }} }}""",
    )
    summary = data["cooperationSummary"]
    # the demo learner's two courses of 2 credits; "4" on SQLite before
    assert summary["total"]["creditsEarned"] == "4.00"
    measures = [summary["total"], *[g["measures"] for g in summary["groups"]]]
    points = data["cooperationTrend"]["points"]
    values = [
        *[m[name] for m in measures for name in ("creditsEarned", "creditsRecognised")],
        *[m["meanEvaluationScore"] for m in measures if m["meanEvaluationScore"] is not None],
        *[f["amount"] for m in measures for f in m["funding"]],
        *[p[name] for p in points for name in ("creditsEarned", "creditsRecognised")],
        *[f["amount"] for p in points for f in p["funding"]],
    ]
    assert "0.00" in values  # "0" on both before
    assert all(TWO_PLACES.match(v) for v in values), values


async def test_csv_decimals_have_two_places(client: httpx.AsyncClient) -> None:
    response = await client.get("/reports/summary.csv", params={"groupBy": "status"})
    header, *rows = list(csv.reader(io.StringIO(response.text, newline="")))
    columns = [i for i, name in enumerate(header) if name.startswith(("credits", "funding_"))]
    assert len(columns) >= 3
    cells = [row[i] for row in rows for i in columns]
    assert "4.00" in cells and "0.00" in cells  # the demo learner's 4 credits
    assert all(TWO_PLACES.match(c) for c in cells), cells


async def test_a_mean_score_is_exact_not_a_mean_of_floats(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    async with AsyncSession(demo_engine) as session, session.begin():
        agreement = Agreement(
            title="Mean of scores", kind=AgreementKind.OTHER.value, status="active"
        )
        session.add(agreement)
        await session.flush()
        for score in ["70.10", "80.25"]:
            session.add(Evaluation(agreement_id=agreement.id, score=Decimal(score)))
    data = await query(
        client,
        '{ cooperationSummary(filter: {text: "Mean of scores"}) '
        "{ total { meanEvaluationScore } } }",
    )
    # 150.35 / 2 = 75.175, halved to even; SQLite's float sum said 75.17.
    assert data["cooperationSummary"]["total"]["meanEvaluationScore"] == "75.18"


async def test_groups_with_a_null_key_come_last(client: httpx.AsyncClient) -> None:
    with_nulls = 0
    for dimension in Dimension:
        data = await query(
            client,
            f"{{ cooperationSummary(groupBy: [{dimension.name}]) "
            "{ groups { keys { value } } } }",
        )
        keys = [g["keys"][0]["value"] for g in data["cooperationSummary"]["groups"]]
        if None in keys:
            with_nulls += 1
            assert keys.index(None) == len(keys) - 1, (dimension, keys)
        if dimension in LABELLED:  # keyed by a global ID: in the order of the records' ids
            assert keys == sorted(keys, key=lambda k: (k is None, decode_id(k)[1] if k else 0)), (
                dimension,
                keys,
            )
        else:
            assert keys == sorted(keys, key=lambda k: (k is None, k or "")), (dimension, keys)
    assert with_nulls >= 3


def test_sqlite_lower_folds_every_letter_as_postgresql_does() -> None:
    # What PostgreSQL 15's lower() answers for the same text (C.UTF-8).
    assert unicode_lower("ÉCOLE Ōsaka İ ß ΣΑΣ") == "école ōsaka i ß \u03c3\u03b1\u03c3"
    assert unicode_lower("Nanchang 南昌大学") == "nanchang 南昌大学"
    assert unicode_lower(None) is None


async def test_text_search_ignores_the_case_of_every_letter(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    async with AsyncSession(demo_engine) as session, session.begin():
        session.add(
            Organization(
                kind=OrganizationKind.UNIVERSITY.value,
                name="École Polytechnique Fédérale de Lausanne",
                local_name="Εθνικό Μετσόβιο",
            )
        )
        session.add(Person(name="Åsa Öberg"))
    for text in ["école", "ÉCOLE", "fédérale", "ΕΘΝΙΚΌ", "εθνικό"]:
        data = await query(
            client,
            "query ($text: String) { organizations(filter: {text: $text}) { nodes { name } } }",
            {"text": text},
        )
        names = [n["name"] for n in data["organizations"]["nodes"]]
        assert names == ["École Polytechnique Fédérale de Lausanne"], text
    for text in ["åsa", "ÖBERG"]:
        data = await query(
            client,
            "query ($text: String) { people(filter: {text: $text}) { nodes { name } } }",
            {"text": text},
        )
        assert [n["name"] for n in data["people"]["nodes"]] == ["Åsa Öberg"], text


async def test_date_windows_count_their_first_and_last_day(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    ends = {"ends today": 0, "ends in 30 days": 30, "ends in 31 days": 31, "ended": -1}
    async with AsyncSession(demo_engine) as session, session.begin():
        for title, days in ends.items():
            session.add(
                Agreement(
                    title=title,
                    kind=AgreementKind.OTHER.value,
                    status=AgreementStatus.ACTIVE.value,
                    effective_from=date(2020, 1, 1),
                    effective_to=TODAY + timedelta(days=days),
                )
            )
    data = await query(
        client,
        f"""{{ expiringAgreements(within: 30) {{ daysLeft agreement {{ title }} }}
              activeToday: agreements(filter: {{activeOn: "{TODAY}", text: "ends"}}) {{
                nodes {{ title }} }}
              expired: agreements(filter: {{status: [EXPIRED], text: "ended"}}) {{
                nodes {{ title status }} }} }}""",
    )
    expiring = {e["agreement"]["title"]: e["daysLeft"] for e in data["expiringAgreements"]}
    assert {t: d for t, d in expiring.items() if t in ends} == {
        "ends today": 0,
        "ends in 30 days": 30,
    }
    assert sorted(n["title"] for n in data["activeToday"]["nodes"]) == [
        "ends in 30 days",
        "ends in 31 days",
        "ends today",
    ]
    assert data["expired"]["nodes"] == [{"title": "ended", "status": "EXPIRED"}]


async def test_writes_round_decimals_and_refuse_long_texts_as_postgresql_does(
    client: httpx.AsyncClient,
) -> None:
    found = await query(client, "{ organizations(first: 1) { nodes { id } } }")
    organization = found["organizations"]["nodes"][0]["id"]
    written = await query(
        client,
        """mutation ($organization: ID!, $long: String!) {
          a: createCourse(input: {title: "A", organization: $organization, credits: "0.125"}) {
            course { credits } }
          b: createCourse(input: {title: "B", organization: $organization, credits: "2.555"}) {
            course { credits } }
          c: createCourse(input: {title: $long, organization: $organization}) {
            course { title } userErrors { field code message } }
          d: createApiToken(input: {name: $long, role: REPORTER}) {
            secret userErrors { field code message } }
        }""",
        {"organization": organization, "long": "x" * 501},
    )
    # PostgreSQL's NUMERIC(8, 2) rounds halves away from zero; SQLite read back 0.12.
    assert [written[k]["course"]["credits"] for k in "ab"] == ["0.13", "2.56"]
    refused = {
        "field": None,
        "code": "INVALID_VALUE",
        "message": "a text is too long for its field",
    }
    assert written["c"] == {"course": None, "userErrors": [refused]}  # SQLite stored it whole
    assert written["d"] == {"secret": None, "userErrors": [refused]}
