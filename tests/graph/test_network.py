"""The cooperation network over GraphQL and HTTP, on the demo data, on both databases.

The demo's agreements: JUFE-UTS (1), Nanchang Hangkong-Belarusian State (2), Nanchang
University-Queen Mary-Ministry of Education (3), JUFE-Griffith-Ministry of Education (4) and
School of Art-School of Lifelong Education (5, under negotiation). The Jiangxi alliance has six
members, none of them party to an agreement with another.
"""

import asyncio
import dataclasses
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.enums import TokenRole
from graph import analytics
from graph.cache import cache_for
from resolvers.network_changes import note_load
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.factories import add_network
from tests.graphql import errors_of, post, query
from tests.native_hooks import segfault, sleep
from tests.statements import StatementCounter
from web import network_export

pytestmark = pytest.mark.anyio

JUFE = "Jiangxi University of Finance and Economics"
QMUL = "Queen Mary University of London"
MOE = "Ministry of Education"
ALLIANCE = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"
AGREEMENTS_ONLY = {"ties": ["AGREEMENT"]}


async def org_id(client: httpx.AsyncClient, name: str) -> str:
    data = await query(
        client,
        "query ($t: String!) { organizations(filter: {text: $t}) { nodes { id name } } }",
        {"t": name},
    )
    (found,) = [n["id"] for n in data["organizations"]["nodes"] if n["name"] == name]
    return str(found)


async def alliance_id(client: httpx.AsyncClient) -> str:
    data = await query(client, "{ alliances { nodes { id } } }")
    return str(data["alliances"]["nodes"][0]["id"])


NETWORK = """
query ($filter: NetworkFilter) {
  network(filter: $filter) {
    organizationCount edgeCount density components largestComponent isolated
    degree(first: 1) { rank score organization { name } }
    betweenness { exact samples top(first: 2) { rank score organization { name } } }
    pagerank(first: 1) { score organization { name } }
    communities(first: 10) { number size members(first: 20) { name } }
    bridges(first: 50) { weight source { name } target { name } ties { kind label objectId } }
    articulationPoints(first: 50) { name }
  }
}
"""


async def network(client: httpx.AsyncClient, filter: dict[str, Any] | None = None) -> Any:
    return (await query(client, NETWORK, {"filter": filter}))["network"]


async def test_the_agreement_network_of_the_demo(client: httpx.AsyncClient) -> None:
    found = await network(client, AGREEMENTS_ONLY)
    assert found["organizationCount"] == 24
    # 1 + 1 + 3 + 3 + 1 pairs; the two triangles share the Ministry.
    assert found["edgeCount"] == 9
    assert found["isolated"] == 24 - 10
    assert found["largestComponent"] == 6  # JUFE, UTS, Griffith, Ministry, Nanchang U, Queen Mary
    assert found["components"] == 14 + 3
    assert found["betweenness"]["exact"] is True
    assert found["betweenness"]["top"][0]["organization"]["name"] == MOE
    assert {p["name"] for p in found["articulationPoints"]} == {JUFE, MOE}
    bridges = {frozenset((b["source"]["name"], b["target"]["name"])): b for b in found["bridges"]}
    uts = bridges[frozenset((JUFE, "University of Technology Sydney"))]
    assert uts["weight"] == 1
    assert uts["ties"][0]["kind"] == "AGREEMENT"
    assert uts["ties"][0]["label"].startswith("Sino-foreign cooperative education agreement")
    sizes = sorted(c["size"] for c in found["communities"])
    assert sum(sizes) == 10


EDGES = """
query ($filter: NetworkFilter, $first: Int!) {
  network(filter: $filter) {
    edgeCount
    edges(first: $first) { weight source { name } target { name } ties { kind label } }
  }
}
"""


async def test_the_edges_strongest_first_each_with_its_ties(client: httpx.AsyncClient) -> None:
    everything = (await query(client, EDGES, {"filter": None, "first": 100}))["network"]
    edges = everything["edges"]
    assert len(edges) == everything["edgeCount"]
    weights = [e["weight"] for e in edges]
    assert weights == sorted(weights, reverse=True)
    assert all(e["weight"] == len(e["ties"]) for e in edges)
    agreements = (await query(client, EDGES, {"filter": AGREEMENTS_ONLY, "first": 100}))["network"]
    pairs = {frozenset((e["source"]["name"], e["target"]["name"])) for e in agreements["edges"]}
    assert len(pairs) == agreements["edgeCount"] == 9
    assert frozenset((JUFE, MOE)) in pairs
    first = (await query(client, EDGES, {"filter": AGREEMENTS_ONLY, "first": 3}))["network"]
    assert first["edges"] == agreements["edges"][:3]  # the same order every time


async def test_a_portal_has_no_edge_for_an_agreement_it_may_not_see(
    demo_engine: AsyncEngine,
) -> None:
    token = await make_token(demo_engine, TokenRole.EDITOR, organization=JUFE)
    async with api_client(demo_engine, token) as portal:
        found = (await query(portal, EDGES, {"filter": AGREEMENTS_ONLY, "first": 100}))["network"]
    labels = {t["label"] for e in found["edges"] for t in e["ties"]}
    assert "Establishment of the Queen Mary College at Nanchang University" not in labels
    assert any(JUFE in (e["source"]["name"], e["target"]["name"]) for e in found["edges"])


async def test_every_tie_kind_joins_the_network(client: httpx.AsyncClient) -> None:
    everything = await network(client)
    agreements = await network(client, AGREEMENTS_ONLY)
    assert everything["edgeCount"] > agreements["edgeCount"]
    # the alliance's six members are now a clique: JUFE and Nanchang University lead
    assert everything["degree"][0]["organization"]["name"] == JUFE
    units = await network(client, {"ties": ["UNIT"]})
    assert units["edgeCount"] == 7  # seven units of the demo under their parents


async def test_filters_narrow_the_network(client: httpx.AsyncClient) -> None:
    negotiating = await network(client, {"ties": ["AGREEMENT"], "statuses": ["UNDER_NEGOTIATION"]})
    assert negotiating["edgeCount"] == 1
    chinese = await network(client, {"ties": ["AGREEMENT"], "countries": ["cn"]})
    assert chinese["edgeCount"] == 3  # JUFE-Ministry, Nanchang U-Ministry, the two schools
    alone = {"alliance": await alliance_id(client), "includeUnits": False}
    members = await network(client, alone)
    assert members["organizationCount"] == 6 and members["edgeCount"] == 15
    with_units = await network(client, {"alliance": await alliance_id(client)})
    # Queen Mary College and Griffith College come with their universities, each one edge
    assert with_units["organizationCount"] == 8 and with_units["edgeCount"] == 17
    before = await network(client, {"alliance": await alliance_id(client), "asOf": "2025-01-01"})
    assert before["organizationCount"] == 0


async def test_bad_filters_are_errors_with_codes(client: httpx.AsyncClient) -> None:
    errors = await errors_of(client, NETWORK, {"filter": {"countries": ["Germany"]}})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = await errors_of(client, NETWORK, {"filter": {"alliance": "nonsense"}})
    assert errors[0]["extensions"]["code"] == "INVALID_ID"


async def test_each_caller_sees_only_the_agreements_it_may(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    roles = {
        "secretariat": await make_token(demo_engine, TokenRole.SECRETARIAT, alliance=ALLIANCE),
        "editor": await make_token(
            demo_engine, TokenRole.EDITOR, organization="Jiangsu Open University"
        ),
        "reporter": await make_token(demo_engine, TokenRole.REPORTER),
        "anonymous": None,
    }
    expected = {"secretariat": 8, "editor": 1, "reporter": 0, "anonymous": 0}
    for role, token in roles.items():
        async with api_client(demo_engine, token) as caller:
            found = await network(caller, AGREEMENTS_ONLY)
            assert found["edgeCount"] == expected[role], role
            public = await network(caller, {"ties": ["ALLIANCE", "PROGRAM", "UNIT"]})
            assert public["edgeCount"] == 15 + 1 + 7, role


PARTNERS = """
query ($id: ID!, $depth: Int!, $filter: NetworkFilter) {
  node(id: $id) { ... on Organization {
    partners(depth: $depth, filter: $filter, first: 10) {
      totalCount
      pageInfo { hasNextPage }
      nodes {
        hops organization { name }
        links { weight source { name } target { name } ties { kind agreement { title } } }
      }
    }
  } }
}
"""


async def test_partners_within_two_hops(client: httpx.AsyncClient) -> None:
    jufe = await org_id(client, JUFE)
    data = await query(client, PARTNERS, {"id": jufe, "depth": 2, "filter": AGREEMENTS_ONLY})
    partners = data["node"]["partners"]
    hops = {p["organization"]["name"]: p["hops"] for p in partners["nodes"]}
    assert hops == {
        "University of Technology Sydney": 1,
        "Griffith University": 1,
        MOE: 1,
        "Nanchang University": 2,
        QMUL: 2,
    }
    assert partners["totalCount"] == 5
    (queen_mary,) = [p for p in partners["nodes"] if p["organization"]["name"] == QMUL]
    (link,) = queen_mary["links"]
    assert (link["source"]["name"], link["target"]["name"]) == (MOE, QMUL)
    assert (
        link["ties"][0]["agreement"]["title"]
        == "Establishment of the Queen Mary College at Nanchang University"
    )
    one = await query(client, PARTNERS, {"id": jufe, "depth": 1, "filter": AGREEMENTS_ONLY})
    assert one["node"]["partners"]["totalCount"] == 3


async def test_partners_refuse_a_depth_out_of_range(client: httpx.AsyncClient) -> None:
    jufe = await org_id(client, JUFE)
    errors = await errors_of(client, PARTNERS, {"id": jufe, "depth": 9})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    outside = {"countries": ["AU"]}
    errors = await errors_of(client, PARTNERS, {"id": jufe, "depth": 0, "filter": outside})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_organization_outside_the_filter_has_no_partners_in_it(
    client: httpx.AsyncClient,
) -> None:
    jufe = await org_id(client, JUFE)
    data = await query(client, PARTNERS, {"id": jufe, "depth": 1, "filter": {"countries": ["AU"]}})
    assert data["node"]["partners"]["totalCount"] == 0
    assert data["node"]["partners"]["nodes"] == []


PATHS = """
query ($from: ID!, $to: ID!, $filter: NetworkFilter, $max: Int!) {
  cooperationPaths(from: $from, to: $to, filter: $filter, max: $max) {
    length
    organizations { name }
    hops { weight source { name } target { name } ties { kind objectId label } }
  }
}
"""


async def test_cooperation_paths_through_whom_and_by_what(client: httpx.AsyncClient) -> None:
    jufe, qmul = await org_id(client, JUFE), await org_id(client, QMUL)
    data = await query(
        client, PATHS, {"from": qmul, "to": jufe, "filter": AGREEMENTS_ONLY, "max": 5}
    )
    (path,) = data["cooperationPaths"]
    assert path["length"] == 2
    assert [o["name"] for o in path["organizations"]] == [QMUL, MOE, JUFE]
    assert [(h["source"]["name"], h["target"]["name"]) for h in path["hops"]] == [
        (QMUL, MOE),
        (MOE, JUFE),
    ]
    assert (
        path["hops"][1]["ties"][0]["label"]
        == "Establishment of the Griffith College of Digital Intelligence"
    )
    # with the alliance, JUFE and Nanchang University are direct partners: a shorter way round
    wider = await query(client, PATHS, {"from": qmul, "to": jufe, "max": 5})
    assert {p["length"] for p in wider["cooperationPaths"]} == {2}
    assert len(wider["cooperationPaths"]) == 2


async def test_paths_between_unconnected_organizations_are_empty(
    client: httpx.AsyncClient,
) -> None:
    jufe = await org_id(client, JUFE)
    tsinghua = await org_id(client, "Tsinghua University")
    data = await query(client, PATHS, {"from": jufe, "to": tsinghua, "max": 5})
    assert data["cooperationPaths"] == []


async def test_paths_refuse_bad_ids_and_limits(client: httpx.AsyncClient) -> None:
    jufe = await org_id(client, JUFE)
    alliance = await alliance_id(client)
    errors = await errors_of(client, PATHS, {"from": jufe, "to": alliance, "max": 5})
    assert errors[0]["extensions"]["code"] == "INVALID_ID"
    errors = await errors_of(client, PATHS, {"from": jufe, "to": jufe, "max": 500})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


ALLIANCE_NETWORK = """
query ($id: ID!, $filter: NetworkFilter, $on: [Date!]) {
  node(id: $id) { ... on Alliance {
    network(filter: $filter) {
      memberCount edgeCount density
      isolatedMembers(first: 10) { name }
      indirectPairs(first: 20) { hops first { name } second { name } }
      densityOverTime(on: $on) { on members edges density }
    }
  } }
}
"""


async def test_alliance_members_without_agreements_with_each_other(
    client: httpx.AsyncClient,
) -> None:
    data = await query(
        client,
        ALLIANCE_NETWORK,
        {"id": await alliance_id(client), "on": ["2025-01-01", "2026-01-01"]},
    )
    found = data["node"]["network"]
    assert found["memberCount"] == 6 and found["edgeCount"] == 0
    assert len(found["isolatedMembers"]) == 6
    # JUFE and Nanchang University meet through the Ministry of Education
    pairs = [(p["first"]["name"], p["second"]["name"], p["hops"]) for p in found["indirectPairs"]]
    assert pairs == [(JUFE, "Nanchang University", 2)]
    assert [(p["on"], p["members"]) for p in found["densityOverTime"]] == [
        ("2025-01-01", 0),
        ("2026-01-01", 6),
    ]


async def test_the_cached_network_follows_every_write(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    first = await network(client, AGREEMENTS_ONLY)
    cache = cache_for(demo_engine)
    builds = cache.builds
    again = await network(client, AGREEMENTS_ONLY)
    assert again == first and cache.builds == builds, "no write, no rebuild"
    tsinghua, jufe = await org_id(client, "Tsinghua University"), await org_id(client, JUFE)
    created = await query(
        client,
        """mutation ($a: ID!, $b: ID!) { createAgreement(input: {
            title: "Probe", kind: FRAMEWORK, parties: [{organization: $a}, {organization: $b}]
        }) { agreement { id } userErrors { message } } }""",
        {"a": tsinghua, "b": jufe},
    )
    assert created["createAgreement"]["userErrors"] == []
    after = await network(client, AGREEMENTS_ONLY)
    assert after["edgeCount"] == first["edgeCount"] + 1
    assert cache.builds == builds + 1


async def test_a_network_request_costs_one_more_statement_than_its_objects(
    client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    document = """query ($n: Int!) { network {
        edgeCount
        bridges(first: $n) { source { name } target { name } ties { agreement { title } } }
    } }"""
    await query(client, document, {"n": 1})  # builds the network
    counts = []
    for n in (2, 20):
        statements.reset()
        await query(client, document, {"n": n})
        counts.append(statements.count)
    assert counts == [4, 4], "the token, the change counter, the organizations, the agreements"


async def test_the_network_declares_its_cost(client: httpx.AsyncClient) -> None:
    body = await post(client, "{ network { edgeCount } }")
    assert body["extensions"]["cost"]["requested"] >= 1000


def _xml(text: str) -> ET.Element:
    return ET.fromstring(text.split("\n", 1)[1])


async def test_exports_for_graph_tools(client: httpx.AsyncClient) -> None:
    graphml = await client.get("/network/export.graphml", params={"ties": "agreement"})
    assert graphml.status_code == 200
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = _xml(graphml.text)
    assert len(root.findall(".//g:node", ns)) == 24
    assert len(root.findall(".//g:edge", ns)) == 9
    gexf = await client.get("/network/export.gexf?ties=agreement&countries=CN")
    assert gexf.status_code == 200
    assert len(_xml(gexf.text).findall(".//x:edge", {"x": "http://gexf.net/1.3"})) == 3
    cytoscape = await client.get("/network/export.cytoscape", params={"ties": "unit"})
    assert cytoscape.status_code == 200
    assert len(cytoscape.json()["elements"]["edges"]) == 7


async def test_exports_obey_the_same_authorisation(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, None) as anonymous:
        found = await anonymous.get("/network/export.cytoscape", params={"ties": "agreement"})
        assert found.status_code == 200
        assert found.json()["elements"]["edges"] == []
    async with api_client(demo_engine, "pg_not-a-token") as stranger:
        refused = await stranger.get("/network/export.graphml")
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    async with api_client(demo_engine, databases.admin_token) as admin:
        bad = await admin.get("/network/export.pdf")
        assert bad.status_code == 400
        bad = await admin.get("/network/export.gexf", params={"statuses": "maybe"})
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["extensions"]["field"] == "statuses"


async def test_as_of_a_date_before_the_first_signatures(client: httpx.AsyncClient) -> None:
    # JUFE-UTS and Nanchang Hangkong-Belarusian State took effect on 2025-11-17; the other
    # three agreements have no dates, so they count on every day.
    before = await network(client, {"ties": ["AGREEMENT"], "asOf": "2025-01-01"})
    after = await network(client, {"ties": ["AGREEMENT"], "asOf": "2025-11-17"})
    assert (before["edgeCount"], after["edgeCount"]) == (7, 9)


async def test_an_export_over_the_edge_limit_is_refused(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network_export, "MAX_EXPORT_EDGES", 8)
    refused = await client.get("/network/export.gexf", params={"ties": "agreement"})
    assert refused.status_code == 413
    assert refused.json()["errors"][0]["extensions"]["code"] == "EXPORT_TOO_LARGE"
    narrowed = await client.get("/network/export.gexf?ties=agreement&countries=CN")
    assert narrowed.status_code == 200


async def test_a_bulk_load_is_seen_once_it_raises_the_counter(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    before = await network(client, AGREEMENTS_ONLY)
    await add_network(demo_engine, organizations=4, prefix="Loaded")  # rows written directly
    await note_load(demo_engine)  # what `partnergraph load ...` does when it is done
    after = await network(client, AGREEMENTS_ONLY)
    assert after["organizationCount"] == before["organizationCount"] + 4
    assert after["edgeCount"] == before["edgeCount"] + 4


ANALYTICS = {
    "summary": "organizationCount edgeCount density components largestComponent isolated",
    "degree": "degree(first: 3) { score organization { name } }",
    "betweenness": "betweenness { exact top(first: 3) { score organization { name } } }",
    "pagerank": "pagerank(first: 3) { score organization { name } }",
    "communities": "communities(first: 5) { size members(first: 5) { name } }",
    "bridges": "bridges(first: 10) { weight source { name } target { name } }",
    "articulationPoints": "articulationPoints(first: 10) { name }",
}
ANALYTICS["all"] = " ".join(ANALYTICS.values())
ANALYTICS_FILTERS: list[dict[str, Any] | None] = [
    None,
    AGREEMENTS_ONLY,
    {"countries": ["CN"]},
    {"ties": ["ALLIANCE", "UNIT"]},
]


def analytic(kind: str) -> str:
    return f"query ($f: NetworkFilter) {{ network(filter: $f) {{ {ANALYTICS[kind]} }} }}"


async def test_concurrent_analytics_of_every_kind_answer_as_one_at_a_time(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    """Many requests at once, several on one cached view, each kind of analytic (they run in the
    analytics pool's processes): the same answers as one request at a time on a fresh cache."""
    asks = [(kind, f) for kind in ANALYTICS for f in range(len(ANALYTICS_FILTERS))] * 3
    async with api_client(demo_engine, databases.admin_token) as caller:
        found = await asyncio.gather(
            *(query(caller, analytic(kind), {"f": ANALYTICS_FILTERS[f]}) for kind, f in asks)
        )
    alone = create_engine(demo_engine.url.render_as_string(hide_password=False))
    try:
        async with api_client(alone, databases.admin_token) as caller:
            for (kind, f), answer in zip(asks, found, strict=True):
                one = await query(caller, analytic(kind), {"f": ANALYTICS_FILTERS[f]})
                assert answer == one, (kind, ANALYTICS_FILTERS[f])
    finally:
        await alone.dispose()
    assert found[asks.index(("summary", 1))]["network"]["largestComponent"] == 6


async def test_an_analytic_whose_process_crashes_is_an_error_and_the_next_one_works(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash in native code ends only the analytics process (ANALYTICS_FAILED); the server
    answers the rest of the request, and the next request as usual."""
    crash = dataclasses.replace(analytics.PAGERANK, name="pagerank.crash", kernel=segfault)
    monkeypatch.setattr(analytics, "PAGERANK", crash)
    document = "{ network { edgeCount pagerank(first: 1) { score } } }"
    body = await post(client, document)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "ANALYTICS_FAILED"
    assert error["message"] == "the network's pagerank.crash could not be computed; try again"
    assert error["path"] == ["network", "pagerank"]
    monkeypatch.undo()
    found = await query(client, document)
    assert found["network"]["pagerank"][0]["score"] > 0


async def test_an_analytic_past_its_budget_is_stopped_with_a_clear_error(
    demo_engine: AsyncEngine, databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = dataclasses.replace(analytics.COMMUNITIES, name="communities.slow", kernel=sleep)
    monkeypatch.setattr(analytics, "COMMUNITIES", slow)
    settings = dataclasses.replace(TEST_SETTINGS, analytics_timeout_s=0.5)
    async with api_client(demo_engine, databases.admin_token, settings) as caller:
        errors = await errors_of(caller, "{ network { communities { size } } }")
    assert errors[0]["extensions"]["code"] == "ANALYTICS_TIMEOUT"
    assert errors[0]["message"] == (
        "the network's communities.slow took longer than 0.5 s and was stopped; "
        "narrow the network with a filter"
    )
    monkeypatch.undo()
    async with api_client(demo_engine, databases.admin_token) as caller:
        found = await query(caller, "{ network { communities { size } } }")
    assert found["network"]["communities"]
