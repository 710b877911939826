"""Sending GraphQL requests through the ASGI app in tests."""

from typing import Any

import httpx

__all__ = ["errors_of", "mutate", "query", "user_errors"]


async def post(
    client: httpx.AsyncClient, document: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": document, "variables": variables})
    body: dict[str, Any] = response.json()
    return body


async def query(
    client: httpx.AsyncClient, document: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The `data` of a request that must succeed without errors."""
    body = await post(client, document, variables)
    assert "errors" not in body, body.get("errors")
    data: dict[str, Any] = body["data"]
    return data


async def errors_of(
    client: httpx.AsyncClient, document: str, variables: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The errors of a request that must fail."""
    body = await post(client, document, variables)
    assert body.get("errors"), body
    errors: list[dict[str, Any]] = body["errors"]
    return errors


async def mutate(
    client: httpx.AsyncClient, name: str, given: dict[str, Any], selection: str = ""
) -> dict[str, Any]:
    """The payload of mutation `name` (its input type `<Name>Input`), with its `userErrors`."""
    kind = name[0].upper() + name[1:] + "Input"
    data = await query(
        client,
        f"mutation ($input: {kind}!) {{ {name}(input: $input) {{ {selection} "
        "userErrors { message code field } } }",
        {"input": given},
    )
    payload: dict[str, Any] = data[name]
    return payload


def user_errors(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    """A payload's user errors as (code, field) pairs."""
    return [(e["code"], e["field"]) for e in payload["userErrors"]]
