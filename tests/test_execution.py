"""The fast road for plain fields (schema/execution.py) answers exactly as graphql-core would."""

from enum import Enum
from typing import Any

import pytest
import strawberry

from schema.execution import FastExecutionContext

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


async def _run(fast: bool, document: str) -> dict[str, Any]:
    schema = strawberry.Schema(
        query=Query, execution_context_class=FastExecutionContext if fast else None
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

    from schema.execution import _plan

    schema = strawberry.Schema(query=Query, execution_context_class=FastExecutionContext)
    item = schema._schema.get_type("Item")
    assert isinstance(item, GraphQLObjectType)
    assert set(_plan(item)) == {"name", "maybe", "required", "colour", "doubled", "broken"}
