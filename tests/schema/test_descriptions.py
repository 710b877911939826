"""Every type, field, argument, enum value and input field of the schema has a description:
GraphiQL's docs pane is most callers' manual (issue 20, item 6). The same rules run over
`schema.graphql` with graphql-schema-linter in CI (`tools/schema_lint.sh`)."""

from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    specified_scalar_types,
)

from schema import build_schema

EXEMPT: frozenset[str] = frozenset()
"""Coordinates (`Type`, `Type.field`, `Type.field(argument)`, `Enum.VALUE`) allowed to go
without a description: none."""


def _undescribed(named: GraphQLNamedType) -> Iterator[str]:
    name = named.name
    if not named.description:
        yield name
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for field_name, field in named.fields.items():
            if not field.description:
                yield f"{name}.{field_name}"
            for argument_name, argument in field.args.items():
                if not argument.description:
                    yield f"{name}.{field_name}({argument_name})"
    elif isinstance(named, GraphQLInputObjectType):
        for field_name, input_field in named.fields.items():
            if not input_field.description:
                yield f"{name}.{field_name}"
    elif isinstance(named, GraphQLEnumType):
        for value_name, value in named.values.items():
            if not value.description:
                yield f"{name}.{value_name}"


def missing_descriptions(schema: GraphQLSchema) -> list[str]:
    """What has no description, besides the introspection types and GraphQL's own scalars."""
    return [
        coordinate
        for name, named in sorted(schema.type_map.items())
        if not name.startswith("__") and name not in specified_scalar_types
        for coordinate in _undescribed(named)
        if coordinate not in EXEMPT
    ]


def test_the_walk_finds_what_is_missing() -> None:
    """The walk sees every kind of coordinate (so an empty answer means something)."""
    from graphql import build_schema as from_sdl

    bare = from_sdl(
        'type Query { "d" f(a: Int): E }  enum E { V }  input I { x: Int }  union U = Query'
    )
    assert missing_descriptions(bare) == ["E", "E.V", "I", "I.x", "Query", "Query.f(a)", "U"]


def test_everything_has_a_description() -> None:
    missing = missing_descriptions(build_schema()._schema)
    assert not missing, f"{len(missing)} without a description:\n" + "\n".join(missing)
