"""How long issuing and verifying one Open Badges credential takes, through the API.

Setup: a fresh demo database (SQLite file, or a new PostgreSQL database with `--postgres`), the
demo learner's completion of the micro-major recorded by the editor of Jiangsu Open
University. Then `--rounds` times: `issueCredential` for the completion (timed), `POST
/credentials/verify` of the credential (timed: it reads the issuer's status list signed, and
checks that signature), `GET` of the signed status list (timed), and `revokeCredential` (not
timed) so that the next round may issue again. In process (httpx over ASGI), so the times are
the server's work and one client's round trips, without a network. Also the signature alone:
joserfc signing and verifying one credential's JWS, in a loop.

    uv run python -m bench.credentials [--rounds 30] [--postgres]
"""

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from joserfc import jws
from joserfc.jwk import OKPKey

from app import create_app
from db.engine import create_engine
from resolvers.credential_keys import eddsa
from settings import Settings
from tools.example_databases import make_demo, postgres_database

LEARNER = "Illustrative Learner"
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
PREFIX = "credits_badges"
"""The PostgreSQL database made for a run is `credits_badges_<random>`, dropped after it."""
FIND = """{ programs(filter: {text: "Micro-specialties"}) { nodes { id } }
  organizations(first: 3, filter: {text: "School of Lifelong Education"}) { nodes {
    learners(first: 20) { nodes { id name } } } } }"""


async def _gql(http: httpx.AsyncClient, document: str, variables: Any = None) -> Any:
    response = await http.post("/graphql", json={"query": document, "variables": variables})
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _mutation(name: str, selection: str) -> str:
    kind = name[0].upper() + name[1:] + "Input"
    return (
        f"mutation ($input: {kind}!) {{ {name}(input: $input) {{ {selection} "
        "userErrors { code message } } }"
    )


@asynccontextmanager
async def _database(postgres: bool) -> AsyncIterator[str]:
    if postgres:
        async with postgres_database(POSTGRES, PREFIX) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="pg_badges_bench_") as folder:
        yield f"sqlite+aiosqlite:///{folder}/demo.db"


def _summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[max(0, int(len(ms) * 0.9) - 1)]
    return f"{name}: median {statistics.median(ms):.1f} ms, p90 {p90:.1f} ms, n={len(ms)}"


async def run(rounds: int, postgres: bool) -> list[str]:
    async with _database(postgres) as url:
        tokens = await make_demo(url)
        engine = create_engine(url)
        settings = Settings(
            redis_url="", log_level="warning", credentials_key_secret=os.urandom(24).hex()
        )
        app = create_app(settings, engine=engine)
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {tokens['editor']}"}
        issue_times, verify_times, list_times = [], [], []
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://localhost", headers=headers
            ) as http:
                found = await _gql(http, FIND)
                program = found["programs"]["nodes"][0]["id"]
                learners = [
                    n for o in found["organizations"]["nodes"] for n in o["learners"]["nodes"]
                ]
                learner = next(n["id"] for n in learners if n["name"] == LEARNER)
                recorded = await _gql(
                    http,
                    _mutation("recordProgramCompletion", "completion { id }"),
                    {"input": {"program": program, "learner": learner}},
                )
                completion = recorded["recordProgramCompletion"]["completion"]["id"]
                issue = _mutation(
                    "issueCredential", "credential { id version jwt statusListCredential }"
                )
                revoke = _mutation("revokeCredential", "credential { id }")
                for _ in range(rounds):
                    start = time.perf_counter()
                    data = await _gql(http, issue, {"input": {"completion": completion}})
                    issue_times.append(time.perf_counter() - start)
                    credential = data["issueCredential"]["credential"]
                    assert credential is not None, data
                    start = time.perf_counter()
                    answer = await http.post(
                        "/credentials/verify", json={"credential": credential["jwt"]}
                    )
                    verify_times.append(time.perf_counter() - start)
                    assert answer.json()["valid"] is True, answer.text
                    start = time.perf_counter()
                    listed = await http.get(
                        credential["statusListCredential"].removeprefix(
                            settings.credentials_base_url
                        )
                    )
                    list_times.append(time.perf_counter() - start)
                    assert listed.status_code == 200, listed.text
                    await _gql(
                        http,
                        revoke,
                        {
                            "input": {
                                "id": credential["id"],
                                "version": credential["version"],
                                "reason": "bench",
                            }
                        },
                    )
        finally:
            await app.state.limiter.close()
            await app.state.persisted.close()
            await engine.dispose()
    kind = "PostgreSQL" if postgres else "SQLite"
    return [
        _summary(f"{kind} issueCredential", issue_times),
        _summary(f"{kind} POST /credentials/verify", verify_times),
        _summary(f"{kind} GET the signed status list", list_times),
    ]


def signature_only(count: int = 2000) -> list[str]:
    key = OKPKey.generate_key("Ed25519", private=True)
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": "k"}
    payload = b'{"x":"' + b"a" * 2000 + b'"}'
    with eddsa():
        start = time.perf_counter()
        for _ in range(count):
            token = jws.serialize_compact(header, payload, key, algorithms=["EdDSA"])
        signed = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(count):
            jws.deserialize_compact(token, key, algorithms=["EdDSA"])
        verified = time.perf_counter() - start
    return [
        f"joserfc sign (2 KB payload): {signed / count * 1e6:.0f} us each, n={count}",
        f"joserfc verify (2 KB payload): {verified / count * 1e6:.0f} us each, n={count}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", action="store_true")
    given = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f}")
    for line in asyncio.run(run(given.rounds, given.postgres)):
        print(line)
    for line in signature_only():
        print(line)


if __name__ == "__main__":
    main()
