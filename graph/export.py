"""A view written for graph tools: GraphML (Gephi, yEd, igraph), GEXF (Gephi) and Cytoscape
JSON (Cytoscape, cytoscape.js).

Nodes carry the organization's name, kind and country; edges their weight (shared ties) and
the ties behind them, as `kind:id` references and a readable label. `node_id` turns an
organization id into the identifier written (the API passes its global IDs).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from graph.data import Tie
from graph.network import View

__all__ = ["FORMATS", "cytoscape_json", "gexf", "graphml"]

NodeId = Callable[[int], str]


@dataclass(frozen=True, slots=True)
class _Node:
    id: str
    name: str
    kind: str
    country: str


@dataclass(frozen=True, slots=True)
class _Edge:
    source: str
    target: str
    weight: int
    ties: str
    labels: str


def _nodes(view: View, node_id: NodeId) -> Iterator[_Node]:
    network = view.network
    for organization_id in view.organization_ids.tolist():
        position = network.position(organization_id)
        assert position is not None
        o = network.organizations[position]
        yield _Node(node_id(o.id), o.name, o.kind, o.country or "")


def _tie_ref(t: Tie) -> str:
    return f"{t.kind.value}:{t.id}"


def _edges(view: View, node_id: NodeId) -> Iterator[_Edge]:
    for a, b in zip(view.edge_sources.tolist(), view.edge_targets.tolist(), strict=True):
        link = view.link(a, b)
        assert link is not None
        yield _Edge(
            node_id(link.source),
            node_id(link.target),
            link.weight,
            " ".join(_tie_ref(t) for t in link.ties),
            "; ".join(t.label for t in link.ties),
        )


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def graphml(view: View, node_id: NodeId) -> str:
    ns = "http://graphml.graphdrawing.org/xmlns"
    root = ET.Element("graphml", xmlns=ns)
    keys = [
        ("name", "node", "string"),
        ("kind", "node", "string"),
        ("country", "node", "string"),
        ("weight", "edge", "int"),
        ("ties", "edge", "string"),
        ("labels", "edge", "string"),
    ]
    for name, domain, kind in keys:
        ET.SubElement(
            root, "key", {"id": name, "for": domain, "attr.name": name, "attr.type": kind}
        )
    graph = ET.SubElement(root, "graph", id="cooperation", edgedefault="undirected")
    for n in _nodes(view, node_id):
        node = ET.SubElement(graph, "node", id=n.id)
        for key, value in (("name", n.name), ("kind", n.kind), ("country", n.country)):
            ET.SubElement(node, "data", key=key).text = value
    for i, e in enumerate(_edges(view, node_id)):
        edge = ET.SubElement(graph, "edge", id=f"e{i}", source=e.source, target=e.target)
        for key, value in (("weight", str(e.weight)), ("ties", e.ties), ("labels", e.labels)):
            ET.SubElement(edge, "data", key=key).text = value
    return _xml(root)


def gexf(view: View, node_id: NodeId) -> str:
    root = ET.Element("gexf", xmlns="http://gexf.net/1.3", version="1.3")
    ET.SubElement(ET.SubElement(root, "meta"), "creator").text = "partnergraph"
    graph = ET.SubElement(root, "graph", mode="static", defaultedgetype="undirected")
    node_attributes = ET.SubElement(graph, "attributes", {"class": "node"})
    for i, name in enumerate(("kind", "country")):
        ET.SubElement(node_attributes, "attribute", id=str(i), title=name, type="string")
    edge_attributes = ET.SubElement(graph, "attributes", {"class": "edge"})
    ET.SubElement(edge_attributes, "attribute", id="0", title="ties", type="string")
    nodes = ET.SubElement(graph, "nodes")
    for n in _nodes(view, node_id):
        node = ET.SubElement(nodes, "node", id=n.id, label=n.name)
        values = ET.SubElement(node, "attvalues")
        ET.SubElement(values, "attvalue", {"for": "0", "value": n.kind})
        ET.SubElement(values, "attvalue", {"for": "1", "value": n.country})
    edges = ET.SubElement(graph, "edges")
    for i, e in enumerate(_edges(view, node_id)):
        edge = ET.SubElement(
            edges,
            "edge",
            id=str(i),
            source=e.source,
            target=e.target,
            weight=str(e.weight),
            label=e.labels,
        )
        values = ET.SubElement(edge, "attvalues")
        ET.SubElement(values, "attvalue", {"for": "0", "value": e.ties})
    return _xml(root)


def cytoscape_json(view: View, node_id: NodeId) -> dict[str, Any]:
    """Cytoscape's `elements` JSON (what `cy.add()` and Cytoscape's JSON import read)."""
    nodes = [
        {"data": {"id": n.id, "name": n.name, "kind": n.kind, "country": n.country}}
        for n in _nodes(view, node_id)
    ]
    edges = [
        {
            "data": {
                "id": f"e{i}",
                "source": e.source,
                "target": e.target,
                "weight": e.weight,
                "ties": e.ties.split(" "),
                "labels": e.labels,
            }
        }
        for i, e in enumerate(_edges(view, node_id))
    ]
    return {"elements": {"nodes": nodes, "edges": edges}}


FORMATS = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "cytoscape": ("application/json", "json"),
}
"""Export format name -> (media type, file extension)."""
