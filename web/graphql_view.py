"""The GraphQL endpoint: strawberry's ASGI view with the request checks, Automatic Persisted
Queries (`web.persisted_queries`: a document named by its hash is put in before anything else
sees the request), the fast lane (for POSTs and GETs), the status codes the GraphQL-over-HTTP
spec asks for, our typed context and orjson encoding."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from resolvers.admission import ADMISSION
from resolvers.context import Context, build_context
from resolvers.errors import ApiError, Unavailable, database_outage
from resolvers.persisted_queries import REGISTERED, PersistedQueries
from resolvers.rate_limit import RateLimiter
from resolvers.read_routing import PRIMARY_ONLY, ReadRouting, retry_on_primary
from resolvers.viewer import Viewer
from schema import build_schema
from schema.batch import admit_batch, measure_request
from schema.compiled.fast_lane import answer_plain_read, answer_sent_read
from schema.errors import coded
from settings import Settings
from telemetry.facts import current, set_operation, set_road
from web import graphiql
from web.access import bearer_token
from web.batch import answer_batch
from web.errors import (
    GRAPHQL_RESPONSE_JSON,
    error_response,
    http_exception_response,
    status_of,
    wants_graphql_response,
)
from web.graphql_request import check_body, check_media_type, check_params, replay
from web.persisted_queries import (
    PersistedQueryNotFound,
    Resolved,
    get_payload,
    mark,
    register_if_admitted,
    resolve,
    rewritten_get,
)
from web.subscriptions import PROTOCOLS, CodedHandler, SocketContext, admit_connection

__all__ = ["PartnerGraphQL"]

log = logging.getLogger("partnergraph.app")


class PartnerGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our typed context and orjson encoding."""

    graphql_transport_ws_handler_class = CodedHandler

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        settings: Settings,
        limiter: RateLimiter,
        persisted: PersistedQueries,
        routing: ReadRouting | None = None,
    ) -> None:
        schema = build_schema(settings)
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            multipart_uploads_enabled=True,
            subscription_protocols=PROTOCOLS,
        )
        self.graphql_schema = schema._schema
        self.engine = engine
        self.settings = settings
        self.limiter = limiter
        self.persisted = persisted
        self.routing = routing

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL with its assets served by this app (`web.graphiql`), not from a CDN."""
        return graphiql.page(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        graphql_response = wants_graphql_response(request.headers.get("accept"))
        try:
            response = await self._answer(request, receive)
        except HTTPException as error:
            response = http_exception_response(
                error.status_code,
                error.reason,
                graphql_response=graphql_response,
                headers={"Allow": "GET, POST"} if error.status_code == 405 else None,
            )
        except PersistedQueryNotFound as error:
            status = 404 if graphql_response else 200  # Apollo clients expect 200
            response = error_response(error, status=status, graphql_response=graphql_response)
        except ApiError as error:
            response = error_response(error, graphql_response=graphql_response)
        await response(scope, receive, send)

    async def _answer(self, request: Request, receive: Receive) -> Response:
        """The request checked (`web.graphql_request`), then, for a POST of a query
        already known to be plain data, the fast lane (`schema.compiled.fast_lane`); everything
        else, and anything the lane declines, strawberry's view, with the body the lane read
        handed on to it."""
        depth = self.settings.max_json_depth
        set_road("ordinary")
        if request.method == "GET":
            check_params(request.query_params, max_depth=depth)
            set_operation(request.query_params.get("operationName"))
            return await self._get(request)
        if request.method != "POST":
            return await self.run(request)
        if _is_multipart(request.headers.get("content-type")):
            return self.finish(request, await self.run(request))
        check_media_type(request.headers.get("content-type"))
        body = await request.body()
        sent = check_body(body, max_depth=depth, max_batch=self.settings.max_batch)
        if isinstance(sent, list):
            set_road("batch")
            return await self._batch(request, receive, sent)
        set_operation(sent.get("operationName"))
        response = await self._post(request, receive, body, sent)
        if self._retry_on_primary(request):
            response = await self._post(request, receive, body, sent)
        return response

    def _retry_on_primary(self, request: Request) -> bool:
        """Whether the request is to be answered again from the primary: the replica it was
        sent to failed while answering it (`resolvers.read_routing`)."""
        if self.routing is None:
            return False
        state = request.scope.get("state", {})
        outcome = state.get(_OUTCOME)
        if not isinstance(outcome, _Outcome) or outcome.retry_after is None:
            return False
        if not retry_on_primary(request):
            return False
        state.pop(_OUTCOME, None)
        return True

    async def _post(
        self, request: Request, receive: Receive, body: bytes, sent: dict[str, Any]
    ) -> Response:
        resolved = await self._resolve(sent)
        if resolved is not None:
            mark(request, resolved)
            body = orjson.dumps(resolved.payload)
        response = None
        if self.compiled:
            response = await self._lane(request, body)
        if response is None:
            response = await self.run(Request(request.scope, replay(body, receive)))
        await self._register(request, resolved)
        return self.finish(request, response)

    @property
    def compiled(self) -> bool:
        """Whether plain-data reads may take the fast lane (PostgreSQL, compiled reads on)."""
        return self.settings.compiled_reads and self.engine.dialect.name == "postgresql"

    async def _resolve(self, sent: dict[str, Any]) -> Resolved | None:
        """The request with its persisted document (`web.persisted_queries`), or `None`."""
        return await resolve(sent, self.persisted, registered_only=self.settings.registered_only)

    async def _register(self, request: Request, resolved: Resolved | None) -> None:
        if resolved is not None:
            await register_if_admitted(
                request.scope.get("state", {}),
                resolved,
                self.persisted,
                registered_only=self.settings.registered_only,
            )

    async def _get(self, request: Request) -> Response:
        """A GET: a persisted query's document put in (`web.persisted_queries`), then, for a
        query already known to be plain data, the fast lane, else strawberry's view (which
        refuses a mutation over GET)."""
        response = await self._get_once(request)
        if self._retry_on_primary(request):
            response = await self._get_once(request)
        return response

    async def _get_once(self, request: Request) -> Response:
        sent = get_payload(request)
        resolved = await self._resolve(sent)
        if resolved is not None:
            mark(request, resolved)
            request = rewritten_get(request, resolved)
            sent = resolved.payload
        response = None
        query = sent.get("query")
        if self.compiled and isinstance(query, str):
            response = await self._lane_sent(request, query, sent)
        if response is None:
            response = await self.run(request)
        await self._register(request, resolved)
        return self.finish(request, response)

    async def _batch(
        self, request: Request, receive: Receive, sent: list[dict[str, Any]]
    ) -> Response:
        """A batch admitted once for the sum of its costs (`schema.batch`), then each of its
        requests answered in turn by strawberry's view, as if sent alone (`web.batch`)."""
        resolved: list[Resolved | None] = []
        refusals: list[ApiError | None] = []
        for one in sent:
            try:
                resolved.append(await self._resolve(one))
                refusals.append(None)
            except ApiError as error:  # answered in its place (`PersistedQueryNotFound`)
                resolved.append(None)
                refusals.append(error)
        sent = [
            one if found is None else found.payload
            for one, found in zip(sent, resolved, strict=True)
        ]
        measures = [
            None if refused else measure_request(self.graphql_schema, self.settings, one)
            for one, refused in zip(sent, refusals, strict=True)
        ]
        admissions = await admit_batch(self._context(request, None), measures)
        # a batch reads from the primary: its requests are answered one by one, and one whose
        # replica failed could not be answered again alone
        states = [
            {PRIMARY_ONLY: True, **({REGISTERED: True} if r is not None and r.registered else {})}
            for r in resolved
        ]
        response = await answer_batch(
            request,
            receive,
            sent,
            admissions=admissions,
            states=states,
            refusals=refusals,
            run=self.run,
        )
        for found, admission in zip(resolved, admissions, strict=True):
            if found is not None and admission is not None:
                await register_if_admitted(
                    {ADMISSION: admission},
                    found,
                    self.persisted,
                    registered_only=self.settings.registered_only,
                )
        return response

    async def _lane_sent(
        self, request: Request, query: str, sent: dict[str, Any]
    ) -> Response | None:
        """`_lane` for a request decoded from a GET's parameters."""
        return await self.lane_of(
            lambda: answer_sent_read(
                request,
                query,
                sent.get("operationName"),
                sent.get("variables") or {},
                schema=self.graphql_schema,
                context=lambda: self._context(request, None),
            ),
            request,
        )

    async def _lane(self, request: Request, body: bytes) -> Response | None:
        return await self.lane_of(
            lambda: answer_plain_read(
                request,
                body,
                schema=self.graphql_schema,
                context=lambda: self._context(request, None),
            ),
            request,
        )

    async def lane_of(
        self, answer: Callable[[], Awaitable[Response | None]], request: Request | None = None
    ) -> Response | None:
        """The fast lane's answer, or `None` for strawberry to answer: also when the lane fails
        unexpectedly (strawberry then answers, and reports, as it would have without the lane),
        and when the replica it read from failed (strawberry answers from the primary), but not
        when the database is out of reach (answered 503 at once)."""
        try:
            return await answer()
        except ApiError:
            raise
        except Exception as error:
            if database_outage(error) is not None:
                if request is not None and retry_on_primary(request):
                    return None
                raise
            log.warning("the fast lane failed; strawberry answers instead", exc_info=True)
            return None

    def finish(self, request: Request, response: Response) -> Response:
        """The status and media type the outcome (`process_result`) and the client's `Accept`
        call for."""
        if response.media_type != "application/json":
            return response
        outcome = request.scope.get("state", {}).get(_OUTCOME)
        graphql_response = wants_graphql_response(request.headers.get("accept"))
        if isinstance(outcome, _Outcome):
            if outcome.retry_after is not None:
                response.status_code = 503
                response.headers["Retry-After"] = str(outcome.retry_after)
            elif graphql_response and outcome.request_error and response.status_code == 200:
                response.status_code = status_of(outcome.code)
        if graphql_response:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        return response

    def context_for(self, request: Request) -> Context:
        """A context for a request answered beside this view (`web.saved_views`)."""
        return self._context(request, None)

    def _context(self, request: Request | WebSocket, response: Response | None) -> Context:
        return build_context(
            engine=self.engine,
            viewer=Viewer.anonymous(),
            settings=self.settings,
            limiter=self.limiter,
            credentials=bearer_token(request.headers.get("authorization")),
            client=request.client.host if request.client else "unknown",
            request=request,
            response=response,
            routing=self.routing,
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """The request's context; its token is checked later, by `schema.guard.Guard`, once
        the document is known to be within the limits. A WebSocket connection's is shared by
        its subscriptions, its caller admitted at `connection_init` (`on_ws_connect`)."""
        if isinstance(request, WebSocket):
            return SocketContext(**_fields(self._context(request, None)))
        return self._context(request, response if isinstance(response, Response) else None)

    async def on_ws_connect(self, context: Context) -> None:
        await admit_connection(context)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        errors = result.errors or []
        for error in errors:
            coded(error, suggestions=self.settings.suggestions)
        processed = await super().process_result(request, result)
        facts = current()
        if errors and facts is not None and facts.code is None:
            facts.code = str((errors[0].extensions or {}).get("code"))
        if errors:
            outcome = _Outcome.of(result.data, errors)
            request.scope.setdefault("state", {})[_OUTCOME] = outcome
            if outcome.request_error and wants_graphql_response(request.headers.get("accept")):
                processed.pop("data", None)  # the spec's form of a request error
        return processed

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def _fields(ctx: Context) -> dict[str, Any]:
    return {name: getattr(ctx, name) for name in Context.__dataclass_fields__}


_OUTCOME = "partnergraph.outcome"


def _is_multipart(content_type: str | None) -> bool:
    """A GraphQL multipart request (a document upload, github.com/jaydenseric/graphql-multipart-
    request-spec): strawberry's view parses it; its size is bounded by `web.body_limit`."""
    return (content_type or "").split(";")[0].strip().lower() == "multipart/form-data"


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What the errors of a GraphQL result mean for the HTTP answer."""

    request_error: bool
    """No data at all and no error in a field: the request was refused as a whole."""
    code: str
    retry_after: int | None
    """Set when a dependency was out of reach (HTTP 503)."""

    @staticmethod
    def of(data: object, errors: list[GraphQLError]) -> "_Outcome":
        unavailable = next(
            (e.original_error for e in errors if isinstance(e.original_error, Unavailable)), None
        )
        code = (errors[0].extensions or {}).get("code", "BAD_REQUEST")
        return _Outcome(
            request_error=data is None and all(e.path is None for e in errors),
            code=str(code),
            retry_after=unavailable.retry_after if unavailable is not None else None,
        )
