"""Two worker processes on one PostgreSQL database: a write answered by one reaches a subscriber
of the other (LISTEN/NOTIFY), through real uvicorn servers and a WebSocket client."""

import asyncio
import json
import socket
import subprocess
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from bench.servers import start_server, stop_server
from tests.conftest import Databases

pytestmark = pytest.mark.anyio

SUBSCRIBE = 'subscription { changes(filter: {types: ["Organization"]}) { entityId kind } }'
CREATE = """
mutation { createOrganization(input: {kind: UNIVERSITY, name: "Across Workers"}) {
  organization { id } } }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        "DATABASE_URL": url,
        "PARTNERGRAPH_RATE_LIMIT": "0",
        "PARTNERGRAPH_POOL_SIZE": "2",
        "PARTNERGRAPH_POOL_OVERFLOW": "0",
        "PARTNERGRAPH_SUBSCRIPTION_POLL_SECONDS": "60",  # only the notification can be in time
    }
    return start_server("app:create_app", port, env, 1)


@pytest.fixture
def two_workers(backend: str, demo_engine: AsyncEngine) -> Iterator[tuple[int, int]]:
    if backend != "postgresql":
        pytest.skip("workers share a database on PostgreSQL; SQLite is one process")
    url = demo_engine.url.render_as_string(hide_password=False)
    ports = (_free_port(), _free_port())
    processes = [_serve(url, port) for port in ports]
    try:
        yield ports
    finally:
        for process in processes:
            stop_server(process)


async def test_a_write_on_one_worker_reaches_a_subscriber_of_another(
    two_workers: tuple[int, int], databases: Databases
) -> None:
    writer, reader = two_workers
    token = databases.admin_token
    async with connect(
        f"ws://127.0.0.1:{reader}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
    ) as ws:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}
        await ws.send(json.dumps(subscribe))
        await asyncio.sleep(1.0)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{writer}", headers={"Authorization": f"Bearer {token}"}
        ) as http:
            made = (await http.post("/graphql", json={"query": CREATE})).json()
        organization = made["data"]["createOrganization"]["organization"]["id"]
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert message["payload"]["data"]["changes"] == {"entityId": organization, "kind": "CREATED"}
