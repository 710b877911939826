"""The fast road for plain fields (schema/execution.py) answers exactly as graphql-core would."""

from enum import Enum
from typing import Any

import pytest
import strawberry

from schema.compiled.execution import FastExecutionContext

pytestmark = pytest.mark.anyio


@strawberry.enum
class Colour(Enum):
    DARK_RED = "dark_red"


@strawberry.type
class Item:
    name: str
    maybe: str | None
    required: str
    colour: Colour
    raw: strawberry.Private[int]

    @strawberry.field
    def doubled(self) -> int:
        return self.raw * 2

    @strawberry.field
    def broken(self) -> int:
        raise ValueError("no value here")

    @strawberry.field
    def times(self, by: int) -> int:
        return self.raw * by

    @strawberry.field
    async def later(self) -> int:
        return self.raw + 1


def _items() -> list[Item]:
    return [
        Item(name="a", maybe=None, required="x", colour=Colour.DARK_RED, raw=1),
        Item(name="b", maybe="m", required=None, colour=Colour.DARK_RED, raw=2),  # type: ignore[arg-type]
    ]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return _items()


DOCUMENT = """{ items { name maybe colour doubled times(by: 3) later alias: name
  ... on Item { required } } }"""


async def _run(fast: bool, document: str, query: type = Query) -> dict[str, Any]:
    schema = strawberry.Schema(
        query=query, execution_context_class=FastExecutionContext if fast else None
    )
    result = await schema.execute(document)
    errors = [(e.message, e.path) for e in result.errors or []]
    return {"data": result.data, "errors": errors}


async def test_the_fast_road_answers_as_the_ordinary_one() -> None:
    fast = await _run(True, DOCUMENT)
    assert fast == await _run(False, DOCUMENT)
    assert fast["data"] is None  # the null in a non-null field of a non-null list item
    assert fast["errors"] == [
        ("Cannot return null for non-nullable field Item.required.", ["items", 1, "required"])
    ]


async def test_plain_fields_values_enums_methods_and_arguments() -> None:
    document = "{ items { name maybe colour doubled times(by: 3) later } }"
    fast = await _run(True, document)
    assert fast == await _run(False, document)
    assert fast["data"]["items"][0] == {
        "name": "a",
        "maybe": None,
        "colour": "DARK_RED",
        "doubled": 2,
        "times": 3,
        "later": 2,
    }


async def test_an_error_in_a_plain_method_keeps_its_message_and_path() -> None:
    document = "{ items { name broken } }"
    fast = await _run(True, document)
    assert fast == await _run(False, document)
    assert fast["errors"][0] == ("no value here", ["items", 0, "broken"])


def test_which_fields_take_the_fast_road() -> None:
    from graphql import GraphQLObjectType

    from schema.compiled.execution import _plan

    schema = strawberry.Schema(query=Query, execution_context_class=FastExecutionContext)
    item = schema._schema.get_type("Item")
    assert isinstance(item, GraphQLObjectType)
    assert set(_plan(item)) == {"name", "maybe", "required", "colour", "doubled", "broken"}


@strawberry.type
class Group:
    title: str
    members: list[Item]
    lead: Item | None
    tags: list[str]
    raw: strawberry.Private[int]

    @strawberry.field
    def size(self) -> int:
        return len(self.members)

    @strawberry.field
    def nested(self) -> list["Group"]:
        return [Group(title=f"{self.title}.1", members=[], lead=None, tags=[], raw=0)]


@strawberry.type
class GroupQuery:
    @strawberry.field
    def groups(self) -> list[Group]:
        items = _items()
        return [
            Group(title="g", members=items[:1], lead=items[0], tags=["x", "y"], raw=1),
            Group(title="h", members=[], lead=None, tags=[], raw=2),
        ]

    @strawberry.field
    def broken_groups(self) -> list[Group]:
        return [Group(title="b", members=_items(), lead=_items()[1], tags=[], raw=3)]


async def test_plain_subtrees_of_lists_and_objects_answer_as_graphql_core_does() -> None:
    document = """{ groups { __typename title size tags t: title
      members { name colour doubled } lead { name maybe ... on Item { colour } }
      nested { title members { name } } } }"""
    fast = await _run(True, document, GroupQuery)
    assert fast == await _run(False, document, GroupQuery)
    assert fast["errors"] == []
    assert fast["data"]["groups"][0] == {
        "__typename": "Group",
        "title": "g",
        "size": 1,
        "tags": ["x", "y"],
        "t": "g",
        "members": [{"name": "a", "colour": "DARK_RED", "doubled": 2}],
        "lead": {"name": "a", "maybe": None, "colour": "DARK_RED"},
        "nested": [{"title": "g.1", "members": []}],
    }
    assert fast["data"]["groups"][1]["lead"] is None


@pytest.mark.parametrize(
    "selection",
    [
        "members { name later }",  # an async field inside the subtree
        "members { times(by: 2) }",  # an argument
        "members { broken }",  # a method that raises
        "members { name required }",  # a null in a non-null field
        "lead { required }",
    ],
)
async def test_a_subtree_that_is_not_plain_is_answered_by_graphql_core(selection: str) -> None:
    document = f"{{ brokenGroups {{ title {selection} }} }}"
    fast = await _run(True, document, GroupQuery)
    assert fast == await _run(False, document, GroupQuery)


async def test_errors_below_a_plain_list_keep_their_paths() -> None:
    fast = await _run(True, "{ brokenGroups { members { name required } } }", GroupQuery)
    assert fast == await _run(False, "{ brokenGroups { members { name required } } }", GroupQuery)
    assert fast["data"] is None
    assert fast["errors"] == [
        (
            "Cannot return null for non-nullable field Item.required.",
            ["brokenGroups", 0, "members", 1, "required"],
        )
    ]


async def test_a_plain_subtree_is_completed_without_graphql_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    completed: list[str] = []
    ordinary = FastExecutionContext.complete_value

    def counting(self: FastExecutionContext, return_type: Any, *args: Any) -> Any:
        completed.append(str(return_type))
        return ordinary(self, return_type, *args)

    monkeypatch.setattr(FastExecutionContext, "complete_value", counting)
    await _run(
        True, "{ groups { title members { name } lead { name } nested { title } } }", GroupQuery
    )
    # graphql-core completes the root list and its two groups; nothing below them
    assert set(completed) == {"[Group!]!", "[Group!]", "Group!", "Group"}
    assert len(completed) == 6
    completed.clear()
    await _run(True, "{ groups { members { later } } }", GroupQuery)
    assert "Item!" in completed
