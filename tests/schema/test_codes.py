"""ISCED-F 2013 fields, EQF levels and credit units: the lists, the labels of a program's and a
course's codes, the filters, and a code not in its list refused with nothing written."""

from typing import Any

import httpx
import pytest

from tests.graphql import errors_of, query

pytestmark = pytest.mark.anyio

_LABELS = """iscedFCode eqfLevel creditUnitCode credits ectsCredits
    fieldOfStudy { code label level narrow { code label } broad { code label } }
    eqf { level knowledge qfEheaCycle }
    creditUnit { code ectsPerUnit }"""


async def _create(client: httpx.AsyncClient, name: str, given: dict[str, Any]) -> dict[str, Any]:
    data = await query(
        client,
        f"mutation ($input: Create{name}Input!) {{ create{name}(input: $input) {{ "
        f"{name.lower()} {{ id version {_LABELS} }} userErrors {{ code field message }} }} }}",
        {"input": given},
    )
    payload: dict[str, Any] = data[f"create{name}"]
    return payload


async def _count(client: httpx.AsyncClient) -> tuple[int, int]:
    data = await query(client, "{ programs { totalCount } courses { totalCount } }")
    return data["programs"]["totalCount"], data["courses"]["totalCount"]


async def _organization(client: httpx.AsyncClient) -> str:
    data = await query(
        client, '{ organizations(filter: {text: "School of Art"}) { nodes { id } } }'
    )
    return str(data["organizations"]["nodes"][0]["id"])


async def test_the_official_lists_are_read_from_the_data(client: httpx.AsyncClient) -> None:
    data = await query(
        client,
        """{ broad: fieldsOfStudy(level: BROAD) { code }
             detailed: fieldsOfStudy(level: DETAILED) { code }
             arts: fieldsOfStudy(under: "021") { code label level }
             eqfLevels { level qfEheaCycle }
             creditUnits { code ectsPerUnit } }""",
    )
    assert [f["code"] for f in data["broad"]] == [
        "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "99"
    ]  # fmt: skip
    assert len(data["detailed"]) == 149
    assert data["arts"][0] == {"code": "021", "label": "Arts", "level": "NARROW"}
    assert {"code": "0213", "label": "Fine arts", "level": "DETAILED"} in data["arts"]
    assert len(data["arts"]) == 8
    assert [e["level"] for e in data["eqfLevels"]] == list(range(1, 9))
    assert data["eqfLevels"][6] == {"level": 7, "qfEheaCycle": "second cycle"}
    units = {u["code"]: u["ectsPerUnit"] for u in data["creditUnits"]}
    assert units["ECTS"] == "1.0000"
    assert units["UK_CREDIT"] == "0.5000"
    assert units["CN_CREDIT"] is None


async def test_a_program_shows_its_codes_with_their_labels(client: httpx.AsyncClient) -> None:
    payload = await _create(
        client,
        "Program",
        {
            "name": "Coded program",
            "kind": "MICRO_MAJOR",
            "iscedFCode": "0213",
            "eqfLevel": 6,
            "creditUnitCode": "UK_CREDIT",
            "credits": "20",
        },
    )
    assert payload["userErrors"] == []
    program = payload["program"]
    assert program["fieldOfStudy"] == {
        "code": "0213",
        "label": "Fine arts",
        "level": "DETAILED",
        "narrow": {"code": "021", "label": "Arts"},
        "broad": {"code": "02", "label": "Arts and humanities"},
    }
    assert program["eqf"]["qfEheaCycle"] == "first cycle"
    assert program["eqf"]["knowledge"].startswith("Advanced knowledge of a field")
    assert program["creditUnit"] == {"code": "UK_CREDIT", "ectsPerUnit": "0.5000"}
    assert program["ectsCredits"] == "10.00"


async def test_a_unit_without_a_conversion_gives_no_ects(client: httpx.AsyncClient) -> None:
    payload = await _create(
        client,
        "Course",
        {
            "title": "Coded course",
            "organization": await _organization(client),
            "creditUnitCode": "CN_CREDIT",
            "credits": "2",
        },
    )
    assert payload["userErrors"] == []
    assert payload["course"]["ectsCredits"] is None
    assert payload["course"]["fieldOfStudy"] is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("iscedFCode", "0218"),
        ("iscedFCode", "021"),
        ("iscedFCode", "213"),
        ("eqfLevel", 9),
        ("eqfLevel", 0),
        ("creditUnitCode", "ECTS-ish"),
    ],
)
@pytest.mark.parametrize("entity", ["Program", "Course"])
async def test_a_code_not_in_its_list_is_refused_and_nothing_written(
    client: httpx.AsyncClient, entity: str, name: str, value: Any
) -> None:
    before = await _count(client)
    given: dict[str, Any] = (
        {"name": "Bad code", "kind": "MICRO_COURSE"}
        if entity == "Program"
        else {"title": "Bad code", "organization": await _organization(client)}
    )
    payload = await _create(client, entity, {**given, name: value})
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("UNKNOWN_CODE", name)]
    assert payload[entity.lower()] is None
    assert await _count(client) == before


async def test_an_update_with_an_unknown_code_changes_nothing(client: httpx.AsyncClient) -> None:
    created = (await _create(client, "Program", {"name": "P", "kind": "MICRO_COURSE"}))["program"]
    data = await query(
        client,
        """mutation ($input: UpdateProgramInput!) { updateProgram(input: $input) {
             program { version } userErrors { code field message } } }""",
        {"input": {"id": created["id"], "version": created["version"], "iscedFCode": "0299x"}},
    )
    [error] = data["updateProgram"]["userErrors"]
    assert (error["code"], error["field"]) == ("UNKNOWN_CODE", "iscedFCode")
    again = await query(
        client, "query ($id: ID!) { node(id: $id) { ... on Program { version iscedFCode } } }",
        {"id": created["id"]},
    )  # fmt: skip
    assert again["node"] == {"version": created["version"], "iscedFCode": None}


async def test_filters_match_a_field_and_everything_under_it(client: httpx.AsyncClient) -> None:
    for code, level in (("0213", 6), ("0311", 7)):
        await _create(
            client, "Program", {"name": f"F{code}", "kind": "MICRO_COURSE", "iscedFCode": code,
                                "eqfLevel": level},
        )  # fmt: skip
    found = {}
    for given in (["02"], ["021"], ["0213"], ["03", "02"], ["05"]):
        data = await query(
            client,
            "query ($f: [String!]) { programs(filter: {fieldOfStudy: $f}) { nodes { name } } }",
            {"f": given},
        )
        found[",".join(given)] = sorted(n["name"] for n in data["programs"]["nodes"])
    assert found == {
        "02": ["F0213"],
        "021": ["F0213"],
        "0213": ["F0213"],
        "03,02": ["F0213", "F0311"],
        "05": [],
    }
    data = await query(client, "{ programs(filter: {eqfLevel: [7]}) { nodes { name } } }")
    assert [n["name"] for n in data["programs"]["nodes"]] == ["F0311"]
    [error] = await errors_of(client, '{ courses(filter: {fieldOfStudy: ["2"]}) { totalCount } }')
    assert error["extensions"]["code"] == "UNKNOWN_CODE"
    [error] = await errors_of(client, '{ fieldsOfStudy(under: "0A") { code } }')
    assert error["extensions"]["code"] == "UNKNOWN_CODE"
