"""Open Badges 3.0 credentials through the API: issued for a completion or an approved
recognition, checked here with `cryptography` directly against the published JWKS (not with
joserfc, which signs them), verified and refused by `POST /credentials/verify`, revoked through
the status list, and still verifiable after the issuer's key is rotated. No response ever
carries a private key."""

import base64
import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncEngine

from db import tables as t
from db.base import table_of
from db.enums import TokenRole
from resolvers.credential_verify import read_status_list
from resolvers.ids import decode_id, decode_id_of
from settings import Settings
from tests.conftest import TEST_SETTINGS, api_client, make_token
from tests.graphql import query
from tests.resolvers.credit_callers import Bank, errors, mutate

pytestmark = pytest.mark.anyio

SELECTION = (
    "credential { id version credentialUri achievementName credits statusIndex "
    "statusListCredential validFrom validUntil revokedAt jwt issuer { name } "
    "learner { name } }"
)
BASE = "http://127.0.0.1:8000"


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _path(url: str) -> str:
    assert url.startswith(BASE), url
    return url.removeprefix(BASE)


async def _complete(bank: Bank) -> str:
    """The demo learner's recorded completion of the micro-major, with ISCED-F and EQF codes
    on the program."""
    ids = bank.ids
    program = await query(
        bank.admin,
        "query ($p: ID!) { node(id: $p) { ... on Program { version } } }",
        {"p": ids["micro"]},
    )
    updated = await mutate(
        bank.admin,
        "updateProgram",
        {
            "id": ids["micro"],
            "version": program["node"]["version"],
            "iscedFCode": "0114",
            "eqfLevel": 5,
            "credits": "4",
        },
        "program { id }",
    )
    assert errors(updated) == []
    recorded = await mutate(
        bank.lle,
        "recordProgramCompletion",
        {"program": ids["micro"], "learner": ids["learner"]},
        "completion { id }",
    )
    assert errors(recorded) == []
    return str(recorded["completion"]["id"])


async def _issue(client: httpx.AsyncClient, **given: Any) -> dict[str, Any]:
    return await mutate(client, "issueCredential", given, SELECTION)


async def _jwks(client: httpx.AsyncClient, kid: str) -> dict[str, Any]:
    issuer = kid.partition("#")[0]
    response = await client.get(_path(issuer) + "/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jwk-set+json")
    keys: dict[str, Any] = response.json()
    return keys


def independently_verified(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """The payload of `token` once its Ed25519 signature checks against the JWKS key its
    header names, with `cryptography` alone (`InvalidSignature` otherwise)."""
    head, body, signature = token.split(".")
    header = json.loads(_b64(head))
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    [jwk] = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519") and "d" not in jwk
    public = Ed25519PublicKey.from_public_bytes(_b64(jwk["x"]))
    public.verify(_b64(signature), f"{head}.{body}".encode())
    payload: dict[str, Any] = json.loads(_b64(body))
    return payload


async def _verify(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await client.post("/credentials/verify", json={"credential": token})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _tampered(token: str, change: dict[str, Any]) -> str:
    head, body, signature = token.split(".")
    payload = {**json.loads(_b64(body)), **change}
    return f"{head}.{_b64e(json.dumps(payload).encode())}.{signature}"


async def test_a_completion_is_issued_as_an_open_badge_that_verifies_independently(
    bank: Bank, anonymous_client: httpx.AsyncClient
) -> None:
    completion = await _complete(bank)
    issued = await _issue(bank.lle, completion=completion)
    assert errors(issued) == []
    credential = issued["credential"]
    assert credential["issuer"]["name"] == "School of Lifelong Education"
    assert credential["credits"] == "4.00" and credential["revokedAt"] is None
    token = credential["jwt"]
    kid = json.loads(_b64(token.split(".")[0]))["kid"]
    payload = independently_verified(token, await _jwks(anonymous_client, kid))
    assert payload["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["id"] == payload["jti"] == credential["credentialUri"]
    assert payload["issuer"]["type"] == ["Profile"]
    assert payload["iss"] == payload["issuer"]["id"] == kid.partition("#")[0]
    subject = payload["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and subject["creditsEarned"] == 4.0
    assert subject["identifier"][0]["hashed"] is True
    assert "Test" not in json.dumps(subject) and "learner" not in subject.get("id", "")
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["creditsAvailable"] == 4.0
    assert "required courses" in achievement["criteria"]["narrative"]
    assert {(a["targetFramework"], a["targetCode"]) for a in achievement["alignment"]} == {
        ("ISCED-F 2013", "0114"),
        ("European Qualifications Framework", "5"),
    }
    status = payload["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == credential["statusListCredential"]
    assert int(status["statusListIndex"]) == credential["statusIndex"]
    profile = await anonymous_client.get(_path(payload["issuer"]["id"]))
    assert profile.status_code == 200
    assert profile.json()["name"] == "School of Lifelong Education"
    assert profile.json()["type"] == ["Profile"]
    verified = await _verify(anonymous_client, token)
    assert verified["valid"] is True, verified
    assert verified["checks"] == {
        "issuerKey": "ok",
        "signature": "ok",
        "validity": "ok",
        "revocation": "ok",
    }
    again = await _issue(bank.lle, completion=completion)
    assert errors(again) == [("ALREADY_ISSUED", "completion")]
    listed = await query(
        bank.lle,
        "query ($l: ID!) { node(id: $l) { ... on Learner { credentials { totalCount "
        "nodes { credentialUri completion { id } } } } } }",
        {"l": bank.ids["learner"]},
    )
    assert listed["node"]["credentials"]["totalCount"] == 1


async def test_a_tampered_credential_is_refused(
    bank: Bank, anonymous_client: httpx.AsyncClient
) -> None:
    issued = await _issue(bank.lle, completion=await _complete(bank))
    token = issued["credential"]["jwt"]
    kid = json.loads(_b64(token.split(".")[0]))["kid"]
    forged = _tampered(token, {"name": "Doctor of everything"})
    with pytest.raises(InvalidSignature):
        independently_verified(forged, await _jwks(anonymous_client, kid))
    verified = await _verify(anonymous_client, forged)
    assert verified["valid"] is False
    assert verified["checks"]["signature"] == "failed"
    assert verified["credential"] is None
    garbage = await anonymous_client.post(
        "/credentials/verify", content="not.a.jwt", headers={"content-type": "text/plain"}
    )
    assert garbage.json()["valid"] is False
    unknown = _tampered(token, {})
    head = json.loads(_b64(unknown.split(".")[0]))
    head["kid"] = "https://elsewhere.example/issuers/1#key"
    elsewhere = _b64e(json.dumps(head).encode()) + "." + ".".join(unknown.split(".")[1:])
    answer = await _verify(anonymous_client, elsewhere)
    assert answer["checks"]["issuerKey"] == "failed" and answer["valid"] is False
    empty = await anonymous_client.post("/credentials/verify", json={})
    assert empty.status_code == 400


async def test_a_revoked_credential_shows_revoked_in_its_signed_status_list(
    bank: Bank, anonymous_client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    issued = (await _issue(bank.lle, completion=await _complete(bank)))["credential"]
    refused = await mutate(
        bank.tsinghua,
        "revokeCredential",
        {"id": issued["id"], "version": issued["version"], "reason": "no"},
        "credential { id }",
    )
    assert errors(refused) == [("NOT_FOUND", "id")]
    revoked = await mutate(
        bank.lle,
        "revokeCredential",
        {"id": issued["id"], "version": issued["version"], "reason": "issued in error"},
        "credential { revokedAt revocationReason }",
    )
    assert errors(revoked) == []
    assert revoked["credential"]["revocationReason"] == "issued in error"
    listed = await anonymous_client.get(_path(issued["statusListCredential"]))
    assert listed.status_code == 200
    assert listed.headers["content-type"].startswith("application/vc+jwt")
    list_kid = json.loads(_b64(listed.text.split(".")[0]))["kid"]
    document = independently_verified(listed.text, await _jwks(anonymous_client, list_kid))
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["id"] == issued["statusListCredential"]
    assert document["issuer"] == list_kid.partition("#")[0]
    subject = document["credentialSubject"]
    assert subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u")
    bits = gzip.decompress(_b64(subject["encodedList"][1:]))
    assert len(bits) >= 16 * 1024
    index = issued["statusIndex"]
    assert bits[index // 8] & (0x80 >> (index % 8))
    assert sum(bin(b).count("1") for b in bits) == 1
    verified = await _verify(anonymous_client, issued["jwt"])
    assert verified["valid"] is False
    assert verified["checks"]["revocation"] == "failed"
    assert verified["checks"]["signature"] == "ok"
    assert "revoked" in " ".join(verified["errors"])
    reissued = await _issue(bank.lle, completion=await _completion_of(bank))
    assert errors(reissued) == []
    assert reissued["credential"]["statusIndex"] == index + 1
    forged = _tampered(listed.text, {"credentialSubject": {**subject, "encodedList": "u"}})
    async with demo_engine.connect() as connection:
        read = await read_status_list(
            connection,
            TEST_SETTINGS,
            listed.text,
            issuer=decode_id_of(bank.ids["lle"], "Organization"),
            url=issued["statusListCredential"],
        )
        refused_list = await read_status_list(
            connection,
            TEST_SETTINGS,
            forged,
            issuer=decode_id_of(bank.ids["lle"], "Organization"),
            url=issued["statusListCredential"],
        )
    assert read == bits
    assert isinstance(refused_list, str) and "signature" in refused_list


async def _completion_of(bank: Bank) -> str:
    data = await query(
        bank.lle,
        "query ($l: ID!) { node(id: $l) { ... on Learner { completions { nodes { id } } } } }",
        {"l": bank.ids["learner"]},
    )
    return str(data["node"]["completions"]["nodes"][0]["id"])


async def _decide(bank: Bank, engine: AsyncEngine, approve: bool) -> dict[str, Any]:
    """The pending demo application decided by Jiangsu Open University (its agreement made
    active first, as the recognition tests do: the demo's is under negotiation)."""
    agreements = table_of(t.Agreement)
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(agreements)
            .where(agreements.c.id == decode_id(bank.ids["agreement"])[1])
            .values(status="active")
        )
    decided = await mutate(
        bank.jou,
        "decideRecognitionApplication",
        {
            "id": bank.ids["pending"],
            "version": int(bank.ids["pending version"]),
            "approve": approve,
            "reason": "checked",
        },
        "application { status creditsGranted toOrganization { name } }",
    )
    assert errors(decided) == [], decided
    return decided


async def test_an_approved_recognition_is_credited_by_the_deciding_organization(
    bank: Bank, anonymous_client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    ids = bank.ids
    undecided = await _issue(bank.jou, recognitionApplication=ids["pending"])
    assert errors(undecided) == [("NOT_DECIDED", "recognitionApplication")]
    decided = await _decide(bank, demo_engine, approve=True)
    wrong = await _issue(bank.lle, recognitionApplication=ids["pending"], issuer=ids["lle"])
    assert errors(wrong) == [("NOT_ISSUER", "issuer")]
    issued = await _issue(bank.jou, recognitionApplication=ids["pending"])
    assert errors(issued) == []
    credential = issued["credential"]
    assert credential["issuer"]["name"] == decided["application"]["toOrganization"]["name"]
    assert credential["credits"] == decided["application"]["creditsGranted"]
    token = credential["jwt"]
    kid = json.loads(_b64(token.split(".")[0]))["kid"]
    payload = independently_verified(token, await _jwks(anonymous_client, kid))
    achievement = payload["credentialSubject"]["achievement"]
    assert achievement["name"].startswith("Credits recognised by")
    assert "recognised by" in achievement["criteria"]["narrative"]
    assert (await _verify(anonymous_client, token))["valid"] is True


async def test_a_rejected_application_and_an_outsider_are_refused(
    bank: Bank, demo_engine: AsyncEngine
) -> None:
    ids = bank.ids
    await _decide(bank, demo_engine, approve=False)
    refused = await _issue(bank.jou, recognitionApplication=ids["pending"])
    assert errors(refused) == [("NOT_APPROVED", "recognitionApplication")]
    completion = await _complete(bank)
    outsider = await _issue(bank.tsinghua, completion=completion)
    assert errors(outsider) == [("NOT_FOUND", "completion")]
    both = await _issue(bank.lle, completion=completion, recognitionApplication=ids["pending"])
    assert errors(both)[0][0] == "BAD_USER_INPUT"
    neither = await _issue(bank.lle)
    assert errors(neither) == [("BAD_USER_INPUT", "completion")]
    past = await _issue(bank.lle, completion=completion, validUntil="2020-01-01T00:00:00Z")
    assert errors(past) == [("BAD_USER_INPUT", "validUntil")]


async def _did_matches_jwks(
    client: httpx.AsyncClient, issuer: str, jwks: dict[str, Any]
) -> dict[str, Any]:
    """The issuer's did:web document: at `<issuer>/did.json`, its DID the did:web of that URL,
    listing the JWKS's keys in its order, each by the same thumbprint fragment."""
    response = await client.get(_path(issuer) + "/did.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/did+ld+json")
    document: dict[str, Any] = response.json()
    parts = urlsplit(issuer)
    did = "did:web:" + quote(parts.netloc, safe="") + parts.path.replace("/", ":")
    assert document["id"] == did and document["alsoKnownAs"] == [issuer]
    methods = document["verificationMethod"]
    assert [m["id"] for m in methods] == [
        did + "#" + k["kid"].partition("#")[2] for k in jwks["keys"]
    ]
    for method, jwk in zip(methods, jwks["keys"], strict=True):
        assert method["controller"] == did and method["type"] == "JsonWebKey"
        assert {**method["publicKeyJwk"], "kid": jwk["kid"], "use": jwk["use"]} == jwk
    assert document["assertionMethod"] == [m["id"] for m in methods]
    return document


async def test_rotation_keeps_old_credentials_verifiable_and_keys_stay_private(
    bank: Bank, anonymous_client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    old = (await _issue(bank.lle, completion=await _complete(bank)))["credential"]
    old_kid = json.loads(_b64(old["jwt"].split(".")[0]))["kid"]
    refused = await mutate(
        bank.tsinghua, "rotateIssuerKey", {"organization": bank.ids["lle"]}, "key { kid }"
    )
    assert errors(refused) == [("FORBIDDEN", "organization")]
    rotated = await mutate(
        bank.lle,
        "rotateIssuerKey",
        {"organization": bank.ids["lle"]},
        "key { kid publicJwk createdAt retiredAt }",
    )
    assert errors(rotated) == []
    key = rotated["key"]
    assert key["kid"] != old_kid and key["retiredAt"] is None
    assert set(key["publicJwk"]) == {"kty", "crv", "x", "kid", "alg", "use"}
    jwks = await _jwks(anonymous_client, old_kid)
    assert [k["kid"] for k in jwks["keys"]] == [key["kid"], old_kid]
    assert all("d" not in k for k in jwks["keys"])
    independently_verified(old["jwt"], jwks)
    assert (await _verify(anonymous_client, old["jwt"]))["valid"] is True
    revoked = await mutate(
        bank.lle,
        "revokeCredential",
        {"id": old["id"], "version": old["version"], "reason": "rotated"},
        "credential { id }",
    )
    assert errors(revoked) == []
    new = (await _issue(bank.lle, completion=await _completion_of(bank)))["credential"]
    assert json.loads(_b64(new["jwt"].split(".")[0]))["kid"] == key["kid"]
    independently_verified(new["jwt"], jwks)
    listed = (await anonymous_client.get(_path(new["statusListCredential"]))).text
    assert json.loads(_b64(listed.split(".")[0]))["kid"] == key["kid"]
    independently_verified(listed, jwks)
    await _did_matches_jwks(anonymous_client, old_kid.partition("#")[0], jwks)
    async with demo_engine.connect() as connection:
        sealed = (
            (await connection.execute(sa.select(table_of(t.IssuerKey).c.private_key)))
            .scalars()
            .all()
        )
    assert len(sealed) == 2 and all(s.startswith("v1.") for s in sealed)
    seen = json.dumps([old, new, rotated, jwks])
    seen += (await anonymous_client.get(_path(old_kid.partition("#")[0]))).text
    assert not any(s.removeprefix("v1.") in seen for s in sealed)
    assert '"d"' not in seen


async def test_expiry_and_a_server_without_a_key_secret(
    bank: Bank,
    anonymous_client: httpx.AsyncClient,
    demo_engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    completion = await _complete(bank)
    token = await make_token(
        demo_engine, TokenRole.EDITOR, organization="School of Lifelong Education"
    )
    async with api_client(demo_engine, token, Settings(rate_limit_per_minute=0)) as bare:
        refused = await _issue(bare, completion=completion)
    assert errors(refused) == [("CREDENTIALS_NOT_CONFIGURED", None)]
    until = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    issued = await _issue(bank.lle, completion=completion, validUntil=until.isoformat())
    assert errors(issued) == []
    jwt = issued["credential"]["jwt"]
    payload = json.loads(_b64(jwt.split(".")[1]))
    assert payload["validUntil"] == until.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert payload["exp"] == int(until.timestamp())
    assert (await _verify(anonymous_client, jwt))["valid"] is True
    later = until + timedelta(days=1)
    monkeypatch.setattr("resolvers.credential_verify.utcnow", lambda: later)
    expired = await _verify(anonymous_client, jwt)
    assert expired["valid"] is False
    assert expired["checks"]["validity"] == "failed"
    assert expired["errors"] == ["the credential has expired"]
