"""A GraphQL-over-HTTP request checked before anything decodes or runs it.

A POST body must be UTF-8 JSON holding one object whose `query` is a string (or left out when
`extensions.persistedQuery` names the document by hash), `operationName`
a string or null, and `variables` and `extensions` objects or null, or a batch: an array of 1 to
`Settings.max_batch` such objects (`BatchTooLarge` past it); a GET carries the same as
query parameters, `variables` and `extensions` as JSON text. Arrays and objects may nest only
`max_depth` deep: orjson decodes without recursing in Python and stops at 1,024 levels itself,
and the depth is checked before anything recursive (strawberry's decoder, variable coercion,
the cost walk) sees the value, so variables nested thousands deep are refused rather than
exhausting the stack. Anything else is refused
with `BadRequest` (HTTP 400, code `BAD_REQUEST`), whose message never repeats the input.
"""

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from starlette.types import Message, Receive

from resolvers.errors import ApiError

__all__ = [
    "BadRequest",
    "BatchTooLarge",
    "UnsupportedMediaType",
    "check_body",
    "check_media_type",
    "check_params",
    "json_param",
    "nesting_depth",
    "replay",
]


class BadRequest(ApiError):
    code = "BAD_REQUEST"


class UnsupportedMediaType(ApiError):
    """A POST whose body is not sent as `application/json` (HTTP 415)."""

    code = "UNSUPPORTED_MEDIA_TYPE"


def check_media_type(content_type: str | None) -> None:
    """Refuses a POST body of another media type than `application/json` (strawberry's test:
    the media type contains it)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if "application/json" not in media:
        raise UnsupportedMediaType(
            "send the request as `Content-Type: application/json` (or as a GET with query "
            "parameters)"
        )


class BatchTooLarge(ApiError):
    """A batch of more requests than `Settings.max_batch` (HTTP 400)."""

    code = "BATCH_TOO_LARGE"


def nesting_depth(value: Any, limit: int) -> int:
    """How deep arrays and objects nest in the decoded JSON `value`, counted up to `limit` + 1
    (and no further), without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        found, depth = pending.pop()
        if isinstance(found, dict):
            children: Iterable[Any] = found.values()
        elif isinstance(found, list):
            children = found
        else:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        pending.extend((child, depth) for child in children if isinstance(child, dict | list))
    return deepest


def _decoded(text: bytes, what: str, max_depth: int) -> Any:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        if "depth" in str(error):  # orjson's own limit (1,024), without recursion in Python
            raise BadRequest(
                f"{what} nests arrays and objects more than {max_depth} deep"
            ) from None
        raise BadRequest(f"{what} is not valid JSON in UTF-8") from None
    if nesting_depth(value, max_depth) > max_depth:
        raise BadRequest(f"{what} nests arrays and objects more than {max_depth} deep")
    return value


def _check_fields(payload: Mapping[str, Any], *, query_required: bool, where: str = "") -> None:
    query = payload.get("query")
    extensions = payload.get("extensions")
    if query is None and isinstance(extensions, dict) and "persistedQuery" in extensions:
        query_required = False  # named by its hash (`web.persisted_queries`)
    if not isinstance(query, str) and (query_required or query is not None):
        raise BadRequest(f"{where}`query` must be a string holding a GraphQL document")
    name = payload.get("operationName")
    if name is not None and not isinstance(name, str):
        raise BadRequest(f"{where}`operationName` must be a string or null")
    for field in ("variables", "extensions"):
        value = payload.get(field)
        if value is not None and not isinstance(value, dict):
            raise BadRequest(f"{where}`{field}` must be an object or null")


def _check_batch(payload: list[Any], max_batch: int) -> list[dict[str, Any]]:
    if max_batch <= 0:
        raise BadRequest("batched requests (a JSON array) are not accepted; send one object")
    if not payload:
        raise BadRequest("the batch (a JSON array) is empty; send at least one request object")
    if len(payload) > max_batch:
        raise BatchTooLarge(
            f"the batch holds {len(payload)} requests, over the limit of {max_batch}; "
            "send it in smaller batches"
        )
    for index, item in enumerate(payload):
        where = f"request {index} of the batch: "
        if not isinstance(item, dict):
            raise BadRequest(f"{where}must be a JSON object with a `query`")
        _check_fields(item, query_required=True, where=where)
    return payload


def check_body(
    body: bytes, *, max_depth: int, max_batch: int
) -> dict[str, Any] | list[dict[str, Any]]:
    """The POST body (sent as JSON) decoded, once checked to be one well-formed GraphQL request,
    or a batch (an array) of at most `max_batch` of them."""
    if not body.strip():
        raise BadRequest("the request body is empty; send a JSON object with a `query`")
    payload = _decoded(body, "the request body", max_depth)
    if isinstance(payload, list):
        return _check_batch(payload, max_batch)
    if not isinstance(payload, dict):
        raise BadRequest("the request body must be a JSON object with a `query`")
    _check_fields(payload, query_required=True)
    return payload


def check_params(params: Mapping[str, str], *, max_depth: int) -> None:
    """Refuses GET query parameters that are not one well-formed GraphQL request (a GET with
    no `query` at all asks for GraphiQL, and is let through)."""
    decoded: dict[str, Any] = {
        "query": params.get("query"),
        "operationName": params.get("operationName") or None,
    }
    for field in ("variables", "extensions"):
        text = params.get(field)
        if text:
            try:
                encoded = text.encode("utf-8")
            except UnicodeEncodeError:
                raise BadRequest(f"`{field}` is not valid JSON in UTF-8") from None
            decoded[field] = _decoded(encoded, f"`{field}`", max_depth)
    _check_fields(decoded, query_required=False)


def json_param(params: Mapping[str, str], field: str, *, max_depth: int) -> dict[str, Any] | None:
    """The query parameter `field` decoded as a JSON object (`None` when it is not given);
    `BadRequest` for anything else, or for nesting deeper than `max_depth`."""
    text = params.get(field)
    if not text:
        return None
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(f"`{field}` is not valid JSON in UTF-8") from None
    value = _decoded(encoded, f"`{field}`", max_depth)
    if not isinstance(value, dict):
        raise BadRequest(f"`{field}` must be a JSON object")
    return value


def replay(body: bytes, receive: Receive) -> Receive:
    """`receive` with the request body, already read, given once more."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
