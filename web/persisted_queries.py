"""Automatic Persisted Queries (Apollo's protocol) on `/graphql`, before anything runs.

A request whose `extensions.persistedQuery` is `{"version": 1, "sha256Hash": <hex>}` names its
document by hash. Without a `query`, the document is looked up (`resolvers.persisted_queries`):
unknown, the answer is `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`, HTTP 200 as
Apollo clients expect it, 404 to a client that accepts `application/graphql-response+json`),
and the client sends the document again with its hash. With a `query`, the hash must be the
text's SHA-256 (else `PERSISTED_QUERY_HASH_MISMATCH`, nothing runs), and the document is
registered once the request was admitted (`register_if_admitted`; in registered-only mode, only
for an admin). Over GET (`/graphql?extensions=...&variables=...`) the same, for queries only:
strawberry refuses a mutation sent over GET whatever carried it.

The request is then rewritten as if the document had been sent in full (the `persistedQuery`
extension taken out), so every road after this one, the fast lane, the cost limits and
admission among them, treats it exactly as a document sent in full: nothing is skipped.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request

from resolvers.admission import ADMISSION, Admission
from resolvers.errors import ApiError
from resolvers.persisted_queries import REGISTERED, PersistedQueries
from resolvers.saved_views import document_hash
from web.graphql_request import BadRequest

__all__ = [
    "PersistedQueryHashMismatch",
    "PersistedQueryNotFound",
    "Resolved",
    "get_payload",
    "mark",
    "register_if_admitted",
    "resolve",
    "rewritten_get",
]

_HASH = re.compile(r"[0-9a-f]{64}")


class PersistedQueryNotFound(ApiError):
    code = "PERSISTED_QUERY_NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")  # the message Apollo clients match


class PersistedQueryHashMismatch(ApiError):
    code = "PERSISTED_QUERY_HASH_MISMATCH"


class PersistedQueryVersionUnsupported(ApiError):
    code = "PERSISTED_QUERY_VERSION_UNSUPPORTED"


@dataclass(frozen=True, slots=True)
class Resolved:
    """A request whose document was named by hash, rewritten to carry the document itself."""

    payload: dict[str, Any]
    registered: bool
    """The document came from the store (or its hash was known there)."""
    pending: tuple[str, str] | None
    """(hash, document) to register once the caller is admitted."""


def _hash_of(extensions: Mapping[str, Any]) -> str | None:
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise BadRequest("`extensions.persistedQuery` must be an object")
    if persisted.get("version") != 1:
        raise PersistedQueryVersionUnsupported(
            "only version 1 of `extensions.persistedQuery` is supported"
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or _HASH.fullmatch(sha256) is None:
        raise BadRequest("`extensions.persistedQuery.sha256Hash` must be 64 lower-case hex digits")
    return sha256


async def resolve(
    payload: dict[str, Any], store: PersistedQueries, *, registered_only: bool
) -> Resolved | None:
    """`payload` (one request, already checked by `web.graphql_request`) with its persisted
    document in `query`; `None` when it names none. `ApiError` when it cannot run."""
    extensions = payload.get("extensions") or {}
    sha256 = _hash_of(extensions)
    if sha256 is None:
        return None
    rest = {key: value for key, value in extensions.items() if key != "persistedQuery"}
    rewritten = {**payload, "extensions": rest or None}
    if rewritten["extensions"] is None:
        del rewritten["extensions"]
    query = payload.get("query")
    if not query:
        found = await store.get(sha256)
        if found is None:
            raise PersistedQueryNotFound()
        return Resolved({**rewritten, "query": found}, registered=True, pending=None)
    if document_hash(query) != sha256:
        raise PersistedQueryHashMismatch(
            "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`; nothing ran"
        )
    known = registered_only and await store.get(sha256) is not None
    return Resolved(rewritten, registered=known, pending=None if known else (sha256, query))


def get_payload(request: Request) -> dict[str, Any]:
    """A GET's query parameters as a request object (checked by `check_params` before)."""
    params = request.query_params
    payload: dict[str, Any] = {
        "query": params.get("query") or None,
        "operationName": params.get("operationName") or None,
    }
    for field in ("variables", "extensions"):
        text = params.get(field)
        if text:
            payload[field] = orjson.loads(text)
    return payload


def rewritten_get(request: Request, resolved: Resolved) -> Request:
    """`request` with the resolved document in its `query` parameter and the
    `persistedQuery` extension taken out (its scope state shared)."""
    params = [
        (key, value)
        for key, value in request.query_params.multi_items()
        if key not in {"query", "extensions"}
    ]
    params.append(("query", resolved.payload["query"]))
    if resolved.payload.get("extensions"):
        params.append(("extensions", orjson.dumps(resolved.payload["extensions"]).decode()))
    scope = {**request.scope, "query_string": urlencode(params).encode("latin-1")}
    return Request(scope, request.receive)


def mark(request: Request, resolved: Resolved) -> None:
    """Notes in the request's scope that its document is a registered one."""
    if resolved.registered:
        request.scope.setdefault("state", {})[REGISTERED] = True


async def register_if_admitted(
    state: Mapping[str, Any], resolved: Resolved, store: PersistedQueries, *, registered_only: bool
) -> None:
    """Registers the document of `resolved` if its request was admitted (in registered-only
    mode, only an admin registers)."""
    if resolved.pending is None:
        return
    admission = state.get(ADMISSION)
    if not isinstance(admission, Admission) or admission.viewer is None:
        return
    if admission.refusal is not None or (registered_only and not admission.viewer.is_admin):
        return
    await store.put(*resolved.pending)
