"""The benchmark's database and what its requests name: the network made (or reused), a token
per role, the subjects each scenario reads, and the variables and headers of its requests."""

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.generate import generate
from db.engine import create_engine
from db.enums import TokenRole
from db.migrate import upgrade
from resolvers.ids import encode_id
from resolvers.tokens import create_token


@dataclass
class Subjects:
    tokens: dict[str, str | None]
    portal: int
    alliance: int
    country: str
    drafts: list[int]

    def variables(self, scenario: str) -> dict[str, Any]:
        if scenario == "portal":
            return {"id": encode_id("Organization", self.portal)}
        if scenario == "secretariat":
            return {"id": encode_id("Alliance", self.alliance)}
        if scenario == "directory":
            return {"country": self.country}
        if scenario == "report":
            return {}
        raise KeyError(scenario)

    def floor_subject(self, scenario: str) -> Any:
        subjects = {
            "portal": self.portal,
            "secretariat": self.alliance,
            "directory": self.country,
            "report": date.today().isoformat(),
        }
        return subjects[scenario]


async def prepare(url: str, organizations: int, agreements: int, concurrency: int) -> Subjects:
    """Create and fill the database unless it exists; make the tokens; pick the subjects."""
    admin_dsn = make_url(url).set(drivername="postgresql", database="postgres")
    name = make_url(url).database
    connection = await asyncpg.connect(admin_dsn.render_as_string(hide_password=False))
    exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    if not exists:
        await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    engine = create_engine(url)
    await upgrade(engine)
    async with engine.connect() as c:
        present = await c.scalar(sa.text("SELECT count(*) FROM organization"))
    if not present:
        started = time.perf_counter()
        await generate(engine, organizations=organizations, agreements=agreements)
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    async with engine.begin() as c:
        portal = (
            await c.execute(
                sa.text(
                    "SELECT organization_id FROM agreement_party GROUP BY organization_id "
                    "ORDER BY count(*) DESC, organization_id LIMIT 1 OFFSET 20"
                )
            )
        ).scalar_one()
        alliance = (
            await c.execute(
                sa.text(
                    "SELECT alliance_id FROM membership WHERE left_on IS NULL "
                    "GROUP BY alliance_id ORDER BY abs(count(*) - 60), alliance_id LIMIT 1"
                )
            )
        ).scalar_one()
        drafts = list(
            (
                await c.execute(
                    sa.text("SELECT id FROM agreement WHERE status = 'draft' ORDER BY id LIMIT :n"),
                    {"n": concurrency * 4},
                )
            ).scalars()
        )
        tokens: dict[str, str | None] = {"anonymous": None}
        for role, organization_id, alliance_id in [
            (TokenRole.EDITOR, portal, None),
            (TokenRole.SECRETARIAT, None, alliance),
            (TokenRole.ADMIN, None, None),
            (TokenRole.REPORTER, None, None),
        ]:
            made = await create_token(
                c,
                name=f"bench {role.value}",
                role=role,
                organization_id=organization_id,
                alliance_id=alliance_id,
            )
            tokens[role.value] = made.secret
    await engine.dispose()
    return Subjects(tokens=tokens, portal=portal, alliance=alliance, country="CN", drafts=drafts)


def auth_headers(subjects: Subjects, role: str) -> dict[str, str]:
    token = subjects.tokens[role]
    return {"Authorization": f"Bearer {token}"} if token else {}


def write_variables(key: int, version: int, n: int) -> dict[str, Any]:
    return {
        "input": {
            "id": encode_id("Agreement", key),
            "version": version,
            "title": f"Bench agreement {key} (edit {n})",
            "effectiveTo": f"2030-01-{1 + n % 28:02d}",
        }
    }
