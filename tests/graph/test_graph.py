"""graph/ on small hand-made networks whose answers are worked out by hand."""

import random
from datetime import date
from xml.etree import ElementTree as ET

import orjson
import pytest

from graph import alliances, analytics, export
from graph.data import TieKind
from graph.network import Filter, View
from tests.graph.networks import Builder

A = TieKind.AGREEMENT


def two_triangles() -> View:
    """1-2-3 and 4-5-6, joined by 3-4; 7 alone. 1-2 share two agreements."""
    b = Builder(7).agreement(1, 1, 2, 3).agreement(2, 4, 5, 6).agreement(3, 3, 4)
    return b.agreement(4, 1, 2).view()


def ids(view: View, nodes: list[int]) -> list[int]:
    return [view.organization(n) for n in nodes]


def local(view: View, organization_id: int) -> int:
    found = view.local(organization_id)
    assert found is not None
    return found


def test_edges_come_from_shared_agreements_weighted_by_how_many() -> None:
    view = two_triangles()
    assert view.size == 7
    assert view.edge_count == 7  # three in each triangle and the 3-4 bridge
    link = view.link(local(view, 1), local(view, 2))
    assert link is not None and link.weight == 2
    assert sorted(t.id for t in link.ties) == [1, 4]
    assert view.link(local(view, 1), local(view, 4)) is None


def test_summary_of_two_triangles_and_a_loner() -> None:
    found = analytics.summary(two_triangles())
    assert found == analytics.Summary(
        organizations=7, edges=7, density=7 / 21, components=2, largest_component=6, isolated=1
    )


def test_the_bridge_and_its_two_ends() -> None:
    view = two_triangles()
    assert analytics.bridges(view) == [(3, 4)]
    assert analytics.articulation_points(view) == [3, 4]


def test_betweenness_counts_the_pairs_a_node_stands_between() -> None:
    ranking = analytics.betweenness(two_triangles())
    assert ranking.exact and ranking.samples == 0
    top = {s.organization_id: s.value for s in ranking.scores}
    # 3 lies on the only shortest path of the 6 pairs {1,2} x {4,5,6} (and 4 likewise): 6 of
    # the 15 pairs of the other six organizations.
    assert top[3] == pytest.approx(6 / 15)
    assert top[4] == pytest.approx(6 / 15)
    assert top[1] == top[7] == 0.0


def test_sampled_betweenness_on_a_large_view_still_finds_the_centre(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(analytics, "EXACT_BETWEENNESS_WORK", 5)
    b = Builder(30)
    for leaf in range(2, 31):
        b.agreement(leaf, 1, leaf)
    ranking = analytics.betweenness(b.view(), samples=10)
    assert not ranking.exact and ranking.samples == 10
    assert ranking.scores[0].organization_id == 1
    assert ranking.scores[0].value > 0.5  # 1 exactly; a sample of 10 sources estimates it
    assert ranking.scores[1].value == 0.0  # no leaf lies between two others


def test_degree_and_pagerank_rank_the_ends_of_the_bridge_first() -> None:
    view = two_triangles()
    degree = analytics.degree(view)
    assert [s.organization_id for s in degree[:2]] == [3, 4]
    assert degree[0].value == 3
    ranks = analytics.pagerank(view)
    assert sum(s.value for s in ranks) == pytest.approx(1.0)
    assert {s.organization_id for s in ranks[:2]} == {3, 4}


def test_communities_are_the_two_triangles() -> None:
    found = analytics.communities(two_triangles())
    assert sorted(c.organization_ids for c in found) == [[1, 2, 3], [4, 5, 6]]
    assert [c.number for c in found] == [0, 1]


def test_shortest_paths_are_all_found_in_a_stable_order_up_to_the_limit() -> None:
    # 1-2-4 and 1-3-4 are shortest; 1-5-6-4 is longer.
    b = Builder(6).agreement(1, 1, 2).agreement(2, 2, 4).agreement(3, 1, 3).agreement(4, 3, 4)
    view = b.agreement(5, 1, 5).agreement(6, 5, 6).agreement(7, 6, 4).view()
    s, t = local(view, 1), local(view, 4)
    assert [ids(view, p) for p in view.shortest_paths(s, t, 10)] == [[1, 2, 4], [1, 3, 4]]
    assert len(view.shortest_paths(s, t, 1)) == 1
    assert [ids(view, p) for p in view.shortest_paths(s, local(view, 6), 10)] == [[1, 5, 6]]


def test_no_path_between_components() -> None:
    view = two_triangles()
    assert view.shortest_paths(local(view, 1), local(view, 7), 5) == []


def test_a_long_chain_path_meets_in_the_middle() -> None:
    b = Builder(9)
    for i in range(1, 9):
        b.agreement(i, i, i + 1)
    view = b.view()
    assert [ids(view, p) for p in view.shortest_paths(local(view, 1), local(view, 9), 3)] == [
        list(range(1, 10))
    ]


def test_neighbourhood_by_hops_with_the_edges_one_hop_closer() -> None:
    view = Builder(5).agreement(1, 1, 2).agreement(2, 2, 3).agreement(3, 3, 4).view()
    reach = view.neighbourhood(local(view, 1), 2)
    assert [(view.organization(n), reach.hops(n)) for n in reach.order] == [(2, 1), (3, 2)]
    assert ids(view, reach.closer(local(view, 3))) == [2]
    assert len(view.neighbourhood(local(view, 1), 4)) == 3


def test_as_of_keeps_agreements_in_force_that_day() -> None:
    b = Builder(3).agreement(1, 1, 2, starts=date(2020, 1, 1), ends=date(2021, 12, 31))
    network = b.agreement(2, 2, 3, starts=date(2022, 6, 1)).network()
    assert network.view(Filter(as_of=date(2021, 12, 31))).edge_count == 1
    assert network.view(Filter(as_of=date(2022, 1, 1))).edge_count == 0
    assert network.view(Filter(as_of=date(2023, 1, 1))).edge_count == 1
    assert network.view(Filter()).edge_count == 2


def test_memberships_count_from_joining_until_leaving() -> None:
    b = Builder(3).alliance(
        1, (1, date(2020, 1, 1), date(2022, 1, 1)), (2, date(2019, 1, 1), None), (3, None, None)
    )
    network = b.network()
    on_2021 = network.view(Filter(as_of=date(2021, 6, 1)))
    assert on_2021.edge_count == 3
    on_2022 = network.view(Filter(as_of=date(2022, 1, 1)))  # 1 left that day
    assert on_2022.edge_count == 1
    members = network.view(Filter(alliance_id=1, as_of=date(2022, 1, 1)))
    assert sorted(members.organization_ids.tolist()) == [2, 3]


def test_kinds_statuses_and_organizations_filter_the_network() -> None:
    b = Builder(4, o4=("business", "FR")).agreement(1, 1, 2, kind="joint_program")
    network = b.agreement(2, 2, 3, status="draft").agreement(3, 3, 4).network()
    assert network.view(Filter(agreement_kinds=frozenset({"joint_program"}))).edge_count == 1
    assert network.view(Filter(statuses=frozenset({"active"}))).edge_count == 2
    businesses = network.view(Filter(organization_kinds=frozenset({"business"})))
    assert businesses.size == 1 and businesses.edge_count == 0
    german = network.view(Filter(countries=frozenset({"DE"})))
    assert german.size == 3 and german.edge_count == 2
    assert network.view(Filter(ties=frozenset({TieKind.ALLIANCE}))).edge_count == 0


def test_hidden_agreements_make_no_edges_but_public_ties_remain() -> None:
    b = (
        Builder(3)
        .agreement(1, 1, 2)
        .agreement(2, 2, 3)
        .alliance(9, (1, None, None), (3, None, None))
    )
    network = b.network()
    assert network.view(Filter(), frozenset({1})).edge_count == 2  # 1-2 and the alliance's 1-3
    nothing = network.view(Filter(), frozenset())
    assert nothing.edge_count == 1
    link = nothing.link(local(nothing, 1), local(nothing, 3))
    assert link is not None and [t.kind for t in link.ties] == [TieKind.ALLIANCE]


def test_alliance_members_isolated_indirect_and_density_over_time() -> None:
    # Members 1, 2, 3, 4 (4 joins in 2021); 1-2 tied; 3 reaches 1 through outsider 5.
    b = Builder(5).alliance(
        7,
        (1, None, None),
        (2, None, None),
        (3, None, None),
        (4, date(2021, 1, 1), None),
    )
    b.agreement(1, 1, 2, starts=date(2020, 1, 1)).agreement(2, 3, 5).agreement(3, 5, 1)
    network = b.network()
    ties = frozenset({A})
    members = network.view(Filter(ties=ties, alliance_id=7))
    wider = network.view(Filter(ties=ties))
    assert alliances.isolated_members(members) == [3, 4]
    assert alliances.indirect_pairs(members, wider) == [
        alliances.IndirectPair(1, 3, 2),
        alliances.IndirectPair(2, 3, 3),
    ]
    days = [date(2019, 6, 1), date(2020, 6, 1), date(2021, 6, 1)]
    points = alliances.density(
        days, lambda d: network.view(Filter(ties=ties, alliance_id=7, as_of=d))
    )
    assert [(p.members, p.edges) for p in points] == [(3, 0), (3, 1), (4, 1)]
    assert points[1].density == pytest.approx(1 / 3)
    assert network.alliance_first_day(7) == date(2021, 1, 1)


def test_exports_hold_every_node_and_edge() -> None:
    view = two_triangles()

    def name(i: int) -> str:
        return f"org-{i}"

    graphml = ET.fromstring(export.graphml(view, name).split("\n", 1)[1])
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(graphml.findall(".//g:node", ns)) == 7
    edges = graphml.findall(".//g:edge", ns)
    assert len(edges) == 7
    weights = {
        (e.get("source"), e.get("target")): e.find("g:data[@key='weight']", ns) for e in edges
    }
    heavy = weights[("org-1", "org-2")]
    assert heavy is not None and heavy.text == "2"

    gexf = ET.fromstring(export.gexf(view, name).split("\n", 1)[1])
    gx = {"x": "http://gexf.net/1.3"}
    assert len(gexf.findall(".//x:node", gx)) == 7
    assert len(gexf.findall(".//x:edge", gx)) == 7

    cytoscape = orjson.loads(orjson.dumps(export.cytoscape_json(view, name)))
    assert len(cytoscape["elements"]["nodes"]) == 7
    bridge = [e for e in cytoscape["elements"]["edges"] if e["data"]["weight"] == 1]
    assert {"agreement:3"} in [set(e["data"]["ties"]) for e in bridge]


def test_scores_are_the_same_from_one_run_to_the_next() -> None:
    """networkit sums in parallel, in no fixed order: the last bits of a score differed between
    runs (two workers answered the same question differently); scores are rounded."""
    rng = random.Random(5)
    b = Builder(3000)
    for key in range(1, 2500):
        b.agreement(key, *rng.sample(range(1, 3001), 2))
    network = b.network()
    runs = [analytics.betweenness(network.view(Filter())) for _ in range(4)]
    assert all(run.exact for run in runs)
    assert all(run == runs[0] for run in runs)
    ranks = [analytics.pagerank(network.view(Filter())) for _ in range(4)]
    assert all(rank == ranks[0] for rank in ranks)


def test_communities_of_a_large_network_are_the_same_from_one_run_to_the_next() -> None:
    """Louvain runs sequentially at every size (the parallel run split large networks
    differently each time, so two workers gave two answers)."""
    rng = random.Random(6)
    b = Builder(6000)
    for key in range(1, 6000):
        b.agreement(key, *rng.sample(range(1, 6001), 3))
    network = b.network()
    runs = [analytics.communities(network.view(Filter())) for _ in range(3)]
    assert all(run == runs[0] for run in runs)
