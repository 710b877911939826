"""What a request asks for, measured on its document before anything runs: cost, depth, aliases.

The cost is an upper bound on the objects a request can return: every field of an object type
costs one per parent object, and a connection multiplies everything below it by its page size
(`first`, or the default page). A plain list counts its `first` argument when it has one, else
the size it declares (`strawberry.field(metadata={"size": n})`, or `{"size_argument": "max"}`
to read another argument), else the maximum page size; and a field that does more work than
the objects it returns (a whole-network computation) declares an extra cost,
`metadata={"cost": n}`, counted once per parent object.

So `organizations(first: 100) { nodes { agreements(first: 10) { nodes { id } } } }` costs
1 + 100 + 100 + 100 x 10 = 1,201 (the two connections, each organization, its agreements
connection, and each agreement) roughly as GitHub counts it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    is_list_type,
    is_non_null_type,
)

from resolvers.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

__all__ = ["Measure", "measure", "measure_operation"]


@dataclass(frozen=True, slots=True)
class Measure:
    cost: int
    depth: int
    aliases: int
    introspection: bool


@dataclass(slots=True)
class _Walk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    aliases: int = 0
    depth: int = 0
    introspection: bool = False

    def selection(
        self,
        selection_set: SelectionSetNode,
        parent: Any,
        multiplier: int,
        depth: int,
        page: int = 1,
    ) -> int:
        cost = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                cost += self.field(node, parent, multiplier, depth + 1, page)
            elif isinstance(node, InlineFragmentNode):
                inner = parent
                if node.type_condition is not None:
                    inner = self.schema.get_type(node.type_condition.name.value) or parent
                cost += self.selection(node.selection_set, inner, multiplier, depth, page)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    inner = self.schema.get_type(fragment.type_condition.name.value) or parent
                    cost += self.selection(fragment.selection_set, inner, multiplier, depth, page)
        return cost

    def field(self, node: FieldNode, parent: Any, multiplier: int, depth: int, page: int) -> int:
        self.depth = max(self.depth, depth)
        if node.alias is not None:
            self.aliases += 1
        name = node.name.value
        if name.startswith("__"):
            self.introspection = self.introspection or name in {"__schema", "__type"}
            return 0
        definition: GraphQLField | None = getattr(parent, "fields", {}).get(name)
        if definition is None:
            return 0
        declared = multiplier * _declared_cost(definition)
        named = get_named_type(definition.type)
        if not is_composite_type(named) or node.selection_set is None:
            return declared
        if _is_connection(named):
            first = self.argument(node, "first")
            size = DEFAULT_PAGE_SIZE if not isinstance(first, int) else first
            size = max(1, min(size, MAX_PAGE_SIZE))
            below = self.selection(node.selection_set, named, multiplier, depth, size)
            return declared + multiplier + below
        if _is_connection(parent) and name in {"nodes", "edges"}:
            inner = multiplier * page
        else:
            inner = multiplier * self.fan_out(node, definition)
        return declared + inner + self.selection(node.selection_set, named, inner, depth)

    def fan_out(self, node: FieldNode, definition: GraphQLField) -> int:
        """How many objects one parent's plain list field can return."""
        field_type = definition.type
        if is_non_null_type(field_type):
            field_type = field_type.of_type
        if not is_list_type(field_type):
            return 1
        ids = self.argument(node, "ids")
        if isinstance(ids, list):
            return max(1, len(ids))
        metadata = _metadata(definition)
        bound = metadata.get("size_argument", "first")
        size = self.argument(node, bound)
        declared = definition.args.get(bound)
        if size is None and declared is not None:
            size = declared.default_value
        if isinstance(size, int):
            return max(1, min(size, MAX_PAGE_SIZE))
        fixed = metadata.get("size")
        return fixed if isinstance(fixed, int) else MAX_PAGE_SIZE

    def argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                return self.variables.get(value.name.value)
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, ListValueNode):
                return list(value.values)
        return None


def _metadata(definition: GraphQLField) -> Mapping[str, Any]:
    """What a strawberry field declares in `strawberry.field(metadata=...)`."""
    field = (definition.extensions or {}).get("strawberry-definition")
    found: Mapping[str, Any] = getattr(field, "metadata", None) or {}
    return found


def _declared_cost(definition: GraphQLField) -> int:
    """The extra cost a field declares (0 when none)."""
    cost = _metadata(definition).get("cost", 0)
    return cost if isinstance(cost, int) else 0


def _is_connection(named: Any) -> bool:
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection")


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> Measure:
    """The measure of the operation that will run (the named one, or the only one)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op
        for op in operations
        if operation_name is None or (op.name is not None and op.name.value == operation_name)
    ]
    return measure_operation(schema, chosen[0] if chosen else None, fragments, variables)


def measure_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
) -> Measure:
    """The measure of one operation of a document whose fragments are `fragments`."""
    walk = _Walk(schema, fragments, variables or {})
    cost = 0
    if operation is not None:
        root = schema.get_root_type(operation.operation)
        cost = walk.selection(operation.selection_set, root, 1, 0)
    return Measure(
        cost=cost, depth=walk.depth, aliases=walk.aliases, introspection=walk.introspection
    )
