"""GraphiQL is served whole by the app: its page names no other host, and every script and style
it loads comes from the app, with the bytes its `integrity` pins, a long cache life and the right
type. (The page working in a browser: tests/web/test_graphiql_browser.py.)"""

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app import create_app
from settings import Settings
from web.graphiql import ASSETS_DIR, ASSETS_URL

pytestmark = pytest.mark.anyio

PAGE = {"Accept": "text/html"}
TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.S)
URL = re.compile(r'\b(?:src|href)="([^"]+)"')
INTEGRITY = re.compile(r'\bintegrity="([^"]+)"')
TYPES = {".js": "javascript", ".css": "text/css", ".svg": "image/svg+xml"}


async def _client(tmp_path: Path, **settings: object) -> httpx.AsyncClient:
    """A client of an app whose database is never opened: the page and its assets need none."""
    app = create_app(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
            rate_limit_per_minute=0,
            **settings,  # type: ignore[arg-type]
        )
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def http(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(tmp_path) as client:
        yield client


async def _page(http: httpx.AsyncClient) -> str:
    response = await http.get("/graphql", headers=PAGE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_the_page_names_no_other_host(http: httpx.AsyncClient) -> None:
    html = await _page(http)
    assert "://" not in html
    assert "unpkg" not in html
    assert "__ASSETS__" not in html
    assert 'id="api-token"' in html


async def test_every_asset_is_served_with_the_bytes_its_integrity_pins(
    http: httpx.AsyncClient,
) -> None:
    tags = TAG.findall(await _page(http))
    assets = [(URL.search(tag), INTEGRITY.search(tag)) for tag in tags]
    pinned = [(url[1], integrity[1] if integrity else None) for url, integrity in assets if url]
    assert len(pinned) == 8  # the icon, 2 styles and 5 scripts
    for url, integrity in pinned:
        assert url.startswith(f"{ASSETS_URL}/"), url
        response = await http.get(url)
        assert response.status_code == 200, url
        assert TYPES[Path(url).suffix] in response.headers["content-type"], url
        versioned = "@" in url
        assert response.headers["cache-control"] == (
            "public, max-age=31536000, immutable" if versioned else "no-cache"
        ), url
        assert response.headers["x-content-type-options"] == "nosniff"
        if integrity is not None:
            digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
            assert integrity == f"sha384-{digest}", url
    assert sum(integrity is not None for _, integrity in pinned) == 7


async def test_the_big_bundle_is_compressed(http: httpx.AsyncClient) -> None:
    url = f"{ASSETS_URL}/graphiql@3.8.3/graphiql.min.js"
    response = await http.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.num_bytes_downloaded < 1_500_000
    assert len(response.content) == (ASSETS_DIR / "graphiql@3.8.3/graphiql.min.js").stat().st_size


async def test_every_package_has_its_licence_and_a_line_in_the_notice(
    http: httpx.AsyncClient,
) -> None:
    notice = (ASSETS_DIR / "NOTICE.md").read_text()
    packages = {
        path.parent.relative_to(ASSETS_DIR).as_posix() for path in ASSETS_DIR.rglob("LICENSE")
    }
    served = {
        "/".join(url.removeprefix(f"{ASSETS_URL}/").split("/")[: 2 if url.count("@") > 1 else 1])
        for url in URL.findall(await _page(http))
        if "@" in url
    }
    assert served == packages
    for package in packages:
        name, version = package.rsplit("@", 1)
        assert f"| {name} | {version} | MIT" in notice, package


async def test_no_assets_without_graphiql(tmp_path: Path) -> None:
    async with await _client(tmp_path, graphiql=False) as http:
        assert (await http.get(f"{ASSETS_URL}/favicon.svg")).status_code == 404
