"""Documents with storage, through the API on both databases: a GraphQL multipart upload, its
versions, a signed download (local storage, and S3 against moto's server started here), the
size and type refusals that write nothing, per-document visibility, and the terms hash that
covers the documents' content."""

import dataclasses
import json
import re
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import table_of
from db.enums import TokenRole
from db.tables import Agreement, DocumentVersion
from settings import Settings
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.graphql import query

pytestmark = pytest.mark.anyio

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
GIF = b"GIF89a" + bytes(20)
SIGNED = "Cooperation on social education projects"

UPLOAD = """mutation($input: UploadDocumentVersionInput!) { uploadDocumentVersion(input: $input) {
  version { number sha256 size mediaType fileName downloadUrl }
  document { id versions { number } }
  userErrors { code field message } } }"""
CREATE = """mutation($input: CreateDocumentInput!) { createDocument(input: $input) {
  document { id } userErrors { code field message } } }"""
READ = """query($id: ID!) { node(id: $id) { ... on Document { title visibility
  versions { number sha256 mediaType downloadUrl } } } }"""


def _settings(tmp_path: Path, **changes: Any) -> Settings:
    return dataclasses.replace(TEST_SETTINGS, document_dir=str(tmp_path / "docs"), **changes)


async def upload(
    client: httpx.AsyncClient, document: str, content: bytes, name: str = "text.pdf"
) -> dict[str, Any]:
    """A GraphQL multipart request (graphql-multipart-request-spec) with one file."""
    operations = {"query": UPLOAD, "variables": {"input": {"document": document, "file": None}}}
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": (name, content, "application/octet-stream")},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    payload: dict[str, Any] = body["data"]["uploadDocumentVersion"]
    return payload


@dataclasses.dataclass
class World:
    engine: AsyncEngine
    settings: Settings
    jsou: str
    nju: str
    outsider: str
    agreement: str
    jsou_id: str


@pytest.fixture
async def world(demo_engine: AsyncEngine, databases: Databases, tmp_path: Path) -> World:
    jsou = await make_token(demo_engine, TokenRole.EDITOR, organization="Jiangsu Open University")
    nju = await make_token(demo_engine, TokenRole.EDITOR, organization="Nanjing University")
    outsider = await make_token(demo_engine, TokenRole.EDITOR, organization="Griffith University")
    settings = _settings(tmp_path)
    async with api_client(demo_engine, jsou, settings) as client:
        data = await query(
            client,
            "query($t: String) { agreements(first: 1, filter: {text: $t}) { nodes { id } } "
            'organizations(first: 1, filter: {text: "Jiangsu Open University"}) { nodes { id } } }',
            {"t": SIGNED},
        )
    return World(
        demo_engine,
        settings,
        jsou,
        nju,
        outsider,
        data["agreements"]["nodes"][0]["id"],
        data["organizations"]["nodes"][0]["id"],
    )


async def _document(world: World, **fields: Any) -> str:
    async with api_client(world.engine, world.jsou, world.settings) as client:
        data = await query(
            client,
            CREATE,
            {"input": {"agreement": world.agreement, "title": "The signed text", **fields}},
        )
    assert data["createDocument"]["userErrors"] == []
    found: str = data["createDocument"]["document"]["id"]
    return found


async def _versions(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        found = await connection.scalar(
            sa.select(sa.func.count()).select_from(table_of(DocumentVersion))
        )
    return int(found or 0)


def _blobs(settings: Settings) -> list[Path]:
    root = Path(settings.document_dir)
    return [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]


async def test_an_upload_is_kept_versioned_and_downloaded(world: World) -> None:
    document = await _document(world)
    async with api_client(world.engine, world.jsou, world.settings) as client:
        first = await upload(client, document, PDF)
        second = await upload(client, document, PNG, "scan.png")
        again = await upload(client, document, PDF)
        assert first["userErrors"] == [] and second["userErrors"] == []
        assert first["version"]["mediaType"] == "application/pdf"
        assert second["version"]["mediaType"] == "image/png"
        assert [v["number"] for v in again["document"]["versions"]] == [1, 2, 3]
        assert len(_blobs(world.settings)) == 2  # the same bytes are stored once
        url = first["version"]["downloadUrl"]
        downloaded = await client.get(url)
        assert downloaded.status_code == 200
        assert downloaded.content == PDF
        assert downloaded.headers["content-type"].startswith("application/pdf")
        tampered = await client.get(url.replace("type=application%2Fpdf", "type=text%2Fhtml"))
        assert tampered.status_code == 403


async def test_an_expired_url_is_refused(world: World, tmp_path: Path) -> None:
    document = await _document(world)
    settings = dataclasses.replace(world.settings, document_url_seconds=-1)
    async with api_client(world.engine, world.jsou, settings) as client:
        found = await upload(client, document, PDF)
        assert (await client.get(found["version"]["downloadUrl"])).status_code == 410


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (GIF, "UNSUPPORTED_MEDIA_TYPE"),
        (b"\x7fELF\x02\x01\x01" + bytes(64), "UNSUPPORTED_MEDIA_TYPE"),
        (b"\x00\x01\x02 not text", "UNSUPPORTED_MEDIA_TYPE"),
        (b"%PDF-1.4\n" + b"x" * 2000, "FILE_TOO_LARGE"),
    ],
)
async def test_a_refused_file_writes_nothing(world: World, content: bytes, code: str) -> None:
    document = await _document(world)
    before = await _versions(world.engine)
    settings = dataclasses.replace(world.settings, max_upload_bytes=1000)
    async with api_client(world.engine, world.jsou, settings) as client:
        found = await upload(client, document, content, "looks-like.pdf")
    assert found["version"] is None
    assert [(e["code"], e["field"]) for e in found["userErrors"]] == [(code, "file")]
    assert await _versions(world.engine) == before
    assert _blobs(world.settings) == []


async def test_a_caller_who_may_not_change_the_document_writes_nothing(world: World) -> None:
    document = await _document(world)
    async with api_client(world.engine, world.outsider, world.settings) as client:
        found = await upload(client, document, PDF)
    assert found["userErrors"][0]["code"] == "NOT_FOUND"
    assert _blobs(world.settings) == []
    assert await _versions(world.engine) == 0


async def _sees(world: World, token: str | None, document: str) -> bool:
    async with api_client(world.engine, token, world.settings) as client:
        data = await query(client, READ, {"id": document})
    return data["node"] is not None


async def test_visibility_is_per_document(world: World) -> None:
    parties = await _document(world)
    public = await _document(world, visibility="PUBLIC")
    owner = await _document(world, visibility="OWNER", owner=world.jsou_id)
    assert [await _sees(world, world.nju, d) for d in (parties, public, owner)] == [
        True,
        True,
        False,
    ]
    assert [await _sees(world, None, d) for d in (parties, public, owner)] == [False, True, False]
    assert [await _sees(world, world.jsou, d) for d in (parties, public, owner)] == [True] * 3


async def test_an_anonymous_caller_downloads_a_public_document(world: World) -> None:
    public = await _document(world, visibility="PUBLIC")
    async with api_client(world.engine, world.jsou, world.settings) as client:
        await upload(client, public, PDF)
    async with api_client(world.engine, None, world.settings) as client:
        data = await query(client, READ, {"id": public})
        url = data["node"]["versions"][0]["downloadUrl"]
        assert (await client.get(url)).content == PDF


async def _terms_hash(engine: AsyncEngine) -> str | None:
    agreement = table_of(Agreement)
    async with engine.connect() as connection:
        found: str | None = await connection.scalar(
            sa.select(agreement.c.terms_hash).where(agreement.c.title == SIGNED)
        )
    return found


async def test_the_terms_hash_covers_the_documents(world: World) -> None:
    before = await _terms_hash(world.engine)
    document = await _document(world)
    assert await _terms_hash(world.engine) == before  # no content yet
    async with api_client(world.engine, world.jsou, world.settings) as client:
        await upload(client, document, PDF)
        after_pdf = await _terms_hash(world.engine)
        await upload(client, document, PNG, "scan.png")
        after_png = await _terms_hash(world.engine)
    assert len({before, after_pdf, after_png}) == 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free loopback port, for this module's tests."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
async def s3_settings(
    s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Settings]:
    import boto3

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    bucket = f"documents-{_free_port()}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    yield _settings(tmp_path, document_storage="s3", s3_bucket=bucket, s3_endpoint_url=s3_endpoint)


async def test_s3_storage_keeps_and_presigns(world: World, s3_settings: Settings) -> None:
    document = await _document(world)
    async with api_client(world.engine, world.jsou, s3_settings) as client:
        found = await upload(client, document, PDF)
    assert found["userErrors"] == []
    url = found["version"]["downloadUrl"]
    assert url.startswith(s3_settings.s3_endpoint_url) and "Signature" in url
    async with httpx.AsyncClient() as plain:
        downloaded = await plain.get(url)
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert _blobs(s3_settings) == []  # nothing written locally


async def test_a_document_language_is_bcp_47(world: World) -> None:
    async with api_client(world.engine, world.jsou, world.settings) as client:
        refused = await query(
            client,
            CREATE,
            {"input": {"agreement": world.agreement, "title": "Annex", "language": "en_GB"}},
        )
        assert [(e["code"], e["field"]) for e in refused["createDocument"]["userErrors"]] == [
            ("BAD_USER_INPUT", "language")
        ]
        made = await query(
            client,
            CREATE.replace("document { id }", "document { id language }"),
            {"input": {"agreement": world.agreement, "title": "Annex", "language": "zh-cn"}},
        )
    assert made["createDocument"]["document"]["language"] == "zh-CN"


DOCS = Path(__file__).resolve().parents[2] / "docs" / "documents.md"


def _curl_fields() -> dict[str, str]:
    """The `-F name='value'` fields of the curl example of docs/documents.md."""
    text = DOCS.read_text()
    block = text.split("<!-- multipart-example -->", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return dict(re.findall(r"-F (\w+)='([^']*)'", block))


async def test_the_curl_example_of_the_docs_uploads(world: World) -> None:
    fields = _curl_fields()
    assert set(fields) == {"operations", "map"}
    document = await _document(world)
    operations = fields["operations"].replace("RG9jdW1lbnQ6MQ", document)
    async with api_client(world.engine, world.jsou, world.settings) as client:
        response = await client.post(
            "/graphql",
            data={"operations": operations, "map": fields["map"]},
            files={"0": ("signed-text.pdf", PDF, "application/pdf")},
        )
    payload = response.json()["data"]["uploadDocumentVersion"]
    assert payload["userErrors"] == []
    assert payload["version"]["mediaType"] == "application/pdf"
    assert payload["version"]["size"] == len(PDF)


async def test_new_content_reopens_a_signed_agreement_and_is_refused_in_force(
    demo_engine: AsyncEngine, databases: Databases, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    async with api_client(demo_engine, databases.admin_token, settings) as client:
        found = await query(
            client,
            "{ signed: agreements(filter: {status: [SIGNED]}, first: 1) { nodes { id } } "
            "active: agreements(filter: {status: [ACTIVE]}, first: 1) { nodes { id } } }",
        )
        documents = []
        for which in ("signed", "active"):
            made = await query(
                client,
                CREATE,
                {"input": {"agreement": found[which]["nodes"][0]["id"], "title": "Text"}},
            )
            documents.append(made["createDocument"]["document"]["id"])
        reopened = await upload(client, documents[0], PDF)
        refused = await upload(client, documents[1], PDF)
        status = await query(
            client,
            "query($id: ID!) { node(id: $id) { ... on Agreement { status } } }",
            {"id": found["signed"]["nodes"][0]["id"]},
        )
    assert reopened["userErrors"] == []
    assert status["node"]["status"] == "UNDER_NEGOTIATION"
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_TRANSITION"]
    assert refused["version"] is None
    assert len(_blobs(settings)) == 1  # the refused bytes are the kept version's: kept once
