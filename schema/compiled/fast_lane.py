"""Plain-data queries answered before strawberry's HTTP view, when nothing but data is needed.

A compiled read (`schema.compiled.planner`) costs the database one statement, yet the request
around it still goes through strawberry's view: the body parsed, content type checked,
extension hooks entered and left, an execution context built, the document looked up in the
parser and validation caches, the result processed and encoded. For the portal and the
directory that was most of the server's time (bench/RESULTS.md).

The lane answers a POST whose document strawberry has already run once, in this process,
entirely by compiled reads (`learn`, called from `schema.compiled.execution`): that document parsed,
passed the token limit and validation, and every root field of its operation planned. For such
a request the lane coerces the variables, measures the document with them as strawberry's road
does (`schema.limits.measure_operation`), admits the caller (`schema.guard.admit`: limits, then
`resolvers.admission.admit`: token, rate limit) and sends the statement's JSON as it came
from PostgreSQL, with the same `extensions.cost` strawberry would add. Anything else (a new
document, variables that do not coerce, a refusal, a root field that does not plan, a failing
reference check or statement) hands the request to strawberry unchanged, which then answers
it and reports its errors exactly as before; the admission made here is reused there, so no
request is authenticated or charged twice.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.collect_fields import FragmentDetails, collect_fields
from graphql.execution.values import VariableValues, get_variable_values
from starlette.requests import Request
from starlette.responses import Response

from resolvers.admission import confirm_admission
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.memo import Bounded
from resolvers.read_routing import route_read
from resolvers.token_cache import StaleAccess, token_cache
from schema.compiled.planner import CompiledRoot, answer_planned, plan_roots
from schema.guard import REPORTED, admit, measured
from schema.input_hygiene import input_problem
from schema.limits import measure_operation
from telemetry.facts import current

__all__ = ["LANE_KEY", "Learned", "answer_plain_read", "answer_sent_read", "learn"]

log = logging.getLogger(__name__)

LANE_KEY = "partnergraph.lane"
"""The key, in a request's ASGI scope state, of the (document, operation name) it was sent
with: what `learn` files the document under."""


@dataclass(frozen=True, slots=True)
class Learned:
    """A document strawberry ran once, all of it by compiled reads."""

    operation: OperationDefinitionNode
    fragment_definitions: dict[str, FragmentDefinitionNode]
    fragments: dict[str, FragmentDetails]


_learned: Bounded[tuple[str, str | None], Learned] = Bounded(256, name="fast_lane_documents")


def learn(ctx: Context, learned: Learned) -> None:
    """Files a query that was answered wholly by compiled reads under the text and operation
    name its request was sent with."""
    if learned.operation.operation is not OperationType.QUERY or ctx.request is None:
        return
    sent = ctx.request.scope.get("state", {}).get(LANE_KEY)
    if isinstance(sent, tuple):
        _learned.put(sent, learned)


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";")[0].strip() == "application/json"


def _payload(body: bytes) -> tuple[str, str | None, dict[str, Any]] | None:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(payload, dict) or payload.get("extensions"):
        return None
    query, name, variables = (
        payload.get("query"),
        payload.get("operationName"),
        payload.get("variables"),
    )
    if not isinstance(query, str) or not (name is None or isinstance(name, str)):
        return None
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        return None
    return query, name, variables


async def answer_plain_read(
    request: Request, body: bytes, *, schema: GraphQLSchema, context: Callable[[], Context]
) -> Response | None:
    """The response to a learned plain-data query, or `None` to leave it to strawberry;
    `context` makes the request's context (only once the document is known to be learned)."""
    if not _is_json(request.headers.get("content-type")):
        return None
    sent = _payload(body)
    if sent is None:
        return None
    query, name, raw_variables = sent
    return await answer_sent_read(
        request, query, name, raw_variables, schema=schema, context=context
    )


async def answer_sent_read(
    request: Request,
    query: str,
    name: str | None,
    raw_variables: dict[str, Any],
    *,
    schema: GraphQLSchema,
    context: Callable[[], Context],
) -> Response | None:
    """`answer_plain_read` for a request already decoded: a GET's parameters, a persisted
    query's document, a saved view."""
    request.scope.setdefault("state", {})[LANE_KEY] = (query, name)
    learned = _learned.get((query, name))
    query_type = schema.query_type
    if learned is None or query_type is None:
        return None
    operation = learned.operation
    variables = get_variable_values(schema, operation.variable_definitions or (), raw_variables)
    if isinstance(variables, list):
        return None
    ctx = context()
    definitions = [operation, *learned.fragment_definitions.values()]
    if input_problem(schema, definitions, operation, raw_variables, ctx.settings, text=query):
        return None
    found = measured(
        query,
        name,
        raw_variables,
        lambda: measure_operation(schema, operation, learned.fragment_definitions, variables),
    )
    try:
        await admit(ctx, found, kept_tokens=True)
    except ApiError:
        return None
    await route_read(ctx)
    response = await _answer(ctx, schema, learned, variables)
    if response is None:
        await confirm_admission(ctx)
        return None
    facts = current()
    if facts is not None:
        facts.road = "fast_lane"
        if facts.operation is None and operation.name is not None:
            facts.operation = operation.name.value
    return response


async def _answer_afresh_if_stale(
    ctx: Context, planned: dict[str, CompiledRoot]
) -> dict[str, orjson.Fragment | None]:
    """`answer_planned`; when the caller's kept token turns out stale, once more with the token
    read afresh (and nothing, for strawberry to report the refusal, if it is no longer good)."""
    try:
        return await answer_planned(ctx, planned)
    except StaleAccess:
        token_cache(ctx.engine).forget_all()
    await confirm_admission(ctx)
    if ctx.access_version is not None:
        return {}
    return await answer_planned(ctx, planned)


async def _answer(
    ctx: Context, schema: GraphQLSchema, learned: Learned, variables: VariableValues
) -> Response | None:
    """The lane's answer for an admitted request, or `None` for strawberry to give it."""
    query_type = schema.query_type
    assert query_type is not None
    operation = learned.operation
    grouped = collect_fields(schema, learned.fragments, variables, query_type, operation)
    try:
        planned = plan_roots(
            schema,
            learned.fragments,
            variables,
            operation,
            query_type,
            grouped.grouped_field_set,
        )
        if len(planned) != len(grouped.grouped_field_set) or grouped.new_defer_usages:
            return None
        compiled = await _answer_afresh_if_stale(ctx, planned)
    except Exception:
        log.warning("the fast lane failed; strawberry answers instead", exc_info=True)
        return None
    if len(compiled) != len(grouped.grouped_field_set):
        return None  # a filter names something the caller cannot see: strawberry reports it
    data = {key: compiled[key] for key in grouped.grouped_field_set}
    result: dict[str, Any] = {"data": data}
    extensions = {key: ctx.extensions[key] for key in REPORTED if key in ctx.extensions}
    if ctx.database is not None:
        extensions["database"] = ctx.database
    if extensions:
        result["extensions"] = extensions
    return Response(orjson.dumps(result), media_type="application/json")
