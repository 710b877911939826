"""A portal mirrors its view from the feed: replayed into an empty copy, the feed gives what a
fresh read of the lists gives, for every kind of caller, after any sequence of writes."""

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.changes.feed import JOU, NCU, events_after, organization_id
from tests.graphql import query

pytestmark = pytest.mark.anyio

MIRRORED = ["Organization", "Person"]
LISTS = {
    "Organization": "organizations",
    "Person": "people",
}

Step = tuple[str, str, int]
STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create_organization",
                "rename_organization",
                "create_person",
                "rename_person",
                "delete_person",
                "delete_organization",
            ]
        ),
        st.sampled_from(["jou", "ncu", "admin"]),
        st.integers(min_value=0, max_value=5),
    ),
    min_size=1,
    max_size=6,
)


async def _mutate(client: httpx.AsyncClient, name: str, given: dict[str, Any]) -> dict[str, Any]:
    kind = name[0].upper() + name[1:] + "Input"
    data = await query(
        client,
        f"mutation ($input: {kind}!) {{ {name}(input: $input) {{ userErrors {{ code }} }} }}",
        {"input": given},
    )
    payload: dict[str, Any] = data[name]
    return payload


async def _pick(client: httpx.AsyncClient, list_name: str, index: int) -> dict[str, Any] | None:
    data = await query(client, f"{{ {list_name}(first: 100) {{ nodes {{ id version }} }} }}")
    nodes: list[dict[str, Any]] = data[list_name]["nodes"]
    return nodes[-1 - index % len(nodes)] if nodes else None


async def _run(callers: dict[str, httpx.AsyncClient], step: Step, home: dict[str, str]) -> None:
    action, who, index = step
    client = callers[who]
    organization = home.get(who)
    if action == "create_organization":
        await _mutate(client, "createOrganization", {"kind": "OTHER", "name": f"M{index}"})
    elif action == "create_person" and organization is not None:
        position = {"title": "Clerk", "organization": organization}
        await _mutate(client, "createPerson", {"name": f"P{index}", "position": position})
    else:
        list_name = "organizations" if action.endswith("organization") else "people"
        target = await _pick(client, list_name, index)
        if target is None:
            return
        kind = "Organization" if list_name == "organizations" else "Person"
        verb = "update" if action.startswith("rename") else "delete"
        fields = {"name": f"R{index}"} if verb == "update" else {}
        await _mutate(
            client, f"{verb}{kind}", {"id": target["id"], "version": target["version"], **fields}
        )


async def _fresh(client: httpx.AsyncClient, type_name: str) -> dict[str, str]:
    list_name = LISTS[type_name]
    found: dict[str, str] = {}
    after = None
    while True:
        data = await query(
            client,
            f"query ($after: String) {{ {list_name}(first: 100, after: $after) {{ "
            "nodes { id updatedAt } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )
        page = data[list_name]
        found |= {n["id"]: n["updatedAt"] for n in page["nodes"]}
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def _replayed(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    mirror: dict[str, dict[str, str]],
    cursor: str | None,
) -> str:
    events, cursor_after = await events_after(engine, client, cursor)
    for event in events:
        copy = mirror.get(event["entityType"])
        if copy is None:
            continue
        if event["entity"] is None:
            copy.pop(event["entityId"], None)
        else:
            copy[event["entityId"]] = event["entity"]["updatedAt"]
    return cursor_after


@settings(
    max_examples=5,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
async def test_replaying_the_feed_gives_the_lists_for_every_caller(
    callers: dict[str, httpx.AsyncClient], demo_engine: AsyncEngine, steps: list[Step]
) -> None:
    home = {
        "jou": await organization_id(callers["admin"], JOU),
        "ncu": await organization_id(callers["admin"], NCU),
    }
    mirrors: dict[str, dict[str, dict[str, str]]] = {
        name: {t: {} for t in MIRRORED} for name in callers
    }
    cursors: dict[str, str | None] = {name: None for name in callers}
    for name, client in callers.items():
        cursors[name] = await _replayed(demo_engine, client, mirrors[name], None)
    for step in steps:
        await _run(callers, step, home)
    for name, client in callers.items():
        await _replayed(demo_engine, client, mirrors[name], cursors[name])
        for type_name in MIRRORED:
            assert mirrors[name][type_name] == await _fresh(client, type_name), (name, type_name)
