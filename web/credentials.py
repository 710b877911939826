"""The published side of Open Badges credentials, at the stable URLs the credentials name
(docs/credentials.md). All public, as a verifier anywhere must read them without a token:

- `GET /credentials/issuers/<organization ID>`: the issuer's Open Badges `Profile`;
- `GET /credentials/issuers/<organization ID>/jwks.json`: its public keys (current and
  retired) as a JWK Set;
- `GET /credentials/issuers/<organization ID>/did.json`: its `did:web` document, the same keys
  as verification methods (`resolvers.issuer_did`);
- `GET /credentials/status/<organization ID>.<number>`: a `BitstringStatusListCredential`
  (W3C Bitstring Status List v1.0, purpose `revocation`), signed by the issuer as a VC-JWT
  (`application/vc+jwt`, like its credentials);
- `POST /credentials/verify`: a VC-JWT (the body, or JSON `{"credential": "<jwt>"}`) checked
  (`resolvers.credential_verify`), answered `{"valid", "checks", "errors", "credential"}`.
"""

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db import tables as t
from db.base import table_of
from resolvers import badges
from resolvers.credential_keys import published_keys
from resolvers.credential_verify import MAX_TOKEN, verify
from resolvers.credentials import parse_list_id, signed_status_list
from resolvers.errors import ApiError, BadUserInput, InvalidId, NotFound
from resolvers.ids import decode_id_of
from resolvers.issuer_did import did_document
from settings import Settings
from web.access import refusal

__all__ = ["credential_routes"]

ORGANIZATION = table_of(t.Organization)
PUBLISHED = "public, max-age=300"
"""Keys and profiles change rarely; a status list's answer may be five minutes old."""


def _json(body: dict[str, Any], media: str = "application/json") -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, media_type=media, headers={"Cache-Control": PUBLISHED})


class CredentialEndpoints:
    def __init__(self, *, engine: AsyncEngine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    async def _organization(self, request: Request) -> Any:
        try:
            key = decode_id_of(request.path_params["id"], "Organization")
        except InvalidId:
            raise NotFound("no such issuer") from None
        async with self.engine.connect() as connection:
            row = (
                (await connection.execute(sa.select(ORGANIZATION).where(ORGANIZATION.c.id == key)))
                .mappings()
                .first()
            )
            if row is None:
                raise NotFound("no such issuer")
            found = await published_keys(connection, key)
        return row, found

    async def profile(self, request: Request) -> Response:
        try:
            row, _ = await self._organization(request)
        except ApiError as error:
            return refusal(error)
        return _json(badges.issuer_profile(self.settings, row), "application/ld+json")

    async def jwks(self, request: Request) -> Response:
        try:
            _, found = await self._organization(request)
        except ApiError as error:
            return refusal(error)
        return _json(
            {"keys": [dict(row["public_jwk"]) for row in found]}, "application/jwk-set+json"
        )

    async def did(self, request: Request) -> Response:
        try:
            row, found = await self._organization(request)
        except ApiError as error:
            return refusal(error)
        return _json(did_document(self.settings, row["id"], found), "application/did+ld+json")

    async def status(self, request: Request) -> Response:
        try:
            issuer, number = parse_list_id(request.path_params["list"])
            async with self.engine.connect() as connection:
                token = await signed_status_list(connection, self.settings, issuer, number)
        except ApiError as error:
            return refusal(error)
        return Response(
            token, media_type="application/vc+jwt", headers={"Cache-Control": "public, max-age=60"}
        )

    async def verify(self, request: Request) -> Response:
        try:
            token = await self._token(request)
        except ApiError as error:
            return refusal(error)
        async with self.engine.connect() as connection:
            found = await verify(connection, self.settings, token)
        return JSONResponse(found.as_json(), headers={"Cache-Control": "no-store"})

    async def _token(self, request: Request) -> str:
        body = await request.body()
        if len(body) > MAX_TOKEN:
            raise BadUserInput(f"a credential is at most {MAX_TOKEN} bytes", field="credential")
        text = body.decode("utf-8", "replace").strip()
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                given = json.loads(text)
            except ValueError:
                raise BadUserInput("the body is not JSON", field="credential") from None
            value = given.get("credential") if isinstance(given, dict) else None
            if not isinstance(value, str):
                raise BadUserInput(
                    'send {"credential": "<VC-JWT>"} or the VC-JWT itself', field="credential"
                )
            text = value.strip()
        if not text:
            raise BadUserInput("send the VC-JWT to verify", field="credential")
        return text


def credential_routes(*, engine: AsyncEngine, settings: Settings) -> list[Route]:
    endpoints = CredentialEndpoints(engine=engine, settings=settings)
    return [
        Route("/credentials/issuers/{id}", endpoints.profile, methods=["GET"]),
        Route("/credentials/issuers/{id}/jwks.json", endpoints.jwks, methods=["GET"]),
        Route("/credentials/issuers/{id}/did.json", endpoints.did, methods=["GET"]),
        Route("/credentials/status/{list}", endpoints.status, methods=["GET"]),
        Route("/credentials/verify", endpoints.verify, methods=["POST"]),
    ]
