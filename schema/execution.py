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
from collections.abc import Awaitable, Callable
from typing import Any, cast

from graphql import (
    GraphQLLeafType,
    GraphQLObjectType,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.json_reads import Root, answer
from schema.compiled_reads import plan_roots

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


def _plan(parent_type: GraphQLObjectType) -> dict[str, Getter]:
    """The fast getters of a type's plain fields, worked out once per type."""
    plan = _PLANS.get(parent_type)
    if plan is not None:
        return plan
    plan = {}
    for name, definition in parent_type.fields.items():
        field = definition.extensions.get("strawberry-definition")
        if not isinstance(field, StrawberryField):
            continue
        leaf = get_nullable_type(definition.type)
        if not is_leaf_type(leaf) or definition.args:
            continue
        getter = _value_of(field)
        if getter is not None:
            plan[name] = _fast(getter, leaf, nullable=not is_non_null_type(definition.type))
    _PLANS[parent_type] = plan
    return plan


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
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
        slow: dict[str, Any] = {}
        results: dict[str, Any] = {}
        for response_name, field_details_list in grouped_field_set.items():
            getter = plan.get(field_details_list[0].node.name.value)
            if getter is not None:
                value = getter(source_value)
                if value is not _SLOW:
                    results[response_name] = value
                    continue
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
        (`schema.compiled_reads`), the rest, and any that fail there, the ordinary way."""
        context = cast(Context, self.context_value)
        roots: dict[str, Root] = {}
        shapes: list[str] = []
        values: list[Any] = []
        try:
            planned = plan_roots(
                self.schema,
                self.fragments,
                self.variable_values,
                self.operation,
                parent_type,
                grouped_field_set,
            )
            for response_name, compiled_root in planned.items():
                try:
                    await compiled_root.check(context)
                except ApiError:
                    continue
                roots[response_name] = compiled_root.root
                shapes.append(compiled_root.text)
            if roots:
                values = await answer(context, list(roots.values()), tuple(shapes))
        except Exception:
            logger.warning("a compiled read failed; answering it the ordinary way", exc_info=True)
            roots = {}
        compiled = dict(zip(roots, values, strict=True))
        rest = {k: v for k, v in grouped_field_set.items() if k not in compiled}
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
