"""Every error answer is JSON with a code, in the GraphQL-over-HTTP form, on every road; with
`Accept: application/graphql-response+json` in that media type with the spec's status codes."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.compiled import fast_lane
from tests.conftest import Databases, api_client

pytestmark = pytest.mark.anyio

GRAPHQL_RESPONSE = "application/graphql-response+json"
PLAIN = "{ alliances { totalCount } }"


def _refusal(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The one error of a refused request, checked for its form, status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    body: dict[str, Any] = response.json()
    [error] = body["errors"]
    assert isinstance(error["message"], str) and error["message"]
    assert error["extensions"]["code"] == code, error
    return body


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


async def _post_raw(client: httpx.AsyncClient, body: bytes, **headers: str) -> httpx.Response:
    return await client.post(
        "/graphql", content=body, headers={"content-type": "application/json", **headers}
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"query": "{ alliances { totalCount } }", "x": "\xff\xfe"}', id="utf-8"),
        pytest.param(b"\xff\xfe\x00{", id="bytes"),
        pytest.param(b"[]", id="array"),
        pytest.param(b'"x"', id="string"),
        pytest.param(b"1", id="number"),
        pytest.param(b"null", id="null"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"query": 1}', id="query-number"),
        pytest.param(b'{"query": "{ alliances { totalCount } }", "variables": []}', id="vars-list"),
        pytest.param(b'{"query": "{ alliances { totalCount } }", "variables": "x"}', id="vars-str"),
        pytest.param(b'{"query": "{ alliances { totalCount } }", "extensions": 1}', id="ext-num"),
        pytest.param(b'{"query": "{ alliances { totalCount } }", "extensions": []}', id="ext-list"),
        pytest.param(
            b'{"query": "{ alliances { totalCount } }", "operationName": 7}', id="operation-name"
        ),
        pytest.param(
            b'{"query": "{ alliances { totalCount } }", "variables": {"v": '
            + _nested(5_000).encode()
            + b"}}",
            id="variables-5000-deep",
        ),
        pytest.param(
            b'{"query": "{ alliances { totalCount } }", "variables": {"v": '
            + _nested(100).encode()
            + b"}}",
            id="variables-100-deep",
        ),
        pytest.param(
            b'{"query": "{ alliances { totalCount } }", "extensions": {"e": '
            + _nested(5_000).encode()
            + b"}}",
            id="extensions-5000-deep",
        ),
    ],
)
async def test_a_body_that_is_not_one_graphql_request_is_refused_with_400(
    anonymous_client: httpx.AsyncClient, body: bytes
) -> None:
    response = await _post_raw(anonymous_client, body)
    _refusal(response, 400, "BAD_REQUEST")
    assert "\ufffd" not in response.text, "the input is not echoed"


async def test_variables_within_the_depth_limit_are_accepted(
    anonymous_client: httpx.AsyncClient,
) -> None:
    body = (
        b'{"query": "{ alliances { totalCount } }", "variables": {"v": '
        + _nested(20).encode()
        + b"}}"
    )
    response = await _post_raw(anonymous_client, body)
    assert response.status_code == 200
    assert response.json()["data"]["alliances"]["totalCount"] >= 1


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"query": PLAIN, "variables": "["}, id="variables-not-json"),
        pytest.param({"query": PLAIN, "variables": "[1]"}, id="variables-list"),
        pytest.param({"query": PLAIN, "variables": _nested(5_000)}, id="variables-deep"),
        pytest.param({"query": PLAIN, "extensions": "1"}, id="extensions-number"),
        pytest.param({"query": PLAIN, "extensions": "{"}, id="extensions-not-json"),
        pytest.param({"query": "mutation { x }"}, id="mutation"),
        pytest.param({"query": PLAIN, "operationName": "Missing"}, id="unknown-operation"),
    ],
)
async def test_a_get_with_bad_parameters_is_refused_with_400(
    anonymous_client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await anonymous_client.get(
        "/graphql", params=params, headers={"accept": "application/json"}
    )
    _refusal(response, 400, "BAD_REQUEST")


async def test_a_body_of_another_content_type_is_refused_as_json(
    anonymous_client: httpx.AsyncClient,
) -> None:
    response = await anonymous_client.post(
        "/graphql", content=b"query=x", headers={"content-type": "text/plain"}
    )
    _refusal(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_unknown_routes_and_methods_are_refused_as_json(
    anonymous_client: httpx.AsyncClient,
) -> None:
    _refusal(await anonymous_client.get("/nowhere"), 404, "NOT_FOUND")
    _refusal(
        await anonymous_client.put("/graphql", json={"query": PLAIN}), 405, "METHOD_NOT_ALLOWED"
    )


JSON = {"content-type": "application/json"}
PREFLIGHT = {"origin": "https://elsewhere.example.com", "access-control-request-method": "POST"}
TOO_MANY = b"[" + b",".join([b'{"query": "{ __typename }"}'] * 11) + b"]"
MULTIPART = {"content-type": "multipart/form-data; boundary=x"}
FORM = b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--x--\r\n'


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status", "code"),
    [
        pytest.param("GET", "/nowhere", {}, None, 404, "NOT_FOUND", id="unknown-path"),
        pytest.param("POST", "/nowhere", JSON, b"{}", 404, "NOT_FOUND", id="post-unknown"),
        pytest.param("GET", "/static/graphiql/x.js", {}, None, 404, "NOT_FOUND", id="no-asset"),
        pytest.param("PUT", "/graphql", JSON, b"{}", 405, "METHOD_NOT_ALLOWED", id="put"),
        pytest.param("DELETE", "/graphql", {}, None, 405, "METHOD_NOT_ALLOWED", id="delete"),
        pytest.param("OPTIONS", "/graphql", {}, None, 405, "METHOD_NOT_ALLOWED", id="options"),
        pytest.param(
            "POST", "/reports/summary.csv", {}, None, 405, "METHOD_NOT_ALLOWED", id="post-csv"
        ),
        pytest.param(
            "OPTIONS", "/graphql", PREFLIGHT, None, 403, "CORS_NOT_ALLOWED", id="cors-origin"
        ),
        pytest.param("POST", "/graphql", {}, b"{}", 415, "UNSUPPORTED_MEDIA_TYPE", id="no-type"),
        pytest.param(
            "POST",
            "/graphql",
            {"content-type": "application/graphql"},
            b"{ alliances { totalCount } }",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            id="application-graphql",
        ),
        pytest.param(
            # multipart is the upload transport (docs/documents.md): a malformed one is a 400
            "POST",
            "/graphql",
            MULTIPART,
            FORM,
            400,
            "BAD_REQUEST",
            id="multipart-malformed",
        ),
        pytest.param(
            "POST", "/graphql", MULTIPART, b"garbage", 400, "BAD_REQUEST", id="multipart-garbage"
        ),
        pytest.param("POST", "/graphql", JSON, b'{"query": ', 400, "BAD_REQUEST", id="bad-json"),
        pytest.param("POST", "/graphql", JSON, b"{}", 400, "BAD_REQUEST", id="no-query"),
        pytest.param(
            "POST", "/graphql", JSON, b'{"query": ""}', 400, "BAD_REQUEST", id="empty-query"
        ),
        pytest.param("GET", "/graphql", {}, None, 400, "BAD_REQUEST", id="get-no-query"),
        pytest.param(
            "POST", "/graphql", JSON, b" " * 300_000, 413, "PAYLOAD_TOO_LARGE", id="too-large"
        ),
        pytest.param("POST", "/graphql", JSON, b"[]", 400, "BAD_REQUEST", id="empty-batch"),
        pytest.param("POST", "/graphql", JSON, TOO_MANY, 400, "BATCH_TOO_LARGE", id="batch"),
    ],
)
@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_every_transport_error_is_graphql_json_with_a_code(
    anonymous_client: httpx.AsyncClient,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None,
    status: int,
    code: str,
    accept: str,
) -> None:
    response = await anonymous_client.request(
        method, path, content=body, headers={"accept": accept, **headers}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(accept), response.headers
    [error] = response.json()["errors"]
    assert isinstance(error["message"], str) and error["message"]
    assert error["extensions"] == {"code": code}
    if status == 405:
        assert "POST" in response.headers["allow"] or "GET" in response.headers["allow"]


async def test_head_on_graphql_is_refused_with_allow(anonymous_client: httpx.AsyncClient) -> None:
    response = await anonymous_client.head("/graphql")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"].startswith("application/json")


async def test_an_unexpected_failure_on_an_http_endpoint_is_json_with_a_reference(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("internal detail: /srv/secret.py line 3")

    monkeypatch.setattr("web.reports_csv.require_references", broken)
    response = await client.get("/reports/summary.csv")
    [error] = _refusal(response, 500, "INTERNAL_SERVER_ERROR")["errors"]
    reference = error["extensions"]["reference"]
    assert error["message"] == f"Internal server error (reference {reference})"
    assert "secret" not in response.text
    assert any(reference in record.getMessage() for record in caplog.records)


async def test_an_unexpected_failure_on_the_fast_lane_is_answered_by_strawberry(
    demo_engine: AsyncEngine, databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    if demo_engine.dialect.name != "postgresql":
        pytest.skip("the fast lane is PostgreSQL's")
    document = "query Lane { organizations(first: 2) { nodes { id name } } }"
    async with api_client(demo_engine, databases.admin_token) as http:
        learned = await http.post("/graphql", json={"query": document})
        assert learned.status_code == 200

        async def broken(*_: Any, **__: Any) -> None:
            raise RuntimeError("internal detail of the lane")

        monkeypatch.setattr(fast_lane, "admit", broken)
        response = await http.post("/graphql", json={"query": document})
    assert response.status_code == 200, "not a plain-text 500"
    assert response.content == learned.content
    assert "lane" not in response.text


async def test_graphql_response_json_uses_its_media_type_and_the_specs_status_codes(
    anonymous_client: httpx.AsyncClient,
) -> None:
    accept = {"accept": GRAPHQL_RESPONSE}
    fine = await anonymous_client.post("/graphql", json={"query": PLAIN}, headers=accept)
    assert fine.status_code == 200
    assert fine.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert fine.json()["data"]["alliances"]["totalCount"] >= 1

    for document, code in [
        ("{ alliances( ", "GRAPHQL_PARSE_FAILED"),
        ("{ spaceships { id } }", "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int!) { organizations(first: $n) { totalCount } }", "BAD_USER_INPUT"),
    ]:
        refused = await anonymous_client.post("/graphql", json={"query": document}, headers=accept)
        assert refused.status_code == 400, (document, refused.text)
        assert refused.headers["content-type"].startswith(GRAPHQL_RESPONSE)
        body = refused.json()
        assert "data" not in body, "a request error has no data entry"
        assert body["errors"][0]["extensions"]["code"] == code

    bad_body = await _post_raw(anonymous_client, b"[]", **accept)
    assert bad_body.status_code == 400
    assert bad_body.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert bad_body.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"

    field_error = await anonymous_client.post(
        "/graphql",
        json={"query": '{ alliances { totalCount } node(id: "not-an-id!") { id } }'},
        headers=accept,
    )
    assert field_error.status_code == 200, "data is there: the request itself was fine"
    assert field_error.json()["data"]["alliances"]["totalCount"] >= 1


async def test_application_json_keeps_200_for_graphql_errors(
    anonymous_client: httpx.AsyncClient,
) -> None:
    for accept in ["application/json", "*/*", f"application/json, {GRAPHQL_RESPONSE};q=0.5"]:
        response = await anonymous_client.post(
            "/graphql", json={"query": "{ alliances( "}, headers={"accept": accept}
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
