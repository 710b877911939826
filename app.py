"""The Starlette application: GraphQL (with GraphiQL) at /graphql, over one async engine."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from db.engine import create_engine
from resolvers.context import Context, build_context
from resolvers.viewer import Viewer
from schema import build_schema
from schema.errors import coded
from settings import Settings, load_settings

__all__ = ["create_app"]


class PartnerGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our typed context and orjson encoding."""

    def __init__(self, *, engine: AsyncEngine, settings: Settings) -> None:
        super().__init__(build_schema(), graphql_ide="graphiql" if settings.graphiql else None)
        self.engine = engine

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return build_context(
            engine=self.engine,
            viewer=Viewer.anonymous(),
            request=request,
            response=response if isinstance(response, Response) else None,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        for error in result.errors or []:
            coded(error)
        return await super().process_result(request, result)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def root(_: Request) -> Response:
    return RedirectResponse("/graphql")


def create_app(settings: Settings | None = None, *, engine: AsyncEngine | None = None) -> Starlette:
    """The application; `engine` is shared with the caller (tests) when given, else owned."""
    settings = settings or load_settings()
    owned = engine is None
    db = engine or create_engine(settings.database_url, echo=settings.sql_echo)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[dict[str, Any]]:
        yield {}
        if owned:
            await db.dispose()

    graphql = PartnerGraphQL(engine=db, settings=settings)
    return Starlette(
        routes=[
            Route("/", root),
            Route("/health", health),
            Route("/graphql", graphql, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
