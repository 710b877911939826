"""Every string a GraphQL caller sends is checked once, before any resolver or the database.

A string refused by `resolvers.input_checks` (a NUL character, over the length limits) answers
`BAD_USER_INPUT` naming where it was: the argument path of a literal
(`organizations.filter.text`), or the variable path of a value sent in `variables`
(`$input.name`).

The check walks the operation's arguments and its variables with their GraphQL input types,
so it covers every argument, input object field and list item of every type at once (String,
ID and the custom scalars alike); the values themselves are checked as they came, before
coercion. It runs as a schema extension after admission (`schema.guard.Guard`) and before
execution; the fast lane (`schema.compiled.fast_lane`) calls `input_problem` on the variables of a
learned document and hands a refused request to strawberry, which reports it.
"""

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    ExecutableDefinitionNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    VariableNode,
    Visitor,
    get_nullable_type,
    type_from_ast,
    visit,
)
from strawberry.extensions import SchemaExtension

from resolvers.context import Context
from resolvers.errors import BadUserInput
from resolvers.input_checks import SEARCH_FIELDS, search_limit, string_problem
from resolvers.memo import Bounded
from settings import Settings

__all__ = ["InputHygiene", "input_problem"]


def _limit(settings: Settings, parent: GraphQLInputType | None, name: str) -> int:
    if isinstance(parent, GraphQLInputObjectType) and name in SEARCH_FIELDS:
        return search_limit(settings)
    return settings.max_string_length


def _inner(type_: GraphQLInputType | None) -> GraphQLInputType | None:
    return None if type_ is None else get_nullable_type(type_)  # type: ignore[return-value]


def _sent_problems(
    value: object, type_: GraphQLInputType | None, where: str, limit: int, settings: Settings
) -> Iterator[BadUserInput]:
    """Problems in a value sent as JSON (in `variables`), walked along its declared type only:
    what lies outside it (an unknown field, a list where a scalar goes) is refused by coercion,
    and the walk stays as shallow as the schema's input types however deep the value."""
    named = _inner(type_)
    if isinstance(value, str):
        found = string_problem(value, where, limit)
        if found is not None:
            yield found
    elif isinstance(value, Mapping) and isinstance(named, GraphQLInputObjectType):
        for key, item in value.items():
            key_text = str(key)
            found = string_problem(key_text, f"{where} (a field name)", settings.max_string_length)
            if found is not None:
                yield found
                continue
            field = named.fields.get(key_text)
            if field is not None:
                yield from _sent_problems(
                    item,
                    field.type,
                    f"{where}.{key_text}",
                    _limit(settings, named, key_text),
                    settings,
                )
    elif isinstance(value, list) and isinstance(named, GraphQLList):
        for index, item in enumerate(value):
            yield from _sent_problems(item, named.of_type, f"{where}[{index}]", limit, settings)


@dataclass(frozen=True, slots=True)
class _Usage:
    """A variable used in an argument: what it must be checked as there."""

    name: str
    type: GraphQLInputType | None
    limit: int


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a document needs checked: its literals once (the first refusal, if any), and the
    variables it uses, where it uses them, on every request."""

    refused: BadUserInput | None
    usages: tuple[_Usage, ...]
    defaults: Mapping[str, ValueNode]


def _literal_problems(
    node: ValueNode,
    type_: GraphQLInputType | None,
    where: str,
    limit: int,
    settings: Settings,
    usages: list[_Usage],
) -> Iterator[BadUserInput]:
    """Problems in a value written in the document; a variable in it is noted in `usages`, with
    the limit of the place it is used in (a search, say)."""
    named = _inner(type_)
    if isinstance(node, VariableNode):
        usages.append(_Usage(node.name.value, type_, limit))
    elif isinstance(node, StringValueNode):
        found = string_problem(node.value, where, limit)
        if found is not None:
            yield found
    elif isinstance(node, ObjectValueNode):
        fields = named.fields if isinstance(named, GraphQLInputObjectType) else {}
        for entry in node.fields:
            name = entry.name.value
            field = fields.get(name)
            yield from _literal_problems(
                entry.value,
                field.type if field is not None else None,
                f"{where}.{name}",
                _limit(settings, named, name),
                settings,
                usages,
            )
    elif isinstance(node, ListValueNode):
        item_type = named.of_type if isinstance(named, GraphQLList) else named
        for index, item in enumerate(node.values):
            yield from _literal_problems(
                item, item_type, f"{where}[{index}]", limit, settings, usages
            )


class _Arguments(Visitor):
    """Collects the problems of every argument literal in a document, and its variable uses."""

    def __init__(self, type_info: TypeInfo, settings: Settings) -> None:
        super().__init__()
        self.type_info = type_info
        self.settings = settings
        self.found: list[BadUserInput] = []
        self.usages: list[_Usage] = []

    def enter_argument(self, node: ArgumentNode, *args: Any) -> object:
        ancestors = args[3]
        owner = next(
            (a for a in reversed(ancestors) if isinstance(a, FieldNode | DirectiveNode)), None
        )
        prefix = "@" if isinstance(owner, DirectiveNode) else ""
        where = f"{prefix}{owner.name.value}.{node.name.value}" if owner else node.name.value
        argument = self.type_info.get_argument()
        self.found.extend(
            _literal_problems(
                node.value,
                argument.type if argument is not None else None,
                where,
                self.settings.max_string_length,
                self.settings,
                self.usages,
            )
        )
        return Visitor.SKIP


def _plan(
    schema: GraphQLSchema,
    definitions: Iterable[ExecutableDefinitionNode],
    operation: OperationDefinitionNode,
    settings: Settings,
) -> _Plan:
    type_info = TypeInfo(schema)
    arguments = _Arguments(type_info, settings)
    visitor = TypeInfoVisitor(type_info, arguments)
    for executable in definitions:
        visit(executable, visitor)
    usages = arguments.usages
    defaults: dict[str, ValueNode] = {}
    for variable in operation.variable_definitions or ():
        name = variable.variable.name.value
        declared: GraphQLInputType | None = type_from_ast(  # type: ignore[assignment]
            schema, variable.type
        )
        usages.append(_Usage(name, declared, settings.max_string_length))
        if variable.default_value is not None:
            defaults[name] = variable.default_value
    refused = arguments.found[0] if arguments.found else None
    return _Plan(refused=refused, usages=tuple(usages), defaults=defaults)


_plans: Bounded[tuple[str | None, str | None, int, int], _Plan] = Bounded(256, name="input_checks")
"""Plans by document text, operation name and limits (walking a document with its types cost
a few hundred microseconds; checking the variables of a planned one, a few)."""


def input_problem(
    schema: GraphQLSchema,
    definitions: Iterable[ExecutableDefinitionNode],
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
    settings: Settings,
    *,
    text: str | None = None,
) -> BadUserInput | None:
    """The first string refused in the arguments of `definitions` (the operation and the
    fragments it may spread), then in the variables they use (as sent, or their defaults),
    where they use them, then as declared; `None` when all are acceptable. With `text`, the
    document's, the walk of the document is kept for the next request with the same text."""
    name = operation.name.value if operation.name is not None else None
    key = (text, name, settings.max_string_length, settings.max_search_length)
    plan = _plans.get(key) if text is not None else None
    if plan is None:
        plan = _plan(schema, definitions, operation, settings)
        if text is not None:
            _plans.put(key, plan)
    if plan.refused is not None:
        return plan.refused
    sent = variables or {}
    for usage in plan.usages:
        where = f"${usage.name}"
        if usage.name in sent:
            problems = _sent_problems(sent[usage.name], usage.type, where, usage.limit, settings)
        elif usage.name in plan.defaults:
            problems = _literal_problems(
                plan.defaults[usage.name], usage.type, where, usage.limit, settings, []
            )
        else:
            continue
        for problem in problems:
            return problem
    return None


class InputHygiene(SchemaExtension):
    """Refuses an operation holding a string that is not acceptable (see the module)."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx = execution.context
        document = execution.graphql_document
        if execution.result is None and isinstance(ctx, Context) and document is not None:
            operation = _operation(document, execution.operation_name)
            if operation is not None:
                definitions: list[ExecutableDefinitionNode] = [
                    d
                    for d in document.definitions
                    if d is operation or isinstance(d, FragmentDefinitionNode)
                ]
                problem = input_problem(
                    execution.schema._schema,
                    definitions,
                    operation,
                    execution.variables,
                    ctx.settings,
                    text=document.loc.source.body if document.loc is not None else None,
                )
                if problem is not None:
                    execution.result = ExecutionResult(
                        data=None, errors=[GraphQLError(problem.message, original_error=problem)]
                    )
        yield


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)
