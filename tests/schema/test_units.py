"""Units roll up into their organization in every filter by organization (issue 18), and a unit
tree that would loop is refused on write; on the demo data, through the API, on both databases."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from tests.conftest import make_token
from tests.graph.test_network import NETWORK, alliance_id, org_id
from tests.graphql import query
from tests.schema.test_compiled_reads import _same
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

JSOU = "Jiangsu Open University"
TSINGHUA = "Tsinghua University"
NJU = "Nanjing University"


async def _count(client: httpx.AsyncClient, field: str, filter: dict[str, Any]) -> int:
    kind = {"agreements": "AgreementFilter", "programs": "ProgramFilter"}[field]
    data = await query(
        client, f"query ($f: {kind}) {{ {field}(filter: $f) {{ totalCount }} }}", {"f": filter}
    )
    return int(data[field]["totalCount"])


async def test_a_university_s_agreements_include_its_schools(client: httpx.AsyncClient) -> None:
    jsou = await org_id(client, JSOU)
    assert await _count(client, "agreements", {"party": jsou}) >= 1
    assert await _count(client, "agreements", {"party": jsou, "includeUnits": False}) == 0
    nested = await query(
        client,
        """query ($id: ID!) { node(id: $id) { ... on Organization {
          all: agreements { totalCount nodes { title parties { nodes { organization { name } } } } }
          own: agreements(filter: {includeUnits: false}) { totalCount }
        } } }""",
        {"id": jsou},
    )
    assert nested["node"]["own"]["totalCount"] == 0
    assert nested["node"]["all"]["totalCount"] >= 1
    parties = {
        p["organization"]["name"]
        for a in nested["node"]["all"]["nodes"]
        for p in a["parties"]["nodes"]
    }
    assert "School of Art" in parties


async def test_an_agreement_between_two_units_is_listed_once_under_their_university(
    client: httpx.AsyncClient,
) -> None:
    """Two schools of one university on one agreement: once in the university's list."""
    jsou = await org_id(client, JSOU)
    nju = await org_id(client, NJU)
    unit = await query(
        client,
        """mutation ($p: ID!) { createOrganization(input: {name: "School of Education, JSOU",
          kind: OTHER, country: "CN", parent: $p}) {
            organization { id } userErrors { message } } }""",
        {"p": jsou},
    )
    school = unit["createOrganization"]["organization"]["id"]
    art = await org_id(client, "School of Art")
    made = await query(
        client,
        """mutation ($a: ID!, $b: ID!, $c: ID!) { createAgreement(input: {
          title: "Two schools and a partner", kind: MEMORANDUM_OF_UNDERSTANDING,
          parties: [{organization: $a}, {organization: $b}, {organization: $c}]
        }) { agreement { id } userErrors { message } } }""",
        {"a": art, "b": school, "c": nju},
    )
    assert made["createAgreement"]["userErrors"] == []
    listed = await query(
        client,
        """query ($id: ID!) { node(id: $id) { ... on Organization {
          agreements(first: 50) { totalCount nodes { title } } } } }""",
        {"id": jsou},
    )
    titles = [n["title"] for n in listed["node"]["agreements"]["nodes"]]
    assert titles.count("Two schools and a partner") == 1
    assert listed["node"]["agreements"]["totalCount"] == len(titles)
    assert await _count(client, "agreements", {"party": jsou, "text": "Two schools"}) == 1


async def test_activities_of_tsinghua_include_its_department(client: httpx.AsyncClient) -> None:
    tsinghua = await org_id(client, TSINGHUA)
    data = await query(
        client,
        """query ($o: ID!) {
          all: activities(filter: {participant: $o}) { totalCount nodes { title } }
          own: activities(filter: {participant: $o, includeUnits: false}) { totalCount }
        }""",
        {"o": tsinghua},
    )
    assert data["own"]["totalCount"] == 0
    assert data["all"]["totalCount"] == 1
    assert data["all"]["nodes"][0]["title"].startswith("Special exchange on digital work")


async def test_programs_of_a_university_include_its_schools(client: httpx.AsyncClient) -> None:
    nju = await org_id(client, NJU)
    assert await _count(client, "programs", {"partner": nju}) >= 1
    assert await _count(client, "programs", {"partner": nju, "includeUnits": False}) == 0


async def test_the_cooperation_summary_of_a_party_counts_its_schools(
    client: httpx.AsyncClient,
) -> None:
    jsou = await org_id(client, JSOU)
    data = await query(
        client,
        """query ($o: ID!) {
          all: cooperationSummary(filter: {party: $o}) { total { agreements } }
          own: cooperationSummary(filter: {party: $o, includeUnits: false}) { total { agreements } }
        }""",
        {"o": jsou},
    )
    assert data["own"]["total"]["agreements"] == 0
    assert data["all"]["total"]["agreements"] >= 1


async def test_reports_group_by_top_level_institution(client: httpx.AsyncClient) -> None:
    data = await query(
        client,
        """{ cooperationSummary(groupBy: [INSTITUTION]) {
          groups { keys { value label } measures { agreements } }
        } }""",
    )
    groups = {
        g["keys"][0]["label"]: g["measures"]["agreements"]
        for g in data["cooperationSummary"]["groups"]
    }
    # the School of Art's agreement counts for Jiangsu Open University, not for the school
    assert groups[JSOU] >= 1
    assert "School of Art" not in groups
    assert groups[NJU] >= 1


async def test_the_network_collapses_units_into_their_institution(
    client: httpx.AsyncClient,
) -> None:
    async def network(filter: dict[str, Any]) -> Any:
        return (await query(client, NETWORK, {"filter": filter}))["network"]

    collapsed = await network({"ties": ["AGREEMENT"], "collapseUnits": True})
    plain = await network({"ties": ["AGREEMENT"]})
    assert collapsed["organizationCount"] < plain["organizationCount"]
    # the schools' agreement is now an edge between their universities
    partners = await query(
        client,
        """query ($id: ID!) { node(id: $id) { ... on Organization {
          partners(filter: {ties: [AGREEMENT], collapseUnits: true}) {
            nodes { organization { name } } }
        } } }""",
        {"id": await org_id(client, JSOU)},
    )
    names = {n["organization"]["name"] for n in partners["node"]["partners"]["nodes"]}
    assert names == {NJU}
    members = await network({"alliance": await alliance_id(client), "collapseUnits": True})
    assert members["organizationCount"] == 6


async def test_a_unit_tree_cycle_is_refused_and_nothing_written(
    client: httpx.AsyncClient,
) -> None:
    read = """query ($id: ID!) { node(id: $id) { ... on Organization {
      version parent { name } units { nodes { id version } } } } }"""
    jsou_id = await org_id(client, JSOU)
    jsou = (await query(client, read, {"id": jsou_id}))["node"]
    nju = await org_id(client, NJU)
    art = jsou["units"]["nodes"][0]
    update = """mutation ($id: ID!, $v: Int!, $p: ID!) {
      updateOrganization(input: {id: $id, version: $v, parent: $p}) {
        organization { id } userErrors { code field message } } }"""
    for parent in (art["id"], jsou_id):  # below itself, or itself
        refused = await query(client, update, {"id": jsou_id, "v": jsou["version"], "p": parent})
        assert refused["updateOrganization"]["organization"] is None
        [error] = refused["updateOrganization"]["userErrors"]
        assert error["field"] == "parent" and "unit of itself" in error["message"]
    after = (await query(client, read, {"id": jsou_id}))["node"]
    assert after["version"] == jsou["version"] and after["parent"] is None
    # a legitimate move still works, and the roll-up follows it
    moved = await query(client, update, {"id": art["id"], "v": art["version"], "p": nju})
    assert moved["updateOrganization"]["userErrors"] == []
    assert await _count(client, "agreements", {"party": jsou_id}) == 0
    assert await _count(client, "agreements", {"party": nju, "includeUnits": False}) == 0
    assert await _count(client, "agreements", {"party": nju}) >= 1


LISTS_OF = """... on Organization {
  name
  programs { totalCount nodes { name } }
  ownPrograms: programs(filter: {includeUnits: false}) { totalCount nodes { name } }
  micro: programs(filter: {kind: [MICRO_MAJOR]}, orderBy: {field: NAME, direction: DESC}) {
    totalCount nodes { name } }
  activities(first: 5) { totalCount pageInfo { hasNextPage endCursor } nodes { title } }
  ownActivities: activities(filter: {includeUnits: false}) { totalCount nodes { title } }
}"""
NESTED = (
    "query ($t: ID!, $n: ID!, $j: ID!) {"
    + "".join(f" {alias}: node(id: ${alias[0]}) {{ {LISTS_OF} }}" for alias in ("t", "n", "j"))
    + " }"
)


async def test_nested_lists_of_an_organization_take_in_its_units(
    client: httpx.AsyncClient, demo_engine: AsyncEngine, databases: Any
) -> None:
    """Organization.programs and .activities roll up like the top-level filters, the same on
    both roads, in one statement on PostgreSQL's compiled road, for every kind of caller."""
    names = (TSINGHUA, NJU, JSOU)
    ids = {key: await org_id(client, name) for key, name in zip("tnj", names, strict=True)}
    callers = {
        "admin": databases.admin_token,
        "anonymous": None,
        "editor": await make_token(demo_engine, TokenRole.EDITOR, organization=NJU),
    }
    counter = StatementCounter(demo_engine)
    try:
        for role, token in callers.items():
            answer = await _same(
                demo_engine, token, NESTED, ids, counter, 1 if token is None else 2
            )
            tsinghua, nju, jsou = (answer["data"][k] for k in "tnj")
            assert nju["ownPrograms"]["totalCount"] == 0, role
            assert nju["programs"]["totalCount"] >= 1, role
            assert nju["micro"]["nodes"][0]["name"] == "Micro-specialties for lifelong learning"
            assert jsou["programs"]["totalCount"] >= 1, role
            if role != "anonymous":  # activities are seen by their participants
                assert tsinghua["ownActivities"]["totalCount"] == 0, role
        admin = (await _same(demo_engine, databases.admin_token, NESTED, ids))["data"]
        tsinghua = admin["t"]
        assert tsinghua["activities"]["totalCount"] == 1
        assert tsinghua["activities"]["nodes"][0]["title"].startswith("Special exchange")
    finally:
        counter.close()
