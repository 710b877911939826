"""GraphiQL served by the app itself: strawberry's page with its scripts and styles taken from
the pinned copies in `web/static/graphiql` (see the NOTICE there) instead of a public CDN, so
the IDE works on a machine without internet, plus a token form above the IDE."""

import functools
import os
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["ASSETS_DIR", "ASSETS_URL", "assets_mount", "page"]

HERE = Path(__file__).resolve().parent
ASSETS_DIR = HERE / "static" / "graphiql"
ASSETS_URL = "/static/graphiql"
TEMPLATE = HERE / "graphiql.html"

_IMMUTABLE = "public, max-age=31536000, immutable"
"""For a package's file, whose path names the version (`graphiql@3.8.3/...`): it never changes."""


class _Assets(StaticFiles):
    """The asset files, never sniffed for another type; a package's cached for a year, the
    others (the icon, the notice) revalidated each time."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = "@" in scope["path"]
        response.headers["Cache-Control"] = _IMMUTABLE if versioned else "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def assets_mount() -> Mount:
    """The mount serving the assets at `ASSETS_URL`, compressed when the client accepts it
    (graphiql.min.js is 3.5 MB, about 1 MB gzipped)."""
    return Mount(ASSETS_URL, app=GZipMiddleware(_Assets(directory=ASSETS_DIR), minimum_size=1024))


@functools.cache
def _html(root_path: str) -> str:
    return TEMPLATE.read_text(encoding="utf-8").replace("__ASSETS__", root_path + ASSETS_URL)


def page(request: Request) -> Response:
    """GraphiQL's page, its assets addressed under the app's mount point."""
    return HTMLResponse(_html(request.scope.get("root_path", "")))
