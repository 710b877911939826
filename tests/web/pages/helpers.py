"""What the page tests share: the demo with cooperation between Jiangxi members, a token per
role, a pages client signed in with one of them, and reading a page's parts."""

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from settings import Settings
from tests.conftest import TEST_SETTINGS, api_client, make_token
from tests.factories import AllianceCooperation, add_alliance_cooperation
from tests.graphql import query

__all__ = [
    "JIANGSU_OPEN",
    "JIANGXI",
    "Demo",
    "embedded_network",
    "pages_client",
    "prepare_demo",
    "propose_membership_of_jufe",
]

JIANGXI = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"
JIANGSU_OPEN = "Jiangsu Open University"
PAGES_SETTINGS = Settings(rate_limit_per_minute=0, pages_secret_key="test-" + "k" * 40)


@dataclass(frozen=True)
class Demo:
    tokens: dict[str, str]
    """By role: admin, secretariat (Jiangxi), editor (Jiangsu Open University), reporter."""
    cooperation: AllianceCooperation
    alliance_id: str
    ids: dict[str, str]
    """Organization IDs by name."""


async def prepare_demo(engine: AsyncEngine, admin_token: str) -> Demo:
    """The demo with `add_alliance_cooperation`, a token of each demo role, and a pending
    proposal from Jiangsu Open University's editor (a mutation, which also tells every network
    cache that the rows changed)."""
    cooperation = await add_alliance_cooperation(engine)
    tokens = {
        "admin": admin_token,
        "secretariat": await make_token(engine, TokenRole.SECRETARIAT, alliance=JIANGXI),
        "editor": await make_token(engine, TokenRole.EDITOR, organization=JIANGSU_OPEN),
        "reporter": await make_token(engine, TokenRole.REPORTER),
    }
    async with api_client(engine, admin_token) as admin:
        found = await query(
            admin,
            "{ alliances(first: 5) { nodes { id name } }"
            " organizations(first: 100) { nodes { id name } } }",
        )
    alliance_id = next(a["id"] for a in found["alliances"]["nodes"] if a["name"] == JIANGXI)
    ids = {o["name"]: o["id"] for o in found["organizations"]["nodes"]}
    async with api_client(engine, tokens["editor"]) as editor:
        await propose_membership_of_jufe(editor, ids)
    return Demo(tokens=tokens, cooperation=cooperation, alliance_id=alliance_id, ids=ids)


async def propose_membership_of_jufe(editor: httpx.AsyncClient, ids: dict[str, str]) -> None:
    """Jiangsu Open University's editor proposes JUFE as a party to the Jiangsu agreement."""
    agreements = await query(editor, "{ agreements(first: 5) { nodes { id title } } }")
    agreement = agreements["agreements"]["nodes"][0]["id"]
    made = await query(
        editor,
        "mutation($a: ID!, $o: ID!) { proposeAgreementParty(input: {agreement: $a,"
        " organization: $o}) { userErrors { code message } } }",
        {"a": agreement, "o": ids["Jiangxi University of Finance and Economics"]},
    )
    assert made["proposeAgreementParty"]["userErrors"] == [], made


@asynccontextmanager
async def pages_client(
    engine: AsyncEngine, token: str | None, settings: Settings = PAGES_SETTINGS
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client of the pages (it keeps cookies), signed in with `token`."""
    async with api_client(engine, None, settings) as http:
        if token is not None:
            signed = await http.post("/app/sign-in", data={"token": token})
            assert signed.status_code == 303, signed.text
        yield http


def embedded_network(html: str) -> dict[str, Any]:
    """The network elements an alliance page draws from."""
    found = re.search(
        r'<script type="application/json" id="network-data">(.*?)</script>', html, re.S
    )
    assert found, "no network data in the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


__all__ += ["PAGES_SETTINGS", "TEST_SETTINGS"]
