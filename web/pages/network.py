"""The member network as the page draws it (Cytoscape.js elements), made from the API's answers:
the members on the day asked, and the network of the alliance's members on that day (its edges
with the ties behind each, betweenness and bridges). Plain data in, plain data out."""

from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

__all__ = ["MemberNode", "members_on", "network_elements"]

MIN_SIZE = 26
MAX_SIZE = 64


@dataclass(frozen=True, slots=True)
class MemberNode:
    id: str
    name: str
    local_name: str | None
    role: str


def members_on(memberships: list[dict[str, Any]], day: date | None) -> list[MemberNode]:
    """The members holding a membership on `day` (every current one when `day` is None), each
    once, with the role held that day; in the API's order (chair first)."""
    found: dict[str, MemberNode] = {}
    for m in memberships:
        organization = m.get("organization")
        if organization is None:
            continue
        joined = date.fromisoformat(m["joinedOn"]) if m.get("joinedOn") else None
        left = date.fromisoformat(m["leftOn"]) if m.get("leftOn") else None
        if day is None:
            held = left is None or left > date.today()
        else:
            held = (joined is None or joined <= day) and (left is None or left > day)
        if held and organization["id"] not in found:
            found[organization["id"]] = MemberNode(
                id=organization["id"],
                name=organization["name"],
                local_name=organization.get("localName"),
                role=m["role"],
            )
    return list(found.values())


def network_elements(
    members: list[MemberNode], answer: dict[str, Any], *, lang: str
) -> dict[str, Any]:
    """Nodes sized by betweenness (the same score for all when none stands out), edges weighted
    by the ties two members share with those ties listed, bridges marked, and the gaps: the
    member pairs with no edge. Past the API's page of edges (the strongest 100) the rest are
    not drawn, and the gaps are not known (`truncated`)."""
    ids = {m.id for m in members}
    network = answer.get("network") or {}
    scores = {
        r["organization"]["id"]: float(r["score"])
        for r in (network.get("betweenness") or {}).get("top", [])
        if r.get("organization")
    }
    top = max((scores.get(i, 0.0) for i in ids), default=0.0)
    bridges = {
        frozenset((b["source"]["id"], b["target"]["id"]))
        for b in network.get("bridges") or []
        if b.get("source") and b.get("target")
    }
    edges: dict[frozenset[str], dict[str, Any]] = {}
    for link in network.get("edges") or []:
        one = (link.get("source") or {}).get("id")
        other = (link.get("target") or {}).get("id")
        if one not in ids or other not in ids:
            continue
        key = frozenset((one, other))
        source, target = sorted(key)
        edges[key] = {
            "id": f"{source}~{target}",
            "source": source,
            "target": target,
            "weight": int(link["weight"]),
            "bridge": key in bridges,
            "ties": [_tie(t) for t in link.get("ties", [])],
        }
    nodes = [
        {
            "id": m.id,
            "label": (m.local_name or m.name) if lang == "zh" else m.name,
            "name": m.name,
            "role": m.role,
            "betweenness": round(scores.get(m.id, 0.0), 6),
            "size": round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * scores.get(m.id, 0.0) / top)
            if top > 0
            else MIN_SIZE + (MAX_SIZE - MIN_SIZE) // 3,
        }
        for m in members
    ]
    edge_count = int(network.get("edgeCount") or 0)
    truncated = edge_count > len(network.get("edges") or [])
    gaps = (
        []
        if truncated
        else [
            [a.id, b.id]
            for a, b in combinations(members, 2)
            if frozenset((a.id, b.id)) not in edges
        ]
    )
    return {
        "nodes": nodes,
        "edges": sorted(edges.values(), key=lambda e: (-e["weight"], e["id"])),
        "gaps": gaps,
        "edgeCount": edge_count,
        "truncated": truncated,
    }


def _tie(tie: dict[str, Any]) -> dict[str, Any]:
    agreement = tie.get("agreement") or {}
    return {
        "kind": tie["kind"],
        "label": agreement.get("title") or tie["label"],
        "status": (agreement.get("status") or tie.get("status") or "").upper() or None,
        "startsOn": agreement.get("effectiveFrom") or tie.get("startsOn"),
        "endsOn": agreement.get("effectiveTo") or tie.get("endsOn"),
        "agreementId": agreement.get("id"),
    }
