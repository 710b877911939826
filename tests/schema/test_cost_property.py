"""The cost charged is an upper bound on what is returned: over generated documents on the demo
data (variables with and without defaults, fragments spread once or twice, aliases, nested
connections), the objects in the JSON answer never outnumber `extensions.cost.requested`."""

import itertools
import os
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.anyio

CONNECTIONS: dict[str, dict[str, str]] = {
    "Query": {"organizations": "Organization", "agreements": "Agreement", "alliances": "Alliance"},
    "Organization": {
        "units": "Organization",
        "agreements": "Agreement",
        "agreementParties": "AgreementParty",
        "memberships": "Membership",
    },
    "Agreement": {"parties": "AgreementParty", "children": "Agreement"},
    "AgreementParty": {},
    "Alliance": {"memberships": "Membership"},
    "Membership": {},
}
OBJECTS: dict[str, dict[str, str]] = {
    "Query": {},
    "Organization": {"parent": "Organization"},
    "Agreement": {"parent": "Agreement"},
    "AgreementParty": {"organization": "Organization", "agreement": "Agreement"},
    "Alliance": {"secretariat": "Organization"},
    "Membership": {"organization": "Organization", "alliance": "Alliance"},
}


SIZES = st.sampled_from([0, 1, 2, 3, 30])
"""Page sizes, one of them over the default page (20)."""


@dataclass
class _Document:
    """What a generated operation declares besides its selection."""

    variables: list[str] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)
    names: "itertools.count[int]" = field(default_factory=itertools.count)


@st.composite
def _first(draw: st.DrawFn, document: _Document) -> str:
    """A `first` argument: none, a literal, or a variable with or without a default, sent or
    not."""
    how = draw(st.sampled_from(["none", "literal", "variable"]))
    if how == "none":
        return ""
    size = draw(SIZES)
    if how == "literal":
        return f"(first: {size})"
    name = f"v{next(document.names)}"
    default = draw(st.none() | SIZES)
    document.variables.append(f"${name}: Int" + ("" if default is None else f" = {default}"))
    if default is None or draw(st.booleans()):
        document.sent[name] = size
    return f"(first: ${name})"


@st.composite
def _selection(draw: st.DrawFn, document: _Document, type_name: str, depth: int) -> str:
    """A selection on `type_name`, sometimes moved into a fragment spread once or twice."""
    parts = [] if type_name == "Query" else ["id"]
    children = [(name, target, True) for name, target in CONNECTIONS[type_name].items()] + [
        (name, target, False) for name, target in OBJECTS[type_name].items()
    ]
    if depth > 0 and children:
        least = 1 if type_name == "Query" else 0
        chosen = draw(st.lists(st.sampled_from(children), min_size=least, max_size=2, unique=True))
        for name, target, connection in chosen:
            alias = f"a{next(document.names)}: " if draw(st.booleans()) else ""
            inner = draw(_selection(document, target, depth - 1))
            if connection:
                shape = draw(st.sampled_from(["nodes", "edges", "count"]))
                body = {
                    "nodes": f"nodes {{ {inner} }}",
                    "edges": f"edges {{ cursor node {{ {inner} }} }}",
                    "count": f"totalCount pageInfo {{ hasNextPage }} nodes {{ {inner} }}",
                }[shape]
                parts.append(f"{alias}{name}{draw(_first(document))} {{ {body} }}")
            else:
                parts.append(f"{alias}{name} {{ {inner} }}")
    text = " ".join(parts)
    if type_name != "Query" and draw(st.integers(0, 3)) == 0:
        fragment = f"F{next(document.names)}"
        document.fragments.append(f"fragment {fragment} on {type_name} {{ {text} }}")
        spreads = draw(st.integers(1, 2))
        return " ".join([f"...{fragment}"] * spreads)
    return text


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[str, int]]:
    document = _Document()
    selection = draw(_selection(document, "Query", 3))
    declared = f"({', '.join(document.variables)})" if document.variables else ""
    text = "\n".join([f"query{declared} {{ {selection} }}", *document.fragments])
    return text, document.sent


def _objects(value: Any) -> int:
    """Every JSON object below `value` (not `value` itself)."""
    if isinstance(value, dict):
        return sum(isinstance(v, dict) + _objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(isinstance(v, dict) + _objects(v) for v in value)
    return 0


EXAMPLES = int(os.environ.get("PARTNERGRAPH_COST_EXAMPLES", "25"))
"""Documents generated per backend: a few in CI, more for a longer run."""


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=documents())
@example(generated=("query($n: Int = 30) { organizations(first: $n) { nodes { id } } }", {}))
async def test_objects_returned_never_exceed_the_cost_charged(
    client: httpx.AsyncClient, generated: tuple[str, dict[str, int]]
) -> None:
    document, variables = generated
    response = await client.post("/graphql", json={"query": document, "variables": variables})
    body = response.json()
    codes = [e["extensions"]["code"] for e in body.get("errors", [])]
    if codes == ["QUERY_TOO_COSTLY"]:
        return
    assert not codes, (document, variables, body["errors"])
    returned = _objects(body["data"])
    charged = body["extensions"]["cost"]["requested"]
    assert returned <= charged, (document, variables, returned, charged)
