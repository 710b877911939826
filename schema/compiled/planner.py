"""Root fields whose whole selection is plain data, answered by one SQL statement.

`plan_roots` reads the selection of each root field (`node`, `organizations`, `alliances`,
`agreements`) and, when every field below it is one the database can answer (a column, an id,
a value, a reference or a child list its field declares: `schema.compiled.declare`), describes
it as shapes for `resolvers.compiled.answer`. Anything else (a field with its own resolver logic,
`@defer`, a permission class, a field of a type without a table)
leaves that root field to graphql-core, so the compiled road is only ever taken where it gives
the ordinary road's answer; tests/schema/test_compiled_reads.py holds the two side by side.
"""

import dataclasses
from dataclasses import dataclass
from typing import Any, cast

import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
    get_nullable_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from resolvers.compiled.answer import answer
from resolvers.compiled.shapes import (
    PAGE_INFO_FIELDS,
    Computed,
    Constant,
    Cursor,
    Edges,
    GlobalId,
    Leaf,
    ListMaker,
    ListShape,
    ListSpec,
    Localized,
    NodeRoot,
    ObjectShape,
    PageInfoShape,
    Part,
    Reference,
    Root,
    TotalCount,
)
from resolvers.compiled.summaries import Selection, SummaryRoot, summarisable
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.ids import decode_id
from resolvers.languages import tag_or_none
from resolvers.memo import Bounded
from resolvers.nodes import NODE_TABLES
from resolvers.paging import page_request
from resolvers.references import require_references
from schema.compiled.declare import ComputedRead, ListRead, LocalizedRead, ReferenceRead, declared

__all__ = ["CompiledRoot", "NotCompilable", "Planner", "answer_planned", "field_kind", "plan_roots"]

SUMMARY_FIELDS: dict[str, dict[str, str | None]] = {
    "CooperationSummary": {"asOf": None, "groupBy": None, "total": "m", "groups": "g"},
    "SummaryGroup": {"keys": "k", "measures": "m"},
    "ReportKey": {"dimension": None, "value": None, "label": None},
    "ReportMeasures": {"agreements": None, "active": None, "byStatus": "s"},
    "StatusCount": {"status": None, "count": None},
}
"""The fields of a summary `resolvers.compiled.summaries` writes (those naming a sub-selection
are objects); any other field of these types leaves the summary to its resolver."""

PLAIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "Date"})
"""Scalars PostgreSQL's JSON writes as GraphQL does; DateTime is written as text (`Leaf.moment`)."""

Details = list[FieldDetails]


class NotCompilable(Exception):
    """The selection needs graphql-core's ordinary road."""


def _strawberry(field: GraphQLField) -> StrawberryField:
    found = field.extensions.get("strawberry-definition")
    if not isinstance(found, StrawberryField):
        raise NotCompilable("not a strawberry field")
    if found.extensions or getattr(found, "permission_classes", None) or found.directives:
        raise NotCompilable("a field with extensions or permissions")
    return found


def _upper_enum(enum: GraphQLEnumType) -> bool:
    """Whether each value's name is its stored value in upper case (`upper(column)` in SQL)."""
    return all(name == str(value.value).upper() for name, value in enum.values.items())


Kind = GlobalId | Computed | Leaf | ReferenceRead | ListRead | LocalizedRead


def field_kind(node_type: GraphQLObjectType, field_name: str) -> Kind:
    """How field `field_name` of a node type is compiled, whatever is selected below it;
    `NotCompilable` if it is not."""
    name = node_type.name
    table = NODE_TABLES.get(name)
    if table is None:
        raise NotCompilable(f"{name} has no table")
    field = node_type.fields[field_name]
    strawberry_field = _strawberry(field)
    if field_name == "id":
        return GlobalId()
    kind = declared(strawberry_field)
    if isinstance(kind, ComputedRead):
        return Computed(kind.expression)
    if isinstance(kind, ReferenceRead):
        if field.args or not isinstance(get_nullable_type(field.type), GraphQLObjectType):
            raise NotCompilable(f"{name}.{field_name}")
        if is_non_null_type(field.type):
            raise NotCompilable(f"{name}.{field_name} is not nullable")
        return kind
    if isinstance(kind, ListRead | LocalizedRead):
        return kind
    column = strawberry_field.python_name
    if strawberry_field.base_resolver is not None or field.args or column not in table.c:
        raise NotCompilable(f"{name}.{field_name} is not a column")
    scalar = get_nullable_type(field.type)
    if isinstance(scalar, GraphQLEnumType) and _upper_enum(scalar):
        return Leaf(column, upper=True)
    scalar_name = getattr(scalar, "name", None)
    if scalar_name == "DateTime":
        return Leaf(column, moment=True)
    if scalar_name in PLAIN_SCALARS:
        return Leaf(column)
    raise NotCompilable(f"{scalar} is not plain JSON")


CONNECTION_FIELDS = frozenset({"totalCount", "nodes", "edges", "pageInfo"})
EDGE_FIELDS = frozenset({"node", "cursor"})
ROOT_FIELDS = frozenset({"node", "cooperationSummary"})
"""Root fields planned by name; the root lists are declared (`child_list`)."""


def compiled_fields(schema: GraphQLSchema) -> set[str]:
    """Every `Type.field` of the schema the planner compiles (whatever is selected below it):
    the fields of node types `field_kind` accepts, the root fields, and the fields of the
    connections, edges, page infos and summaries these reach."""
    found: set[str] = set()
    query = schema.query_type
    assert query is not None
    connections: list[GraphQLField] = []
    for name, field in query.fields.items():
        if name in ROOT_FIELDS:
            found.add(f"{query.name}.{name}")
        elif isinstance(declared(_strawberry(field)), ListRead):
            found.add(f"{query.name}.{name}")
            connections.append(field)
    for object_type in schema.type_map.values():
        if not isinstance(object_type, GraphQLObjectType) or object_type.name not in NODE_TABLES:
            continue
        for name, field in object_type.fields.items():
            try:
                kind = field_kind(object_type, name)
            except NotCompilable:
                continue
            found.add(f"{object_type.name}.{name}")
            if isinstance(kind, ListRead):
                connections.append(field)
    for field in connections:
        connection_type = get_named_type(field.type)
        assert isinstance(connection_type, GraphQLObjectType)
        edge_type = get_named_type(connection_type.fields["edges"].type)
        info_type = get_named_type(connection_type.fields["pageInfo"].type)
        found |= {f"{connection_type.name}.{name}" for name in CONNECTION_FIELDS}
        found |= {f"{edge_type.name}.{name}" for name in EDGE_FIELDS}
        found |= {f"{info_type.name}.{name}" for name in PAGE_INFO_FIELDS}
    for type_name, fields in SUMMARY_FIELDS.items():
        found |= {f"{type_name}.{name}" for name in fields}
    return found


@dataclass
class Planner:
    """One request's view of the document: schema, fragments, variables."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDetails]
    variables: VariableValues
    operation: OperationDefinitionNode
    checks: list[Any] = dataclasses.field(default_factory=list)
    """The filters met on the way, whose references must be checked on every request."""

    def subfields(self, parent: GraphQLObjectType, details: Details) -> dict[str, Details]:
        for detail in details:
            if detail.defer_usage is not None or detail.fragment_variable_values is not None:
                raise NotCompilable("@defer or fragment variables")
        collected = collect_subfields(
            self.schema, self.fragments, self.variables, self.operation, parent, details
        )
        if collected.new_defer_usages:
            raise NotCompilable("@defer")
        return collected.grouped_field_set

    def arguments(self, field: GraphQLField, details: Details) -> dict[str, Any]:
        if len({detail.node.arguments and str(detail.node.arguments) for detail in details}) > 1:
            raise NotCompilable("one field asked for with different arguments")
        raw = get_argument_values(field, details[0].node, self.variables)
        strawberry_schema = cast(Any, self.schema)._strawberry_schema
        return convert_arguments(
            raw,
            _strawberry(field).arguments,
            scalar_registry=strawberry_schema.schema_converter.scalar_registry,
            config=strawberry_schema.config,
        )

    def root(self, parent: GraphQLObjectType, details: Details) -> Root:
        name = details[0].node.name.value
        field = parent.fields.get(name)
        if field is None:
            raise NotCompilable(f"{name} is a meta field (introspection)")
        if name not in ROOT_FIELDS and not isinstance(declared(_strawberry(field)), ListRead):
            raise NotCompilable(f"root field {name}")
        if name == "node":
            type_name, key = decode_id(self.arguments(field, details)["id"])
            node_type = self.schema.type_map.get(type_name)
            if not isinstance(node_type, GraphQLObjectType):
                raise NotCompilable("not a node type")
            return NodeRoot(key=key, shape=self.object(node_type, details))
        kind = declared(_strawberry(field))
        if isinstance(kind, ListRead):
            return self.connection(kind.source, field, details)
        if name == "cooperationSummary":
            return self.summary(field, details)
        raise NotCompilable(f"root field {name}")

    def summary(self, field: GraphQLField, details: Details) -> SummaryRoot:
        """A summary of counts only, by dimensions with one value per agreement."""
        arguments = self.arguments(field, details)
        dimensions = tuple(dict.fromkeys(arguments.get("group_by") or []))
        if not summarisable(dimensions):
            raise NotCompilable("a summary json_reports cannot write")
        filter = arguments.get("filter")
        if filter is not None:
            self.checks.append(filter)
        summary_type = get_nullable_type(field.type)
        if not isinstance(summary_type, GraphQLObjectType):
            raise NotCompilable("not an object")
        shape = self.selection(summary_type, details, SUMMARY_FIELDS)
        return SummaryRoot(filter, dimensions, arguments.get("as_of"), shape)

    def selection(
        self,
        object_type: GraphQLObjectType,
        details: Details,
        allowed: dict[str, dict[str, str | None]],
    ) -> Selection:
        """The plain fields asked for of `object_type`, each one `allowed` for its type."""
        fields = allowed.get(object_type.name)
        if fields is None:
            raise NotCompilable(f"{object_type.name} is not plain here")
        parts: list[tuple[str, str, Selection | None]] = []
        for key, field_details in self.subfields(object_type, details).items():
            name = field_details[0].node.name.value
            if name == "__typename":
                parts.append((key, name, None))
                continue
            if name not in fields or field_details[0].node.arguments:
                raise NotCompilable(f"{object_type.name}.{name}")
            sub = None
            if fields[name] is not None:
                sub_type = get_named_type(object_type.fields[name].type)
                if not isinstance(sub_type, GraphQLObjectType):
                    raise NotCompilable("not an object")
                sub = self.selection(sub_type, field_details, allowed)
            parts.append((key, name, sub))
        return Selection(object_type.name, tuple(parts))

    def object(self, node_type: GraphQLObjectType, details: Details) -> ObjectShape:
        name = node_type.name
        if name not in NODE_TABLES:
            raise NotCompilable(f"{name} has no table")
        parts: list[tuple[str, Part]] = []
        for key, field_details in self.subfields(node_type, details).items():
            field_name = field_details[0].node.name.value
            if field_name == "__typename":
                parts.append((key, Constant(name)))
                continue
            field = node_type.fields[field_name]
            kind = field_kind(node_type, field_name)
            if isinstance(kind, ReferenceRead):
                target = get_nullable_type(field.type)
                assert isinstance(target, GraphQLObjectType)
                parts.append((key, Reference(kind.column, self.object(target, field_details))))
            elif isinstance(kind, ListRead):
                parts.append((key, self.connection(kind.source, field, field_details)))
            elif isinstance(kind, LocalizedRead):
                parts.append((key, self.localized(kind, field, field_details)))
            else:
                parts.append((key, kind))
        return ObjectShape(node=name, parts=tuple(parts))

    def localized(self, kind: LocalizedRead, field: GraphQLField, details: Details) -> Localized:
        """A name field; a `lang` that is not BCP 47 is left to the ordinary road's error."""
        lang = self.arguments(field, details).get("lang")
        tag = None if lang is None else tag_or_none(lang)
        if lang is not None and tag is None:
            raise NotCompilable("a language tag that is not BCP 47")
        return Localized(kind.type_name, kind.field, kind.field, kind.local_column, tag)

    def connection(self, source: ListMaker, field: GraphQLField, details: Details) -> ListShape:
        arguments = self.arguments(field, details)
        if set(arguments) - {"first", "after", "last", "before", "filter", "order_by"}:
            raise NotCompilable("a list argument the compiled road does not know")
        request = page_request(
            arguments.get("first"),
            arguments.get("after"),
            arguments.get("last"),
            arguments.get("before"),
        )
        filter = arguments.get("filter")
        if filter is not None:
            self.checks.append(filter)
        connection_type = get_nullable_type(field.type)
        if not isinstance(connection_type, GraphQLObjectType):
            raise NotCompilable("not a connection")
        edge_type = get_nullable_type(connection_type.fields["edges"].type).of_type
        node_type = get_nullable_type(get_nullable_type(edge_type).fields["node"].type)
        parts: list[tuple[str, Any]] = []
        for key, field_details in self.subfields(connection_type, details).items():
            name = field_details[0].node.name.value
            if name == "__typename":
                parts.append((key, Constant(connection_type.name)))
            elif name not in CONNECTION_FIELDS:
                raise NotCompilable(f"{connection_type.name}.{name}")
            elif name == "totalCount":
                parts.append((key, TotalCount()))
            elif name == "nodes":
                parts.append((key, self.object(node_type, field_details)))
            elif name == "edges":
                parts.append((key, self.edges(get_nullable_type(edge_type), field_details)))
            elif name == "pageInfo":
                parts.append((key, self.page_info(connection_type, field_details)))
            else:
                raise NotCompilable(f"{connection_type.name}.{name}")
        spec = ListSpec(source, filter=filter, order=arguments.get("order_by"))
        return ListShape(spec=spec, request=request, node=node_type.name, parts=tuple(parts))

    def edges(self, edge_type: GraphQLObjectType, details: Details) -> Edges:
        parts: list[tuple[str, ObjectShape | Cursor | Constant]] = []
        for key, field_details in self.subfields(edge_type, details).items():
            name = field_details[0].node.name.value
            if name == "node":
                node_type = get_nullable_type(edge_type.fields["node"].type)
                parts.append((key, self.object(node_type, field_details)))
            elif name == "cursor":
                parts.append((key, Cursor()))
            elif name == "__typename":
                parts.append((key, Constant(edge_type.name)))
            else:
                raise NotCompilable(f"{edge_type.name}.{name}")
        return Edges(parts=tuple(parts))

    def page_info(self, connection_type: GraphQLObjectType, details: Details) -> PageInfoShape:
        info_type = get_nullable_type(connection_type.fields["pageInfo"].type)
        parts: list[tuple[str, str]] = []
        for key, field_details in self.subfields(info_type, details).items():
            name = field_details[0].node.name.value
            if name == "__typename":
                name = info_type.name
            elif name not in PAGE_INFO_FIELDS:
                raise NotCompilable(f"PageInfo.{name}")
            parts.append((key, name))
        return PageInfoShape(parts=tuple(parts))


@dataclass(frozen=True, slots=True)
class CompiledRoot:
    root: Root
    checks: tuple[Any, ...]
    """Filters whose IDs must name visible objects (`require_references`), per request."""
    text: str
    """`root` by value, made once with the plan: the key of its written statement."""

    async def check(self, context: Context) -> None:
        for filter in self.checks:
            await require_references(context, filter)


_plans: Bounded[tuple[str, str, str], dict[str, CompiledRoot]] = Bounded(512, name="compiled_plans")
"""Plans by document text, operation and variables: the same request plans the same way, for
any caller (what a caller may see is applied when the statement is written)."""


def plan_roots(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDetails],
    variables: VariableValues,
    operation: OperationDefinitionNode,
    parent: GraphQLObjectType,
    grouped_field_set: dict[str, Details],
) -> dict[str, CompiledRoot]:
    """The root fields that can be compiled, by response name (the rest are left out)."""
    key = None
    if operation.loc is not None:
        name = operation.name.value if operation.name else ""
        key = (operation.loc.source.body, name, repr(variables.coerced))
        found = _plans.get(key)
        if found is not None:
            return found
    planned: dict[str, CompiledRoot] = {}
    for response_name, details in grouped_field_set.items():
        planner = Planner(schema, fragments, variables, operation)
        try:
            root = planner.root(parent, details)
        except (NotCompilable, ApiError):
            continue
        planned[response_name] = CompiledRoot(root, tuple(planner.checks), repr(root))
    if key is not None:
        _plans.put(key, planned)
    return planned


async def answer_planned(
    context: Context, planned: dict[str, CompiledRoot]
) -> dict[str, orjson.Fragment | None]:
    """The JSON of each planned root field, by response name, from one statement; a root
    whose filter names something the caller cannot see is left out (its resolver reports it)."""
    checked: dict[str, CompiledRoot] = {}
    for response_name, compiled_root in planned.items():
        try:
            await compiled_root.check(context)
        except ApiError:
            continue
        checked[response_name] = compiled_root
    if not checked:
        return {}
    roots = list(checked.values())
    values = await answer(context, [c.root for c in roots], tuple(c.text for c in roots))
    return dict(zip(checked, values, strict=True))
