"""Before any load: one request per scenario in process, its SQL statements counted and its
`data` compared with the floor's answer (a mismatch is written to bench/out for reading)."""

import json
import time
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from app import create_app
from bench.results import OUT
from bench.scenarios import SCENARIOS
from bench.subjects import Subjects, auth_headers, write_variables
from db.engine import create_engine
from resolvers.ids import encode_id
from settings import Settings
from tests.statements import StatementCounter


async def check_and_count(
    url: str, subjects: Subjects, *, floor_too: bool = True
) -> dict[str, dict[str, Any]]:
    """In process: the statements of one request per scenario, and the API's `data` compared
    with the floor's (unless not `floor_too`: at 100,000 organizations the floor's secretariat
    takes seconds)."""
    engine = create_engine(url)
    statements = StatementCounter(engine)
    app = create_app(Settings(rate_limit_per_minute=0), engine=engine)
    floor = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(False)
    )
    found: dict[str, dict[str, Any]] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        for scenario in SCENARIOS:
            if scenario.floor_sql is None:
                variables = write_variables(subjects.drafts[0], 1, 0)
                version = await _version(client, subjects, subjects.drafts[0])
                variables["input"]["version"] = version
            else:
                variables = subjects.variables(scenario.name)
            body = {"query": scenario.document, "variables": variables}
            headers = auth_headers(subjects, scenario.role)
            (await client.post("/graphql", json=body, headers=headers)).raise_for_status()
            if scenario.floor_sql is None:
                variables["input"]["version"] = version + 1
            statements.reset()
            started = time.perf_counter()
            response = await client.post("/graphql", json=body, headers=headers)
            single_ms = (time.perf_counter() - started) * 1000
            answer = response.json()
            assert "errors" not in answer, answer
            entry: dict[str, Any] = {
                "statements": statements.count,
                "bytes": len(response.content),
                "single_ms": round(single_ms, 1),
            }
            if scenario.floor_sql is not None and floor_too:
                started = time.perf_counter()
                data = await floor.fetchval(
                    scenario.floor_sql, subjects.floor_subject(scenario.name)
                )
                entry["floor_single_ms"] = round((time.perf_counter() - started) * 1000, 1)
                same = json.loads(data) == answer["data"]
                entry["same_json"] = same
                entry["objects"] = _objects(answer["data"])
                if not same:
                    (OUT / f"mismatch-{scenario.name}-api.json").write_text(
                        json.dumps(answer["data"], indent=1, sort_keys=True)
                    )
                    (OUT / f"mismatch-{scenario.name}-floor.json").write_text(
                        json.dumps(json.loads(data), indent=1, sort_keys=True)
                    )
            found[scenario.name] = entry
    await floor.close()
    await engine.dispose()
    return found


def _objects(data: Any) -> int:
    if isinstance(data, dict):
        counts = "id" in data or "role" in data or "keys" in data
        return int(counts) + sum(_objects(v) for v in data.values())
    if isinstance(data, list):
        return sum(_objects(v) for v in data)
    return 0


async def _version(client: httpx.AsyncClient, subjects: Subjects, key: int) -> int:
    response = await client.post(
        "/graphql",
        json={
            "query": "query ($id: ID!) { node(id: $id) { ... on Agreement { version } } }",
            "variables": {"id": encode_id("Agreement", key)},
        },
        headers=auth_headers(subjects, "admin"),
    )
    version: int = response.json()["data"]["node"]["version"]
    return version
