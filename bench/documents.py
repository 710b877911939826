"""Upload and download throughput of one 20 MB document on both storage backends, through a
real uvicorn server on loopback: the local directory, and S3 on moto's server (an emulator on a
free loopback port, so it measures the API's path and boto3, not a real object store).

    uv run python -m bench.documents --database-url postgresql+asyncpg://postgres@127.0.0.1/db

The database must be migrated and hold the demo (`partnergraph load demo`); an admin token is
made for the run. Each backend uploads `--rounds` times (a new version each) and downloads
through the signed URL each time; the median of each is printed, in MB/s (10^6 bytes).
"""

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import tempfile
import time
from typing import Any

import httpx

from bench.servers import start_server, stop_server

PORT = 8941
SIZE = 20_000_000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def _admin_token(url: str) -> str:
    from db.engine import create_engine
    from db.enums import TokenRole
    from resolvers.tokens import create_token

    engine = create_engine(url)
    async with engine.begin() as connection:
        made = await create_token(connection, name="bench documents", role=TokenRole.ADMIN)
    await engine.dispose()
    return made.secret


def _post(client: httpx.Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = client.post(
        "/graphql", json={"query": query, "variables": variables}
    ).json()
    assert "errors" not in body, body
    return body["data"]


UPLOAD = """mutation($input: UploadDocumentVersionInput!) { uploadDocumentVersion(input: $input)
  { version { number size downloadUrl } userErrors { code message } } }"""


def _round(client: httpx.Client, document: str, content: bytes) -> tuple[float, float]:
    operations = {"query": UPLOAD, "variables": {"input": {"document": document, "file": None}}}
    started = time.perf_counter()
    response = client.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": ("bench.pdf", content, "application/pdf")},
    )
    uploaded = time.perf_counter() - started
    payload = response.json()["data"]["uploadDocumentVersion"]
    assert not payload["userErrors"], payload
    started = time.perf_counter()
    with httpx.Client(timeout=120) as plain:
        downloaded = plain.get(payload["version"]["downloadUrl"])
    fetched = time.perf_counter() - started
    assert downloaded.status_code == 200 and len(downloaded.content) == len(content)
    return uploaded, fetched


def _measure(env: dict[str, str], token: str, rounds: int) -> dict[str, float]:
    server = start_server("app:create_app", PORT, env, 1, wait_s=120)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", headers=headers, timeout=120) as c:
            agreement = _post(c, "{ agreements(first: 1) { nodes { id } } }", {})
            made = _post(
                c,
                "mutation($i: CreateDocumentInput!) { createDocument(input: $i) "
                "{ document { id } } }",
                {"i": {"agreement": agreement["agreements"]["nodes"][0]["id"], "title": "bench"}},
            )
            document = made["createDocument"]["document"]["id"]
            ups, downs = [], []
            for _ in range(rounds):
                content = b"%PDF-1.4\n" + secrets.token_bytes(SIZE - 9)
                up, down = _round(c, document, content)
                ups.append(SIZE / up / 1e6)
                downs.append(SIZE / down / 1e6)
    finally:
        stop_server(server)
    return {"upload_mb_s": statistics.median(ups), "download_mb_s": statistics.median(downs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    token = asyncio.run(_admin_token(args.database_url))
    base = {"DATABASE_URL": args.database_url, "PARTNERGRAPH_RATE_LIMIT_PER_MINUTE": "0"}
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as directory:
        local = {**base, "PARTNERGRAPH_DOCUMENT_DIR": directory}
        results["local"] = _measure(local, token, args.rounds)
    from moto.server import ThreadedMotoServer

    port = _free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    try:
        credentials = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
        os.environ.update(credentials)
        import boto3

        endpoint = f"http://127.0.0.1:{port}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
            Bucket="bench"
        )
        s3 = {
            **base,
            **credentials,
            "PARTNERGRAPH_DOCUMENT_STORAGE": "s3",
            "PARTNERGRAPH_S3_BUCKET": "bench",
            "PARTNERGRAPH_S3_ENDPOINT_URL": endpoint,
        }
        results["s3 (moto)"] = _measure(s3, token, args.rounds)
    finally:
        moto.stop()
    print(f"{SIZE / 1e6:.0f} MB file, median of {args.rounds} rounds, MB/s")
    for backend, found in results.items():
        print(
            f"{backend}: upload {found['upload_mb_s']:.1f}, download {found['download_mb_s']:.1f}"
        )


if __name__ == "__main__":
    main()
