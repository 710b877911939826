"""GraphiQL in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright)
opens the page served by uvicorn over a demo database, runs a query without and then with a token
entered in the token form, and sees each answer in the result pane; no request leaves 127.0.0.1.
A screenshot is saved under the test's tmp dir; its path is printed and recorded as the test's
`screenshot` property (in the JUnit XML of `--junitxml`).

Skipped when /usr/bin/chromium is missing, unless PARTNERGRAPH_REQUIRE_BROWSER=1 (CI sets it)."""

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app import create_app
from settings import Settings
from tests.conftest import Databases
from tests.web.browser import ARGS, CHROMIUM, chromium, serving

__all__ = ["chromium"]

QUERY = "{ viewer { role } }"
TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Served:
    url: str
    admin_token: str


@pytest.fixture
def served(chromium: Path, tmp_path: Path) -> Iterator[Served]:
    """The app under uvicorn, in a thread, on a socket bound here to a free port of 127.0.0.1,
    over a fresh SQLite demo database holding one admin token (made only when the browser is
    there: `chromium` comes first)."""
    databases = Databases("sqlite", tmp_path)
    url = asyncio.run(databases.demo())
    app = create_app(Settings(database_url=url, rate_limit_per_minute=0))
    with serving(app) as base:
        yield Served(base, databases.admin_token)


def test_graphiql_runs_a_query_with_the_token_of_the_form(
    served: Served, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    screenshot = tmp_path / "graphiql.png"
    print(f"GraphiQL screenshot: {screenshot}")
    record_property("screenshot", str(screenshot))
    requested, problems = drive(f"{served.url}/graphql", served.admin_token, screenshot)
    elsewhere = [url for url in requested if urlsplit(url).hostname != "127.0.0.1"]
    assert not elsewhere, f"requests left the machine: {elsewhere}"
    assert any(url.endswith("/graphiql.min.js") for url in requested)
    assert not problems, problems


def drive(url: str, admin_token: str, screenshot: Path) -> tuple[list[str], list[str]]:
    """Opens GraphiQL at `url`, runs `QUERY` anonymously and then with `admin_token` in the token
    form, checking each answer in the result pane, and opens the explorer; the URLs the page
    requested and the errors it reported. The screenshot is taken at the end, or where a check
    failed."""
    from playwright.sync_api import expect, sync_playwright

    requested: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 800})
        try:
            page.set_default_timeout(TIMEOUT_MS)
            page.on("request", lambda request: requested.append(request.url))
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on(
                "console",
                lambda message: (
                    problems.append(f"console {message.type}: {message.text}")
                    if message.type == "error"
                    else None
                ),
            )
            page.goto(url)
            editor = page.locator(".graphiql-query-editor .CodeMirror")
            expect(editor).to_be_visible()
            result = page.locator(".graphiql-response")

            editor.evaluate("(element, query) => element.CodeMirror.setValue(query)", QUERY)
            page.locator(".graphiql-execute-button").click()
            expect(result).to_contain_text('"role": "anonymous"')

            page.locator("#api-token").fill(admin_token)
            editor.click()
            page.keyboard.press("Control+Enter")
            expect(result).to_contain_text('"role": "admin"')
            stored = page.evaluate("sessionStorage.getItem('partnergraph.apiToken')")
            assert stored == admin_token

            page.locator('button[aria-label="Show GraphiQL Explorer"]').click()
            expect(page.locator(".graphiql-explorer-root")).to_contain_text("viewer")
        finally:
            page.screenshot(path=str(screenshot))
            browser.close()
    return requested, problems


if __name__ == "__main__":
    import sys

    # By hand, on a running server: python -m tests.web.test_graphiql_browser URL ADMIN_TOKEN PNG
    requested, problems = drive(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
    print(*requested, *problems, f"screenshot: {sys.argv[3]}", sep="\n")
