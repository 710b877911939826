"""Indicators with targets (issue 18): the five old evaluation indicators kept as standard ones,
the indicators the sources name for the demo, targets per period, values recorded in
evaluations, progress counted in SQL, who may write them, bad input refused with nothing
written, and the change feed."""

import re
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from resolvers.errors import BadUserInput
from resolvers.indicators import _progress_statement, parse_period
from resolvers.viewer import Role, Viewer
from tests.changes.feed import events_after, feed_end
from tests.conftest import api_client, make_token
from tests.graphql import errors_of, mutate, query, user_errors
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

ALLIANCE = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"
PROGRAM = "Micro-specialties for lifelong learning"
JSOU = "Jiangsu Open University"

PROGRAM_QUERY = """query ($t: String!, $p: String!) {
  programs(first: 1, filter: {text: $t}) { nodes {
    id
    indicators(first: 20) { nodes { id name unit direction computation description version
      standard targets { period target notes } } }
    progress(period: $p) { indicator { name } period periodStart periodEnd value target gap met }
    evaluations(first: 5) { nodes { id version measures { standard target actual
      indicator { name unit standard } } } }
  } } }"""

ALLIANCE_QUERY = """query ($p: String!) { alliances(first: 5) { nodes {
  id name
  indicators(first: 20) { nodes { id name computation targets { period target } } }
  progress(period: $p) { indicator { name } value target gap met }
} } }"""

INDICATOR = "indicator { id name version targets { period target notes } }"

PROGRESS = """query ($t: String!) { programs(first: 1, filter: {text: $t}) { nodes {
  progress(period: "2026") { indicator { name targets { period } } value target gap met }
} } }"""
"""The indicators' ids, their progress, the indicators, their targets: one statement each."""


async def _program(client: httpx.AsyncClient, period: str = "2026") -> dict[str, Any]:
    [found] = (await query(client, PROGRAM_QUERY, {"t": PROGRAM, "p": period}))["programs"]["nodes"]
    return dict(found)


async def _alliance(client: httpx.AsyncClient, period: str) -> dict[str, Any]:
    nodes = (await query(client, ALLIANCE_QUERY, {"p": period}))["alliances"]["nodes"]
    [found] = [n for n in nodes if n["name"] == ALLIANCE]
    return dict(found)


async def _create(client: httpx.AsyncClient, given: dict[str, Any]) -> dict[str, Any]:
    return await mutate(
        client,
        "createIndicator",
        given,
        "indicator { id name version direction computation program { name } }",
    )


async def test_the_old_evaluation_indicators_keep_their_meaning_as_standard_ones(
    client: httpx.AsyncClient,
) -> None:
    data = await query(client, "{ standardIndicators { standard name unit computation } }")
    assert [i["standard"] for i in data["standardIndicators"]] == [
        "CREDITS_RECOGNISED",
        "ENROLMENTS",
        "FUNDS_SPENT",
        "INTERNSHIPS_PLACED",
        "PUBLICATIONS",
    ]
    assert {i["computation"] for i in data["standardIndicators"]} == {"MANUAL"}
    [evaluation] = (await _program(client))["evaluations"]["nodes"]
    assert evaluation["measures"] == [
        {
            "standard": "ENROLMENTS",
            "target": "40.00",
            "actual": "1.00",
            "indicator": {"name": "Enrolments", "unit": "learners", "standard": "ENROLMENTS"},
        }
    ]


async def test_the_demo_has_the_indicators_the_sources_name_without_invented_targets(
    client: httpx.AsyncClient,
) -> None:
    program = await _program(client)
    assert [i["name"] for i in program["indicators"]["nodes"]] == [
        "Credits recognised",
        "Joint courses developed",
        "Micro-credentials issued",
    ]
    for indicator in program["indicators"]["nodes"]:
        assert indicator["targets"] == []
        assert "gives no target" in indicator["description"]
    assert {p["target"] for p in program["progress"]} == {None}
    alliance = await _alliance(client, "2025")
    assert [(i["name"], i["computation"]) for i in alliance["indicators"]["nodes"]] == [
        ("Agreements signed", "AGREEMENTS_SIGNED"),
        ("Students exchanged", "MANUAL"),
    ]
    # the two Sino-foreign agreements signed at the 2025 conference, by members
    assert alliance["progress"] == [
        {
            "indicator": {"name": "Agreements signed"},
            "value": "2.00",
            "target": None,
            "gap": None,
            "met": None,
        },
        {
            "indicator": {"name": "Students exchanged"},
            "value": None,
            "target": None,
            "gap": None,
            "met": None,
        },
    ]
    assert [p["value"] for p in (await _alliance(client, "2026"))["progress"]] == ["0.00", None]


async def test_a_partner_defines_an_indicator_sets_targets_and_records_values(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    program = await _program(client)
    token = await make_token(demo_engine, TokenRole.EDITOR, organization=JSOU)
    async with api_client(demo_engine, token) as editor:
        made = await _create(
            editor,
            {"program": program["id"], "name": "Learners certified", "unit": "learners"},
        )
        assert made["userErrors"] == []
        indicator = made["indicator"]
        assert (indicator["direction"], indicator["computation"]) == ("HIGHER_IS_BETTER", "MANUAL")
        for period, target in (("2026", "30"), ("2026-H1", "10")):
            set_ = await mutate(
                editor,
                "setIndicatorTarget",
                {"indicator": indicator["id"], "period": period, "target": target},
                INDICATOR,
            )
            assert set_["userErrors"] == []
        assert set_["indicator"]["targets"] == [
            {"period": "2026", "target": "30.00", "notes": None},
            {"period": "2026-H1", "target": "10.00", "notes": None},
        ]
        [evaluation] = program["evaluations"]["nodes"]
        recorded = await mutate(
            editor,
            "recordIndicatorValue",
            {"evaluation": evaluation["id"], "indicator": indicator["id"], "actual": "12"},
            "evaluation { measures { indicator { name } actual } }",
        )
        assert recorded["userErrors"] == []
        assert {"indicator": {"name": "Learners certified"}, "actual": "12.00"} in recorded[
            "evaluation"
        ]["measures"]
        # recorded again: replaced, not added
        again = await mutate(
            editor,
            "recordIndicatorValue",
            {"evaluation": evaluation["id"], "indicator": indicator["id"], "actual": "14"},
        )
        assert again["userErrors"] == []
    # the evaluation's period ends on 2026-06-30: in 2026 and in its first half, not in Q3
    progress = {
        period: next(
            p
            for p in (await _program(client, period))["progress"]
            if p["indicator"]["name"] == "Learners certified"
        )
        for period in ("2026", "2026-H1", "2026-Q3")
    }
    assert progress["2026"] == {
        "indicator": {"name": "Learners certified"},
        "period": "2026",
        "periodStart": "2026-01-01",
        "periodEnd": "2026-12-31",
        "value": "14.00",
        "target": "30.00",
        "gap": "16.00",
        "met": False,
    }
    assert (progress["2026-H1"]["gap"], progress["2026-H1"]["met"]) == ("-4.00", True)
    assert (progress["2026-Q3"]["value"], progress["2026-Q3"]["target"]) == (None, None)


async def test_lower_is_better_is_met_at_or_below_the_target(client: httpx.AsyncClient) -> None:
    program = await _program(client)
    made = await _create(
        client,
        {
            "program": program["id"],
            "name": "Dropouts",
            "unit": "learners",
            "direction": "LOWER_IS_BETTER",
        },
    )
    indicator = made["indicator"]
    await mutate(
        client, "setIndicatorTarget", {"indicator": indicator["id"], "period": "2026", "target": 3}
    )
    [evaluation] = program["evaluations"]["nodes"]
    await mutate(
        client,
        "recordIndicatorValue",
        {"evaluation": evaluation["id"], "indicator": indicator["id"], "actual": 2},
    )
    [dropouts] = [
        p for p in (await _program(client))["progress"] if p["indicator"]["name"] == "Dropouts"
    ]
    assert (dropouts["value"], dropouts["target"], dropouts["gap"], dropouts["met"]) == (
        "2.00",
        "3.00",
        "-1.00",
        True,
    )


async def test_bad_input_is_refused_and_nothing_is_written(client: httpx.AsyncClient) -> None:
    program = await _program(client)
    [credits, *_] = program["indicators"]["nodes"]
    assert credits["computation"] == "CREDITS_RECOGNISED"
    [evaluation] = program["evaluations"]["nodes"]
    cases: list[tuple[str, dict[str, Any], tuple[str, str | None]]] = [
        (
            "setIndicatorTarget",
            {"indicator": credits["id"], "period": "2026-Q5", "target": 1},
            ("BAD_USER_INPUT", "period"),
        ),
        (
            "setIndicatorTarget",
            {"indicator": credits["id"], "period": "next year", "target": 1},
            ("BAD_USER_INPUT", "period"),
        ),
        (
            "setIndicatorTarget",
            {"indicator": credits["id"], "period": "2026", "target": -1},
            ("BAD_USER_INPUT", "target"),
        ),
        (
            "removeIndicatorTarget",
            {"indicator": credits["id"], "period": "2026"},
            ("NOT_FOUND", "period"),
        ),
        (
            "recordIndicatorValue",
            {"evaluation": evaluation["id"], "indicator": credits["id"], "actual": 3},
            ("INDICATOR_NOT_APPLICABLE", "indicator"),
        ),
        (
            "recordIndicatorValue",
            {"evaluation": evaluation["id"], "indicator": credits["id"], "actual": -3},
            ("BAD_USER_INPUT", "actual"),
        ),
        (
            "createIndicator",
            {"name": "Of nobody", "unit": "things"},
            ("BAD_USER_INPUT", "alliance"),
        ),
        (
            "createIndicator",
            {"program": program["id"], "name": "  ", "unit": "things"},
            ("BAD_USER_INPUT", "name"),
        ),
    ]
    for name, given, expected in cases:
        assert user_errors(await mutate(client, name, given)) == [expected], (name, given)
    # another alliance's indicator does not apply to the program's evaluation
    alliance = await _alliance(client, "2026")
    students = alliance["indicators"]["nodes"][1]
    refused = await mutate(
        client,
        "recordIndicatorValue",
        {"evaluation": evaluation["id"], "indicator": students["id"], "actual": 3},
    )
    assert user_errors(refused) == [("INDICATOR_NOT_APPLICABLE", "indicator")]
    after = await _program(client)
    assert after["indicators"] == program["indicators"]
    assert after["evaluations"] == program["evaluations"]
    [error] = await errors_of(
        client, '{ standardIndicators { progress(period: "2026-13") { value } } }'
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_only_the_owners_editors_write_an_indicator(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    program = await _program(client)
    credits = program["indicators"]["nodes"][0]
    token = await make_token(demo_engine, TokenRole.EDITOR, organization="Tsinghua University")
    async with api_client(demo_engine, token) as other:
        created = await _create(other, {"program": program["id"], "name": "X", "unit": "x"})
        assert user_errors(created) == [("FORBIDDEN", "program")]
        target = await mutate(
            other, "setIndicatorTarget", {"indicator": credits["id"], "period": "2026"}
        )
        assert user_errors(target) == [("FORBIDDEN", "indicator")]
        updated = await mutate(
            other,
            "updateIndicator",
            {"id": credits["id"], "version": credits["version"], "name": "Renamed"},
        )
        assert user_errors(updated) == [("FORBIDDEN", "id")]
    token = await make_token(demo_engine, TokenRole.SECRETARIAT, alliance=ALLIANCE)
    alliance = await _alliance(client, "2026")
    async with api_client(demo_engine, token) as secretariat:
        made = await _create(
            secretariat, {"alliance": alliance["id"], "name": "Joint courses", "unit": "courses"}
        )
        assert made["userErrors"] == []
        deleted = await mutate(
            secretariat,
            "deleteIndicator",
            {"id": made["indicator"]["id"], "version": made["indicator"]["version"]},
        )
        assert deleted["userErrors"] == []


async def test_progress_of_many_indicators_costs_the_same_statements(
    client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    program = await _program(client)

    async def count() -> int:
        """The statements of the read once the caller's token is kept (the first read after
        a write reads it again): the fewest of three reads."""
        found = []
        for _ in range(3):
            statements.reset()
            await query(client, PROGRESS, {"t": PROGRAM})
            found.append(statements.count)
        return min(found)

    before = await count()
    for n in range(3):
        await _create(client, {"program": program["id"], "name": f"Extra {n}", "unit": "x"})
    assert await count() == before


async def test_indicator_changes_are_events_and_so_are_names(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    program = await _program(client)
    end = await feed_end(demo_engine, client)
    made = await _create(client, {"program": program["id"], "name": "Events", "unit": "x"})
    key = made["indicator"]["id"]
    await mutate(client, "setIndicatorTarget", {"indicator": key, "period": "2027", "target": 5})
    await mutate(client, "setLocalizedName", {"id": program["id"], "lang": "zh", "value": "微专业"})
    events, _ = await events_after(demo_engine, client, end)
    assert [(e["entityType"], e["kind"], e["fields"]) for e in events] == [
        ("Indicator", "CREATED", []),
        ("Indicator", "UPDATED", ["targets"]),
        ("Program", "UPDATED", ["names"]),
    ]


def test_every_count_reads_the_indicator_of_its_row() -> None:
    """Each computation is a subquery correlated to the indicator row it counts for: none of
    them brings the indicator table into its own FROM (which would count for every
    indicator's alliance or program at once)."""
    for role in (Role.REPORTER, Role.EDITOR, Role.SECRETARIAT):
        viewer = Viewer(role=role, organization_id=1, alliance_id=1, scope=frozenset({1}))
        statement = _progress_statement([1, 2], parse_period("2026"), viewer)
        dialects: list[Any] = [postgresql.dialect(), sqlite.dialect()]  # type: ignore[no-untyped-call]
        for dialect in dialects:
            sql = str(statement.compile(dialect=dialect))
            froms = re.findall(r"FROM ([^()]*?)(?:WHERE|\)|$)", sql, flags=re.S)
            assert [f for f in froms if re.search(r"\bindicator\b(?!_)", f)] == ["indicator \n"]


def test_periods_are_years_quarters_halves_or_months() -> None:
    assert (parse_period("2026-Q2").start, parse_period("2026-Q2").end) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
    )
    assert parse_period("2024-02").end == date(2024, 2, 29)
    assert parse_period("2026-H2").start == date(2026, 7, 1)
    for bad in ("2026-Q0", "2026-13", "26", "2026/01", "2026-W01", ""):
        with pytest.raises(BadUserInput):
            parse_period(bad)
