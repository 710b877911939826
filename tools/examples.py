"""Runs the marked examples of README.md and docs/*.md against a fresh demo database and
rewrites their answer blocks with the real answers (markers: `tools/example_marks.py`).

    uv run python -m tools.examples              # rewrite, on SQLite
    uv run python -m tools.examples --postgres   # rewrite, on a fresh PostgreSQL database
    uv run python -m tools.examples --check      # exit 1 and print a diff when a block differs

Each page gets a fresh copy of a demo database made as `partnergraph serve` makes it
(`tools/example_databases.py`); its examples run in document order, so a page's mutations tell
one story and no other page sees them. Each example is admitted
by a rate limiter whose minute starts empty, as on a quiet server, so `remainingThisMinute`
is the limit less the example's own cost whatever ran before it.
"""

import argparse
import asyncio
import difflib
import sys
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import httpx

from app import create_app
from db.engine import create_engine
from resolvers.rate_limit import Spend
from settings import Settings
from tools.example_databases import copy_of, make_demo, postgres_database
from tools.example_marks import (
    SHOWN_HEADERS,
    Example,
    HttpRequest,
    find_examples,
    rewrite,
    show,
)

__all__ = ["PAGES", "ROOT", "page_examples", "run_page", "shown_page"]

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


class FreshMinute:
    """A rate limiter counting in memory, emptied before each example."""

    def __init__(self, points_per_minute: int) -> None:
        self.limit = points_per_minute
        self.spent: defaultdict[str, int] = defaultdict(int)

    async def spend(self, caller: str, points: int, *, limit: int | None = None) -> Spend:
        limit = self.limit if limit is None else limit
        self.spent[caller] += points
        return Spend(allowed=self.spent[caller] <= limit, remaining=limit - self.spent[caller])

    async def check(self) -> None:
        return None

    async def close(self) -> None:
        return None


def page_examples(page: Path) -> list[Example]:
    return find_examples(page.relative_to(ROOT), page.read_text())


async def run_page(
    database_url: str, tokens: dict[str, str], examples: list[Example]
) -> list[dict[str, Any]]:
    """The answers of `examples`, in order, on the demo database at `database_url`, whose demo
    tokens' secrets by role are `tokens`."""
    engine = create_engine(database_url)
    try:
        # no Redis: persisted queries registered by one run must not answer the next one's
        # "not found" example (each page's app keeps its own, as a worker without Redis does)
        # a fixed key-encryption secret: the credentials examples issue and sign
        settings = Settings(redis_url="", credentials_key_secret="examples-" + "x" * 32)
        limiter = FreshMinute(settings.rate_limit_per_minute)
        with mock.patch("app.rate_limiter", return_value=limiter):
            app = create_app(settings, engine=engine)
        transport = httpx.ASGITransport(app=app)
        answers = []
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            etag = ""
            for example in examples:
                limiter.spent.clear()
                token = tokens.get(example.token)
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                if example.http is not None:
                    answer = await _get(http, example.http, headers, etag)
                    etag = answer["headers"].get("etag", etag)
                    answers.append(answer)
                    continue
                body = {"query": example.query, "variables": example.variables}
                response = await http.post("/graphql", json=body, headers=headers)
                answers.append(response.json())
        return answers
    finally:
        await engine.dispose()


async def _get(
    http: httpx.AsyncClient, request: HttpRequest, headers: dict[str, str], etag: str
) -> dict[str, Any]:
    """A curl example's answer: its status, the headers pages show, its body (parsed when it is
    JSON, as text otherwise: a signed status list is a VC-JWT)."""
    sent = {name: value.replace("$ETAG", etag) for name, value in request.headers.items()}
    response = await http.get(request.path, headers={**headers, **sent})
    shown = {name: response.headers[name] for name in SHOWN_HEADERS if name in response.headers}
    body: Any = None
    if response.content:
        kind = response.headers.get("content-type", "")
        body = response.json() if "json" in kind else response.text
    return {"status": response.status_code, "headers": shown, "body": body}


def shown_page(page: Path, examples: list[Example], answers: list[dict[str, Any]]) -> str:
    """The page's text with its answer blocks showing `answers`."""
    shown = [show(example, answer) for example, answer in zip(examples, answers, strict=True)]
    return rewrite(page.read_text(), examples, shown)


@asynccontextmanager
async def _template(postgres: str | None) -> AsyncIterator[str]:
    """An empty database for the demo: on the PostgreSQL server `postgres`, else SQLite."""
    if postgres is not None:
        async with postgres_database(postgres) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="partnergraph-examples-") as folder:
        yield f"sqlite+aiosqlite:///{folder}/demo.db"


async def _run(pages: list[Path], postgres: str | None, check: bool) -> int:
    differing = 0
    async with _template(postgres) as template:
        tokens = await make_demo(template)
        for page in pages:
            examples = page_examples(page)
            if not examples:
                continue
            async with copy_of(template) as url:
                answers = await run_page(url, tokens, examples)
            before, after = page.read_text(), shown_page(page, examples, answers)
            name = str(page.relative_to(ROOT))
            print(f"{name}: {len(examples)} examples", file=sys.stderr)
            if before == after:
                continue
            differing += 1
            if check:
                diff = difflib.unified_diff(
                    before.splitlines(True), after.splitlines(True), name, f"{name} (as run)"
                )
                sys.stdout.writelines(diff)
            else:
                page.write_text(after)
                print(f"{name}: rewritten", file=sys.stderr)
    return 1 if check and differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", type=Path, help="default: README.md and docs/*.md")
    parser.add_argument("--check", action="store_true", help="rewrite nothing; diff, exit 1")
    parser.add_argument("--postgres", action="store_true", help="run on fresh PostgreSQL databases")
    parser.add_argument(
        "--postgres-url", default=POSTGRES, help=f"the server to make them on (default {POSTGRES})"
    )
    options = parser.parse_args(argv)
    pages = [page.resolve() for page in options.pages] or PAGES
    postgres = options.postgres_url if options.postgres else None
    return asyncio.run(_run(pages, postgres, options.check))


if __name__ == "__main__":
    sys.exit(main())
