"""Alliance membership through the API: joining, role changes over time, one chair, leaving."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from tests.conftest import Databases, api_client, make_token
from tests.graphql import query

pytestmark = pytest.mark.anyio

JIANGXI = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"
MEMBERSHIP = "membership { id version role joinedOn leftOn organization { name } }"
PAYLOAD = f"{MEMBERSHIP} userErrors {{ message code field }}"


async def _call(client: httpx.AsyncClient, mutation: str, kind: str, given: dict[str, Any]) -> Any:
    data = await query(
        client,
        f"mutation ($input: {kind}!) {{ {mutation}(input: $input) {{ {PAYLOAD} }} }}",
        {"input": given},
    )
    return data[mutation]


async def _ids(client: httpx.AsyncClient) -> dict[str, Any]:
    data = await query(
        client,
        """{
          alliances(filter: {text: "Sino-Foreign"}) { nodes { id
            memberships(filter: {current: true}) { nodes { id version role organization { name } } }
          } }
          organizations(filter: {text: "Tsinghua University"}) { nodes { id name } }
        }""",
    )
    [alliance] = data["alliances"]["nodes"]
    members = {m["organization"]["name"]: m for m in alliance["memberships"]["nodes"]}
    [tsinghua] = [o for o in data["organizations"]["nodes"] if o["name"] == "Tsinghua University"]
    return {"alliance": alliance["id"], "members": members, "tsinghua": tsinghua["id"]}


@pytest.fixture
async def secretariat(demo_engine: AsyncEngine) -> Any:
    token = await make_token(demo_engine, TokenRole.SECRETARIAT, alliance=JIANGXI)
    async with api_client(demo_engine, token) as client:
        yield client


async def test_roles_over_time_answer_who_held_them_on_a_date(
    secretariat: httpx.AsyncClient,
) -> None:
    ids = await _ids(secretariat)
    gannan = ids["members"]["Gannan Normal University"]
    promoted = await _call(
        secretariat,
        "changeMemberRole",
        "ChangeMemberRoleInput",
        {
            "id": gannan["id"],
            "version": gannan["version"],
            "role": "VICE_CHAIR",
            "on": "2026-03-01",
        },
    )
    assert promoted["userErrors"] == []
    assert promoted["membership"]["role"] == "VICE_CHAIR"
    assert promoted["membership"]["joinedOn"] == "2026-03-01"

    data = await query(
        secretariat,
        """query ($id: ID!) { node(id: $id) { ... on Alliance {
            before: memberships(filter: {on: "2026-02-28", role: [VICE_CHAIR]}) { ...names }
            after: memberships(filter: {on: "2026-03-01", role: [VICE_CHAIR]}) { ...names }
            directors: memberships(filter: {on: "2026-02-28", role: [DIRECTOR]}) { ...names }
        } } }
        fragment names on MembershipConnection { nodes { organization { name } } }""",
        {"id": ids["alliance"]},
    )
    names = {k: {m["organization"]["name"] for m in v["nodes"]} for k, v in data["node"].items()}
    assert "Gannan Normal University" not in names["before"]
    assert "Gannan Normal University" in names["after"]
    assert "Gannan Normal University" in names["directors"]


async def test_one_chair_at_a_time(secretariat: httpx.AsyncClient) -> None:
    ids = await _ids(secretariat)
    ncu = ids["members"]["Nanchang University"]
    refused = await _call(
        secretariat,
        "changeMemberRole",
        "ChangeMemberRoleInput",
        {"id": ncu["id"], "version": ncu["version"], "role": "CHAIR", "on": "2026-03-01"},
    )
    assert [e["code"] for e in refused["userErrors"]] == ["MEMBERSHIP_CONFLICT"]
    chair = ids["members"]["Jiangxi University of Finance and Economics"]
    stepped_down = await _call(
        secretariat,
        "changeMemberRole",
        "ChangeMemberRoleInput",
        {"id": chair["id"], "version": chair["version"], "role": "VICE_CHAIR", "on": "2026-03-01"},
    )
    assert stepped_down["userErrors"] == []
    now_chair = await _call(
        secretariat,
        "changeMemberRole",
        "ChangeMemberRoleInput",
        {"id": ncu["id"], "version": ncu["version"], "role": "CHAIR", "on": "2026-03-01"},
    )
    assert now_chair["userErrors"] == []


async def test_a_secretariat_cannot_add_an_organization_without_its_consent(
    secretariat: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    ids = await _ids(secretariat)
    refused = await _call(
        secretariat,
        "addMember",
        "AddMemberInput",
        {"alliance": ids["alliance"], "organization": ids["tsinghua"]},
    )
    [error] = refused["userErrors"]
    assert (error["code"], error["field"]) == ("CONSENT_REQUIRED", "organization")
    assert "proposeMembership" in error["message"] and "acceptProposal" in error["message"]
    assert "Tsinghua University" not in (await _ids(client))["members"]


async def test_a_member_records_its_own_leaving_but_not_anothers(
    demo_engine: AsyncEngine,
) -> None:
    editor = await make_token(demo_engine, TokenRole.EDITOR, organization="Nanchang University")
    async with api_client(demo_engine, editor) as client:
        ids = await _ids(client)
        own, other = (
            ids["members"]["Nanchang University"],
            ids["members"]["Gannan Normal University"],
        )
        refused = await _call(
            client,
            "recordMemberLeaving",
            "MemberLeavingInput",
            {"id": other["id"], "version": other["version"], "leftOn": "2026-06-30"},
        )
        left = await _call(
            client,
            "recordMemberLeaving",
            "MemberLeavingInput",
            {"id": own["id"], "version": own["version"], "leftOn": "2026-06-30"},
        )
        promoted = await _call(
            client,
            "changeMemberRole",
            "ChangeMemberRoleInput",
            {"id": own["id"], "version": own["version"], "role": "CHAIR", "on": "2026-03-01"},
        )
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    assert left["userErrors"] == [] and left["membership"]["leftOn"] == "2026-06-30"
    assert [e["code"] for e in promoted["userErrors"]] == ["FORBIDDEN"]


async def test_join_leave_and_rejoin(
    secretariat: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    """An admin adds the member (a secretariat proposes it: above); its secretariat records
    its leaving."""
    ids = await _ids(secretariat)
    joined = await _call(
        client,
        "addMember",
        "AddMemberInput",
        {"alliance": ids["alliance"], "organization": ids["tsinghua"], "joinedOn": "2026-01-10"},
    )
    membership = joined["membership"]
    assert (membership["role"], membership["joinedOn"]) == ("MEMBER", "2026-01-10")
    twice = await _call(
        client,
        "addMember",
        "AddMemberInput",
        {"alliance": ids["alliance"], "organization": ids["tsinghua"]},
    )
    assert [e["code"] for e in twice["userErrors"]] == ["MEMBERSHIP_CONFLICT"]
    early = await _call(
        secretariat,
        "recordMemberLeaving",
        "MemberLeavingInput",
        {"id": membership["id"], "version": membership["version"], "leftOn": "2025-01-01"},
    )
    assert [(e["code"], e["field"]) for e in early["userErrors"]] == [("BAD_USER_INPUT", "leftOn")]
    left = await _call(
        secretariat,
        "recordMemberLeaving",
        "MemberLeavingInput",
        {"id": membership["id"], "version": membership["version"], "leftOn": "2026-06-30"},
    )
    assert left["membership"]["leftOn"] == "2026-06-30"
    again = await _call(
        client,
        "addMember",
        "AddMemberInput",
        {"alliance": ids["alliance"], "organization": ids["tsinghua"], "role": "OBSERVER"},
    )
    assert again["userErrors"] == []


async def test_only_the_alliances_secretariat_manages_it(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    editor = await make_token(demo_engine, TokenRole.EDITOR, organization="Nanchang University")
    async with api_client(demo_engine, editor) as client:
        ids = await _ids(client)
        refused = await _call(
            client,
            "addMember",
            "AddMemberInput",
            {"alliance": ids["alliance"], "organization": ids["tsinghua"]},
        )
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    async with api_client(demo_engine, databases.admin_token) as admin:
        after = await _ids(admin)
    assert "Tsinghua University" not in after["members"]


async def test_a_role_change_is_in_the_memberships_history(secretariat: httpx.AsyncClient) -> None:
    ids = await _ids(secretariat)
    gannan = ids["members"]["Gannan Normal University"]
    await _call(
        secretariat,
        "changeMemberRole",
        "ChangeMemberRoleInput",
        {"id": gannan["id"], "version": gannan["version"], "role": "MEMBER", "on": "2026-05-01"},
    )
    data = await query(
        secretariat,
        "query ($id: ID!) { node(id: $id) { ... on Membership { leftOn "
        "history { totalCount nodes { action changes } } } } }",
        {"id": gannan["id"]},
    )
    membership = data["node"]
    assert membership["leftOn"] == "2026-05-01"
    [entry] = membership["history"]["nodes"]
    assert entry["action"] == "role ended (director to member)"
    assert entry["changes"] == {"left_on": {"old": None, "new": "2026-05-01"}}
