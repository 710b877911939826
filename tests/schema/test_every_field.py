"""Every field of every root list resolves on the demo data, with no error, on both databases.

The query is generated from the schema, so a field added later is covered without a new test.
A page of 30 holds every demo row of each list (24 organizations at most) and keeps the query
under the default cost limit. Arguments that are non-null with a default are left to it.
"""

import httpx
import pytest
from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    get_named_type,
    is_leaf_type,
)

from schema import build_schema
from tests.graphql import query

pytestmark = pytest.mark.anyio

PAGE = 30
SMALLER_PAGES = {"evaluations": 10}
"""Root lists whose nodes name many other nodes in full (an evaluation: its agreement, program,
alliance and evaluator, each with every list of theirs), asked with a smaller page to stay
under the cost limit; the demo has one evaluation."""


def _selection(field_type: GraphQLOutputType, depth: int) -> str:
    named = get_named_type(field_type)
    if not isinstance(named, GraphQLObjectType):
        return ""
    if named.name.endswith("Connection"):
        node = get_named_type(named.fields["nodes"].type)
        assert isinstance(node, GraphQLObjectType)
        nodes = "id" if "Node" in {i.name for i in node.interfaces} else " ".join(_leaves(node))
        return "{ totalCount pageInfo { hasNextPage endCursor } nodes { " + nodes + " } }"
    if "Node" in {i.name for i in named.interfaces} and depth > 0:
        return "{ id }"
    return "{ " + " ".join(_fields(named, depth + 1)) + " }"


def _fields(object_type: GraphQLObjectType, depth: int) -> list[str]:
    selected = []
    for name, field in object_type.fields.items():
        if _has_required_arguments(field):
            continue
        selected.append(f"{name} {_selection(field.type, depth)}".strip())
    return selected


def _leaves(object_type: GraphQLObjectType) -> list[str]:
    """The fields of scalars and enums (for the nodes of a list that are not `Node`s)."""
    return [
        name
        for name, field in object_type.fields.items()
        if is_leaf_type(get_named_type(field.type)) and not _has_required_arguments(field)
    ]


def _has_required_arguments(field: GraphQLField) -> bool:
    """Whether the field cannot be asked for without arguments (a non-null one with no default)."""
    return any(
        isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
        for arg in field.args.values()
    )


FEEDS = {"changes": "the change feed: edges with cursors, no nodes or totalCount (tests/changes)"}
"""Root connections that are feeds read by position, not lists: tested where they are built."""


def _root_lists() -> list[tuple[str, str]]:
    """(root field, query) for each root connection."""
    graphql_schema = build_schema()._schema
    query_type = graphql_schema.query_type
    assert query_type is not None
    lists = []
    for name, field in query_type.fields.items():
        named = get_named_type(field.type)
        if not named.name.endswith("Connection"):
            continue
        assert isinstance(named, GraphQLObjectType)
        if name in FEEDS:
            assert "nodes" not in named.fields, f"{name} now has nodes: take it off FEEDS"
            continue
        node = get_named_type(named.fields["nodes"].type)
        assert isinstance(node, GraphQLObjectType)
        fields = " ".join(_fields(node, 0))
        page = SMALLER_PAGES.get(name, PAGE)
        document = f"{{ {name}(first: {page}) {{ totalCount nodes {{ {fields} }} }} }}"
        lists.append((name, document))
    return lists


ROOT_LISTS = _root_lists()


def test_every_root_list_is_covered() -> None:
    covered = {name for name, _ in ROOT_LISTS}
    assert covered >= {
        "organizations",
        "people",
        "alliances",
        "agreements",
        "programs",
        "courses",
        "resources",
        "activities",
        "evaluations",
    }


SAVED_BEFORE = {
    "views": 'mutation { saveView(input: {name: "directory", document: "{ __typename }"}) '
    "{ userErrors { message } } }",
}
"""Root lists the demo leaves empty (it holds no saved view), given a row through the API first."""


@pytest.mark.parametrize(("root", "document"), ROOT_LISTS, ids=[n for n, _ in ROOT_LISTS])
async def test_every_field_resolves(client: httpx.AsyncClient, root: str, document: str) -> None:
    if root in SAVED_BEFORE:
        saved = await query(client, SAVED_BEFORE[root])
        assert saved["saveView"]["userErrors"] == []
    data = await query(client, document)
    assert data[root]["totalCount"] > 0, "the demo data has rows of every kind to resolve"
    assert data[root]["totalCount"] <= PAGE, "every demo row is in the page"
    assert len(data[root]["nodes"]) == data[root]["totalCount"]
