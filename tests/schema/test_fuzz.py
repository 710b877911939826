"""Schema-driven fuzzing of the API, as every role, on both databases (see `tests/fuzz.py`).

Each example is a generated query or mutation sent through the ASGI app on a demo database as
one role; every answer must be JSON, never a 5xx, a well-formed GraphQL response whose errors
carry a code, and free of internal text. In CI a few examples run, derandomized (the same ones
every run); `PARTNERGRAPH_FUZZ_EXAMPLES=2000` runs more, with a fresh random seed, and with
`PARTNERGRAPH_FUZZ_FINDINGS=<file>` every bad answer is written there and the run goes on
(`bench/fuzz.py` does both).
"""

import json
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from tests.conftest import Databases, api_client, make_token
from tests.fuzz import ROLES, Request, operations, problems

pytestmark = pytest.mark.anyio

CI_EXAMPLES = 200
"""Per database, derandomized: the same examples every run (5 to 15 s on each database)."""
LONG_RUN = os.environ.get("PARTNERGRAPH_FUZZ_EXAMPLES")
EXAMPLES = int(LONG_RUN or CI_EXAMPLES)
FINDINGS = os.environ.get("PARTNERGRAPH_FUZZ_FINDINGS")
JIANGXI = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"


async def _tokens(engine: AsyncEngine, databases: Databases) -> dict[str, str | None]:
    return {
        "admin": databases.admin_token,
        "editor": await make_token(
            engine, TokenRole.EDITOR, organization="Jiangsu Open University"
        ),
        "secretariat": await make_token(engine, TokenRole.SECRETARIAT, alliance=JIANGXI),
        "viewer": await make_token(
            engine, TokenRole.VIEWER, organization="School of Lifelong Education"
        ),
        "reporter": await make_token(engine, TokenRole.REPORTER),
        "anonymous": None,
    }


@pytest.fixture
async def clients(
    demo_engine: AsyncEngine, databases: Databases
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """One client per role, all on one demo database (the examples' writes accumulate)."""
    tokens = await _tokens(demo_engine, databases)
    async with AsyncExitStack() as stack:
        yield {
            role: await stack.enter_async_context(api_client(demo_engine, token))
            for role, token in tokens.items()
        }


def _record(
    backend: str, role: str, request: Request, response: httpx.Response, found: list[str]
) -> None:
    assert FINDINGS is not None
    with Path(FINDINGS).open("a", encoding="utf-8") as out:
        finding = {
            "backend": backend,
            "role": role,
            "problems": found,
            "status": response.status_code,
            "answer": response.text[:2000],
            "document": request[0],
            "variables": request[1],
        }
        out.write(json.dumps(finding) + "\n")


def _user_error_codes(data: object) -> list[str]:
    if isinstance(data, dict):
        found = [str(e.get("code")) for e in data.get("userErrors") or [] if isinstance(e, dict)]
        return found + [c for v in data.values() for c in _user_error_codes(v)]
    if isinstance(data, list):
        return [c for v in data for c in _user_error_codes(v)]
    return []


def _tally(
    backend: str, role: str, document: str, variables: bool, response: httpx.Response
) -> None:
    """One line per example in `<findings>.tally`: what was asked and how it was answered."""
    assert FINDINGS is not None
    try:
        body = response.json()
        errors = body.get("errors") or []
        codes = sorted({str((e.get("extensions") or {}).get("code")) for e in errors})
        messages = [str(e.get("message"))[:150] for e in errors[:3]]
        answered = bool(body.get("data"))
        user_errors = sorted(set(_user_error_codes(body.get("data"))))
    except (ValueError, AttributeError, TypeError):
        codes, messages, answered, user_errors = ["<not json>"], [], False, []
    kind = "mutation" if document.lstrip().startswith("mutation") else "query"
    line = {
        "backend": backend,
        "role": role,
        "kind": kind,
        "variables": variables,
        "codes": codes,
        "messages": messages,
        "data": answered,
        "userErrors": user_errors,
    }
    with Path(FINDINGS + ".tally").open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG_RUN,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one database for all examples, on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(role=st.sampled_from(ROLES), request=operations())
async def test_fuzzed_operations_get_well_formed_answers(
    clients: dict[str, httpx.AsyncClient], backend: str, role: str, request: Request
) -> None:
    document, variables = request
    response = await clients[role].post(
        "/graphql", json={"query": document, "variables": variables}
    )
    found = problems(response)
    if FINDINGS is not None:
        _tally(backend, role, document, variables is not None, response)
    if found and FINDINGS is not None:
        _record(backend, role, request, response, found)
        return
    assert not found, (found, response.status_code, response.text[:2000])
