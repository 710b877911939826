"""GraphiQL served by the app itself: strawberry's page with its scripts and styles taken from
the pinned copies in `web/static/graphiql` (see the NOTICE there) instead of a public CDN, so
the IDE works on a machine without internet, plus a token form above the IDE."""

import functools
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount

from web.static_files import static_files

__all__ = ["ASSETS_DIR", "ASSETS_URL", "assets_mount", "page"]

HERE = Path(__file__).resolve().parent
ASSETS_DIR = HERE / "static" / "graphiql"
ASSETS_URL = "/static/graphiql"
TEMPLATE = HERE / "graphiql.html"


def assets_mount() -> Mount:
    """The mount serving the assets at `ASSETS_URL` (graphiql.min.js is 3.5 MB, about 1 MB
    gzipped)."""
    return Mount(ASSETS_URL, app=static_files(ASSETS_DIR))


@functools.cache
def _html(root_path: str) -> str:
    return TEMPLATE.read_text(encoding="utf-8").replace("__ASSETS__", root_path + ASSETS_URL)


def page(request: Request) -> Response:
    """GraphiQL's page, its assets addressed under the app's mount point."""
    return HTMLResponse(_html(request.scope.get("root_path", "")))
