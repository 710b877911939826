"""The web pages at `/app/` (docs/pages.md): server-rendered views over the GraphQL schema,
for people who would rather look than read JSON.

A token is entered once per browser session and kept in a signed, HttpOnly, SameSite=Strict
session cookie (Starlette's `SessionMiddleware`); nothing is stored on the server. Every view
asks the schema in-process on behalf of that token (`web.pages.api`), so admission and
visibility are those of `/graphql`. Scripts and styles are files of the package
(`web/static/app`, see its NOTICE), never fetched from elsewhere."""

import logging
import secrets
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp
from strawberry.schema.base import BaseSchema

from resolvers.rate_limit import RateLimiter
from settings import Settings
from web.pages.alliance import AllianceViews
from web.pages.api import GraphQLRunner
from web.pages.page import STATIC_URL
from web.pages.summaries import CsvDownload, SummaryViews
from web.pages.views import Views
from web.static_files import static_files

__all__ = ["ASSETS_DIR", "MOUNT", "pages_mount"]

log = logging.getLogger("partnergraph.pages")

MOUNT = "/app"
ASSETS_DIR = Path(__file__).resolve().parent.parent / "static" / "app"
SESSION_COOKIE = "partnergraph_pages"


def pages_mount(
    *,
    schema: BaseSchema,
    engine: AsyncEngine,
    settings: Settings,
    limiter: RateLimiter,
    report: ASGIApp,
) -> list[Route | Mount]:
    """The pages under `/app` (and `/app` itself sent there); `report` is the CSV reports'
    endpoint (`web.reports_csv`)."""
    runner = GraphQLRunner(schema=schema, engine=engine, settings=settings, limiter=limiter)
    views = Views(runner)
    alliance = AllianceViews(runner)
    summaries = SummaryViews(runner)
    secret = settings.pages_secret_key
    if not secret:
        log.warning(
            "PARTNERGRAPH_PAGES_SECRET_KEY is not set: the pages' sessions use a key of this "
            "process only"
        )
        secret = secrets.token_urlsafe(32)

    async def bare_mount(request: Request) -> Response:
        return RedirectResponse(f"{request.scope.get('root_path', '')}{MOUNT}/", status_code=307)

    pages = Starlette(
        routes=[
            Route("/", views.home),
            Route("/sign-in", views.sign_in, methods=["GET", "POST"]),
            Route("/sign-out", views.sign_out, methods=["POST"]),
            Route("/alliances/{id}", alliance.page),
            Route("/organizations/{id}", views.organization),
            Route("/attention", views.attention),
            Route("/summaries", summaries.page),
            Route("/reports/{name}.csv", CsvDownload(report)),
            Mount(STATIC_URL, app=static_files(ASSETS_DIR)),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=SESSION_COOKIE,
                max_age=None,
                path=MOUNT,
                same_site="strict",
                https_only=settings.pages_secure_cookie,
            )
        ],
    )
    return [Route(MOUNT, bare_mount), Mount(MOUNT, app=pages)]
