"""What a request asks for, measured on its document before anything runs: cost, depth, aliases,
and the arguments that would be refused.

The cost is an upper bound on the objects a request can return: every field of an object type costs
one per parent object, and a connection multiplies everything below it by its page size (`first` or
`last`, the smaller when both are given, or the default page). A plain list counts its `first`
argument when it has one, else the size it declares (`strawberry.field(metadata={"size": n})`, or
`{"size_argument": "max"}` to read another argument), else the maximum page size; and a field that
does more work than the objects it returns (a whole-network computation) declares an extra cost,
`metadata={"cost": n}`, counted once per parent object.

So `organizations(first: 100) { nodes { agreements(first: 10) { nodes { id } } } }` costs
1 + 100 + 100 + 100 x 10 = 1,201 (the two connections, each organization, its agreements
connection, and each agreement) roughly as GitHub counts it.

Arguments are read as execution reads them: `graphql.execution.values.get_argument_values`
over the variables as `get_variable_values` coerced them, so a variable's default counts as
it will run, and `@skip`/`@include` leave out what will not run. The arguments with limits of
their own are checked on the way: every `first` (with `after`, `last` and `before`) as a page
unless the field declares its own check, and the checks a field declares in
`metadata={CHECKS: {...}}` (a `depth` or `max` out of range); so such a request is refused
before any database work.

The walk measures each selection per parent object and multiplies, so each fragment is measured
once per page size it is spread under and reused at every spread: the time is linear in the
document, however often fragments spread each other. (strawberry's `QueryDepthLimiter` and
`MaxAliasesLimiter` walk a fragment again at every spread, exponential in such a document, so
depth and aliases are counted here, in the same walk.) Aliases are counted as they will run:
an alias in a fragment spread twice counts twice.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)

from resolvers.errors import ApiError
from resolvers.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, page_request

__all__ = ["CHECKS", "Measure", "coerced_variables", "measure", "measure_operation"]

CHECKS = "checks"
"""The metadata key under which a field declares its argument checks: a mapping from an
argument's GraphQL name to a function that raises `ApiError` for a value it refuses (the same
function its resolver calls)."""

NO_VARIABLES = VariableValues({}, {})


@dataclass(frozen=True, slots=True)
class Measure:
    cost: int
    depth: int
    aliases: int
    introspection: bool
    refusal: ApiError | None = None
    """The first argument that execution would refuse, found with no database work."""
    fragments_measured: int = 0
    """How many (fragment, page size) selections were walked: the work done, at most the
    number of fragments times the page sizes they are spread under."""


@dataclass(frozen=True, slots=True)
class _Part:
    """A selection's measure per parent object."""

    cost: int
    depth: int
    aliases: int


_NOTHING = _Part(0, 0, 0)


class _Refused(Exception):
    def __init__(self, error: ApiError) -> None:
        self.error = error


@dataclass(frozen=True, slots=True)
class _Arguments:
    """The arguments of a field that its measure and checks read (`get_argument_values` reads
    `args` alone): coercing a filter nobody measures would only cost time."""

    args: dict[str, GraphQLArgument]


@dataclass(frozen=True, slots=True)
class _Field:
    """What the walk needs of one field of the schema, worked out once per process."""

    declared_cost: int
    named: Any
    composite: bool
    connection: bool
    plain_list: bool
    size_argument: str
    size: int
    checks: Mapping[str, Callable[[Any], object]]
    page_checked: bool
    """Checked as a page (`first`, `after`) unless it declares a check of its own `first`."""
    arguments: _Arguments | None


_FIELDS: dict[int, tuple[GraphQLField, _Field]] = {}
"""By `id` of the field (graphql-core's fields are not hashable), holding the field so that its
`id` is not reused while its entry is kept."""


def _field(definition: GraphQLField) -> _Field:
    entry = _FIELDS.get(id(definition))
    if entry is not None:
        return entry[1]
    metadata = _metadata(definition)
    named = get_named_type(definition.type)
    size_argument = metadata.get("size_argument", "first")
    checks: Mapping[str, Callable[[Any], object]] = metadata.get(CHECKS) or {}
    page_checked = "first" in definition.args and "first" not in checks
    wanted = {"first", "ids", size_argument, *checks}
    if page_checked:
        wanted |= {"after", "last", "before"}
    read = {name: arg for name, arg in definition.args.items() if name in wanted}
    cost = metadata.get("cost", 0)
    size = metadata.get("size")
    found = _Field(
        declared_cost=cost if isinstance(cost, int) else 0,
        named=named,
        composite=is_composite_type(named),
        connection=_is_connection(named),
        plain_list=is_list_type(get_nullable_type(definition.type)),
        size_argument=size_argument,
        size=size if isinstance(size, int) else MAX_PAGE_SIZE,
        checks=checks,
        page_checked=page_checked,
        arguments=_Arguments(read) if read else None,
    )
    _FIELDS[id(definition)] = (definition, found)
    return found


@dataclass(slots=True)
class _Walk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: VariableValues
    introspection: bool = False
    measured: dict[tuple[str, int], _Part] = field(default_factory=dict)
    open: set[tuple[str, int]] = field(default_factory=set)

    def selection(self, selection_set: SelectionSetNode, parent: Any, page: int) -> _Part:
        cost = depth = aliases = 0
        fields: dict[str, GraphQLField] = getattr(parent, "fields", {})
        in_connection = _is_connection(parent)
        for node in selection_set.selections:
            if node.directives and not self.included(node):
                continue
            if isinstance(node, FieldNode):
                part = self.field(node, fields, in_connection, page)
            elif isinstance(node, InlineFragmentNode):
                inner = parent
                if node.type_condition is not None:
                    inner = self.schema.get_type(node.type_condition.name.value) or parent
                part = self.selection(node.selection_set, inner, page)
            elif isinstance(node, FragmentSpreadNode):
                part = self.fragment(node.name.value, page)
            else:  # pragma: no cover - no other kind of selection
                continue
            cost += part.cost
            if part.depth > depth:
                depth = part.depth
            aliases += part.aliases
        return _Part(cost, depth, aliases)

    def fragment(self, name: str, page: int) -> _Part:
        definition = self.fragments.get(name)
        if definition is None:
            return _NOTHING
        inner = self.schema.get_type(definition.type_condition.name.value)
        key = (name, page if _is_connection(inner) else 0)
        found = self.measured.get(key)
        if found is not None:
            return found
        if key in self.open:  # a cycle, which validation refuses
            return _NOTHING
        self.open.add(key)
        found = self.measured[key] = self.selection(definition.selection_set, inner, page)
        self.open.discard(key)
        return found

    def included(self, node: Any) -> bool:
        try:
            skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
            include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        except GraphQLError:
            return True
        if skip is not None and skip.get("if") is True:
            return False
        return not (include is not None and include.get("if") is False)

    def field(
        self, node: FieldNode, fields: Mapping[str, GraphQLField], in_connection: bool, page: int
    ) -> _Part:
        aliases = 0 if node.alias is None else 1
        name = node.name.value
        definition = fields.get(name)
        if definition is None:
            if name.startswith("__"):
                self.introspection = self.introspection or name in {"__schema", "__type"}
            return _Part(0, 1, aliases)
        known = _field(definition)
        arguments = _NO_ARGUMENTS if known.arguments is None else self.arguments(node, known)
        if not known.composite or node.selection_set is None:
            return _Part(known.declared_cost, 1, aliases)
        if known.connection:
            size = _page_size(arguments)
            below = self.selection(node.selection_set, known.named, size)
            return _Part(
                known.declared_cost + 1 + below.cost, 1 + below.depth, aliases + below.aliases
            )
        paged = in_connection and name in {"nodes", "edges"}
        fan = page if paged else _fan_out(known, arguments)
        below = self.selection(node.selection_set, known.named, 0)
        return _Part(
            known.declared_cost + fan + fan * below.cost, 1 + below.depth, aliases + below.aliases
        )

    def arguments(self, node: FieldNode, known: _Field) -> Mapping[str, Any]:
        """The field's measured arguments as execution will coerce them, once checked."""
        assert known.arguments is not None
        try:
            found = get_argument_values(known.arguments, node, self.variables)  # type: ignore[arg-type]
        except GraphQLError:
            return _NO_ARGUMENTS  # the field fails when it runs and returns nothing
        try:
            for name, check in known.checks.items():
                if found.get(name) is not None:
                    check(found[name])
            if known.page_checked:
                page_request(
                    found.get("first"), found.get("after"), found.get("last"), found.get("before")
                )
        except ApiError as error:
            raise _Refused(error) from None
        return found


_NO_ARGUMENTS: Mapping[str, Any] = {}


def _page_size(arguments: Mapping[str, Any]) -> int:
    """How many objects one page of a connection can hold: `first` and `last` both cut it."""
    sizes = [max(0, arguments[n]) for n in ("first", "last") if isinstance(arguments.get(n), int)]
    return min(sizes) if sizes else DEFAULT_PAGE_SIZE


def _fan_out(known: _Field, arguments: Mapping[str, Any]) -> int:
    """How many objects one parent's plain list field can return."""
    if not known.plain_list:
        return 1
    ids = arguments.get("ids")
    if isinstance(ids, list):
        return len(ids)
    size = arguments.get(known.size_argument)
    return max(0, size) if isinstance(size, int) else known.size


def _metadata(definition: GraphQLField) -> Mapping[str, Any]:
    """What a strawberry field declares in `strawberry.field(metadata=...)`."""
    field = (definition.extensions or {}).get("strawberry-definition")
    found: Mapping[str, Any] = getattr(field, "metadata", None) or {}
    return found


def _is_connection(named: Any) -> bool:
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection")


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op for op in operations if name is None or (op.name is not None and op.name.value == name)
    ]
    return chosen[0] if chosen else None


def coerced_variables(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode | None,
    raw: Mapping[str, Any] | None,
) -> VariableValues:
    """The operation's variables as execution coerces them (defaults included); none when they
    do not coerce, for then nothing runs."""
    if operation is None:
        return NO_VARIABLES
    found = get_variable_values(schema, operation.variable_definitions or (), dict(raw or {}))
    return NO_VARIABLES if isinstance(found, list) else found


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> Measure:
    """The measure of the operation that will run (the named one, or the only one), with the
    variables as they were sent."""
    operation = _operation(document, operation_name)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    coerced = coerced_variables(schema, operation, variables)
    return measure_operation(schema, operation, fragments, coerced)


def measure_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: VariableValues,
) -> Measure:
    """The measure of one operation of a document whose fragments are `fragments`, under its
    coerced `variables` (`coerced_variables`): every road measures with this function."""
    walk = _Walk(schema, fragments, variables)
    if operation is None:
        return Measure(cost=0, depth=0, aliases=0, introspection=False)
    root = schema.get_root_type(operation.operation)
    try:
        found = walk.selection(operation.selection_set, root, 0)
    except _Refused as refused:
        return Measure(
            cost=0,
            depth=0,
            aliases=0,
            introspection=walk.introspection,
            refusal=refused.error,
            fragments_measured=len(walk.measured),
        )
    return Measure(
        cost=found.cost,
        depth=found.depth,
        aliases=found.aliases,
        introspection=walk.introspection,
        fragments_measured=len(walk.measured),
    )
