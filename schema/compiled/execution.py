"""A faster way through graphql-core for the fields that are plain data.

graphql-core resolves every field the same way: it builds a `GraphQLResolveInfo`, calls the
field's resolver through strawberry's wrapper, checks for an awaitable, and completes the value
through several generic calls. For a list of 100 objects with 10 fields that is 1,000 such
rounds, and they are most of the time a read takes (bench/RESULTS.md).

Most of those fields need none of it: their value is an attribute of the object already in hand
(`name`, `country`), or a synchronous method of it that takes nothing but `self` (`id`, an
agreement's `status`), and their type is a scalar or an enum. For those, `FastExecutionContext`
reads the value and serialises it directly. Everything else (fields with arguments, `info`,
async resolvers, permission classes or field extensions, lists and objects, a null where the
schema says non-null, any exception) takes graphql-core's ordinary road, so errors keep their
paths and messages; with a schema extension that hooks `resolve` (a middleware) every field does.
"""

import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, cast

from graphql import (
    GraphQLEnumType,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from resolvers.context import Context
from resolvers.errors import ApiError
from schema.compiled.fast_lane import Learned, learn
from schema.compiled.planner import answer_planned, plan_roots
from telemetry.facts import set_road

__all__ = ["FastExecutionContext"]

logger = logging.getLogger(__name__)

_SLOW = object()
"""What a fast getter returns when the field must take the ordinary road."""

Getter = Callable[[Any], Any]


def _value_of(field: StrawberryField) -> Getter | None:
    """How to read `field` from its object without graphql-core, if it is plain data."""
    if field.extensions or getattr(field, "permission_classes", None) or field.directives:
        return None
    resolver = field.base_resolver
    if resolver is None:
        read = field.default_resolver
        name = field.python_name
        return lambda source: read(source, name)
    if (
        resolver.is_async
        or resolver.arguments
        or resolver.info_parameter is not None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
        or resolver.self_parameter is None
    ):
        return None
    method = cast(Callable[[Any], Any], resolver.wrapped_func)
    return lambda source: method(source)


def _fast(getter: Getter, leaf: GraphQLLeafType, nullable: bool) -> Getter:
    serialize = leaf.serialize

    def value(source: Any) -> Any:
        try:
            raw = getter(source)
            if raw is None:
                return None if nullable else _SLOW
            serialized = serialize(raw)
        except Exception:
            return _SLOW
        if serialized is None or serialized is Undefined:
            return _SLOW
        return serialized

    return value


_PLANS: dict[GraphQLObjectType, dict[str, Getter]] = {}
_OBJECT_PLANS: dict[GraphQLObjectType, dict[str, tuple[Getter, GraphQLOutputType]]] = {}


class _Abort(Exception):
    """A subtree that is not plain data after all: graphql-core answers the whole field."""


_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1

_Selected = tuple[str, str | None, Any, Any, Any]
"""A field to complete: response name, and either the type name (`__typename`) or how to read
it, its type and its own selection."""

_ENUM_NAMES: dict[GraphQLEnumType, dict[tuple[type, Any], Any]] = {}
"""Each enum type's serialised value per value met (strawberry's conversion of an enum costs
more than the rest of a plain field)."""


def _serialized(leaf: GraphQLScalarType | GraphQLEnumType, value: Any) -> Any:
    """`leaf.serialize(value)`; `_Abort` where graphql-core would report an error."""
    kind = type(value)
    if (kind is str and leaf is GraphQLString) or (
        kind is int and leaf is GraphQLInt and _MIN_INT <= value <= _MAX_INT
    ):
        return value  # what graphql-core's serialize gives them
    names = None
    if isinstance(leaf, GraphQLEnumType) and isinstance(value, Hashable):
        names = _ENUM_NAMES.setdefault(leaf, {})
        found = names.get((kind, value))
        if found is not None:
            return found
    try:
        serialized = leaf.serialize(value)
    except Exception as error:
        raise _Abort from error
    if serialized is None or serialized is Undefined:
        raise _Abort
    if names is not None:
        names[(kind, value)] = serialized
    return serialized


def _object_plan(parent_type: GraphQLObjectType) -> dict[str, tuple[Getter, GraphQLOutputType]]:
    """How to read each plain field of a type (no arguments; an attribute or a `self`-only
    synchronous method) as it is, with its GraphQL type; worked out once per type."""
    plan = _OBJECT_PLANS.get(parent_type)
    if plan is not None:
        return plan
    plan = {}
    for name, definition in parent_type.fields.items():
        field = definition.extensions.get("strawberry-definition")
        if not isinstance(field, StrawberryField) or definition.args:
            continue
        getter = _value_of(field)
        if getter is not None:
            plan[name] = (getter, definition.type)
    _OBJECT_PLANS[parent_type] = plan
    return plan


def _plan(parent_type: GraphQLObjectType) -> dict[str, Getter]:
    """The fast getters of a type's plain leaf fields, worked out once per type."""
    plan = _PLANS.get(parent_type)
    if plan is not None:
        return plan
    plan = {}
    for name, (getter, field_type) in _object_plan(parent_type).items():
        leaf = get_nullable_type(field_type)
        if is_leaf_type(leaf):
            plan[name] = _fast(getter, leaf, nullable=not is_non_null_type(field_type))
    _PLANS[parent_type] = plan
    return plan


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._not_plain: set[int] = set()
        """Selections (by the identity of graphql-core's field lists, which it keeps for the
        whole execution) found not to be plain data: not tried again for the next item."""
        self._selections: dict[tuple[GraphQLObjectType, int], list[_Selected]] = {}
        """What `_selection` worked out, per object type and selection."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's, with plain fields answered before any path or info is made."""
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        if path is None and parent_type is self.schema.query_type and self._compiles():
            return self._roots(parent_type, source_value, grouped_field_set, position_context)
        if source_value is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plan = _plan(parent_type)
        objects = _object_plan(parent_type)
        slow: dict[str, Any] = {}
        results: dict[str, Any] = {}
        for response_name, field_details_list in grouped_field_set.items():
            name = field_details_list[0].node.name.value
            getter = plan.get(name)
            if getter is not None:
                value = getter(source_value)
                if value is not _SLOW:
                    results[response_name] = value
                    continue
            elif name in objects and id(field_details_list) not in self._not_plain:
                read, field_type = objects[name]
                try:
                    results[response_name] = self._plain(
                        field_type, field_details_list, read, source_value
                    )
                    continue
                except _Abort:
                    self._not_plain.add(id(field_details_list))
            results[response_name] = None  # keeps the order of the response's keys
            slow[response_name] = field_details_list
        if not slow:
            return results
        rest = super().execute_fields(parent_type, source_value, path, slow, position_context)
        if not self.is_awaitable(rest):
            results.update(cast(dict[str, Any], rest))
            return results

        async def merged() -> dict[str, Any]:
            results.update(await cast(Awaitable[dict[str, Any]], rest))
            return results

        return merged()

    def _plain(self, field_type: GraphQLOutputType, details: Any, read: Getter, source: Any) -> Any:
        """The completed value of a field whose whole selection is plain data (leaves, lists
        and objects read from attributes or `self`-only methods), answered without graphql-core;
        `_Abort` for anything else (an argument, an async or failing resolver, a null where the
        schema says non-null, an interface, `@defer`), before anything is recorded, so that
        graphql-core can answer the field from the start with its own errors and paths."""
        try:
            value = read(source)
        except Exception as error:
            raise _Abort from error
        return self._complete_plain(field_type, details, value)

    def _complete_plain(self, field_type: GraphQLOutputType, details: Any, value: Any) -> Any:
        if isinstance(field_type, GraphQLNonNull):
            if value is None:
                raise _Abort
            field_type = field_type.of_type
        elif value is None:
            return None
        if isinstance(field_type, GraphQLScalarType | GraphQLEnumType):
            return _serialized(field_type, value)
        if isinstance(field_type, GraphQLList):
            if not isinstance(value, list | tuple):
                raise _Abort
            item_type = field_type.of_type
            return [self._complete_plain(item_type, details, item) for item in value]
        if not isinstance(field_type, GraphQLObjectType) or field_type.is_type_of is not None:
            raise _Abort
        completed: dict[str, Any] = {}
        for response_name, typename, read, sub_type, sub_details in self._selection(
            field_type, details
        ):
            if typename is not None:
                completed[response_name] = typename
            else:
                completed[response_name] = self._plain(sub_type, sub_details, read, value)
        return completed

    def _selection(self, object_type: GraphQLObjectType, details: Any) -> list[_Selected]:
        """What to read for each field of `details` on `object_type`, worked out once per
        execution and selection (graphql-core keeps `details` alive for the execution)."""
        key = (object_type, id(details))
        found = self._selections.get(key)
        if found is not None:
            return found
        grouped, new_defer_usages, _ = self.collect_subfields(object_type, details)
        if new_defer_usages:
            raise _Abort
        fields = _object_plan(object_type)
        selected: list[_Selected] = []
        for response_name, field_details_list in grouped.items():
            first = field_details_list[0]
            if first.defer_usage is not None:
                raise _Abort
            name = first.node.name.value
            if name == "__typename":
                selected.append((response_name, object_type.name, None, None, None))
                continue
            plain = fields.get(name)
            if plain is None:
                raise _Abort
            read, sub_type = plain
            selected.append((response_name, None, read, sub_type, field_details_list))
        self._selections[key] = selected
        return selected

    def _compiles(self) -> bool:
        context = self.context_value
        return (
            isinstance(context, Context)
            and context.settings.compiled_reads
            and context.engine.dialect.name == "postgresql"
        )

    async def _roots(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> dict[str, Any]:
        """The query's root fields: those that are plain data from one SQL statement
        (`schema.compiled.planner`), the rest, and any that fail there, the ordinary way."""
        context = cast(Context, self.context_value)
        compiled: dict[str, Any] = {}
        try:
            planned = plan_roots(
                self.schema,
                self.fragments,
                self.variable_values,
                self.operation,
                parent_type,
                grouped_field_set,
            )
            compiled = await answer_planned(context, planned)
        except ApiError:
            pass  # a caller's mistake (a cursor this list cannot take): the resolver reports it
        except Exception:
            logger.warning("a compiled read failed; answering it the ordinary way", exc_info=True)
        rest = {k: v for k, v in grouped_field_set.items() if k not in compiled}
        if not rest:
            learn(context, Learned(self.operation, self.fragment_definitions, self.fragments))
            set_road("compiled")
        ordinary: Any = {}
        if rest:
            ordinary = super().execute_fields(
                parent_type, source_value, None, rest, position_context
            )
            if self.is_awaitable(ordinary):
                ordinary = await ordinary
        return {
            key: compiled[key] if key in compiled else ordinary[key] for key in grouped_field_set
        }
