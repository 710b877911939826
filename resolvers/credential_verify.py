"""Verifying a VC-JWT (`POST /credentials/verify`): valid, or invalid with the reasons.

Four checks, each `ok`, `failed` or `skipped` (when an earlier one makes it moot):

- `issuerKey`: the header's `kid` is a key one of our issuers has published (current or
  retired), and the credential's `issuer` is that key's organization;
- `signature`: the JWS verifies under that key (EdDSA over Ed25519) and the payload is an
  `OpenBadgeCredential`;
- `validity`: now is within `validFrom`..`validUntil` (and `nbf`..`exp` where present);
- `revocation`: the issuer has a record of the credential, and its bit in its issuer's status
  list is not set, read from the list as it is published: the signed
  `BitstringStatusListCredential` (`resolvers.credentials.signed_status_list`), whose signature
  is checked under the issuer's published key (its `kid`) before its bits are read.

Only credentials of this server's issuers can be verified: a key from elsewhere is an unknown
key (we fetch nothing from the internet)."""

import base64
import binascii
import gzip
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from sqlalchemy.ext.asyncio import AsyncConnection

from db.base import utcnow
from resolvers.credential_keys import KEY, PUBLIC, eddsa, issuer_url
from resolvers.credentials import CREDENTIAL, parse_list_id, signed_status_list
from resolvers.errors import ApiError, NotFound
from settings import Settings

__all__ = ["MAX_TOKEN", "Verification", "read_status_list", "verify"]

MAX_TOKEN = 64_000
ALGORITHMS = ["EdDSA", "Ed25519"]
OK, FAILED, SKIPPED = "ok", "failed", "skipped"
CHECKS = ("issuerKey", "signature", "validity", "revocation")


@dataclass
class Verification:
    checks: dict[str, str] = field(default_factory=lambda: dict.fromkeys(CHECKS, SKIPPED))
    errors: list[str] = field(default_factory=list)
    credential: dict[str, Any] | None = None

    @property
    def valid(self) -> bool:
        return all(value == OK for value in self.checks.values())

    def fail(self, check: str, reason: str) -> "Verification":
        self.checks[check] = FAILED
        self.errors.append(reason)
        return self

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "checks": self.checks,
            "errors": self.errors,
            "credential": self.credential,
        }


def _header(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        raw = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4))
        header = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return header if isinstance(header, dict) else None


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def _issuer_id(credential: dict[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


async def verify(
    connection: AsyncConnection, settings: Settings, token: str, *, now: datetime | None = None
) -> Verification:
    found = Verification()
    token = token.strip()
    header = _header(token) if len(token) <= MAX_TOKEN else None
    if header is None:
        return found.fail("signature", "not a compact JWS (header.payload.signature)")
    if header.get("alg") not in ALGORITHMS:
        return found.fail("signature", f"algorithm {header.get('alg')!r} is not EdDSA")
    kid = header.get("kid")
    key = None
    if isinstance(kid, str):
        key = (
            (await connection.execute(sa.select(*PUBLIC).where(KEY.c.kid == kid)))
            .mappings()
            .first()
        )
    if key is None:
        return found.fail("issuerKey", "the signing key (kid) is not one of a known issuer")
    try:
        with eddsa():
            result = jws.deserialize_compact(
                token, OKPKey.import_key(dict(key["public_jwk"])), algorithms=ALGORITHMS
            )
        credential = json.loads(result.payload)
    except (JoseError, ValueError):
        found.checks["issuerKey"] = OK
        return found.fail("signature", "the signature does not verify under the issuer's key")
    found.credential = credential if isinstance(credential, dict) else None
    if found.credential is None or "OpenBadgeCredential" not in (credential.get("type") or []):
        return found.fail("signature", "the payload is not an OpenBadgeCredential")
    found.checks["signature"] = OK
    if _issuer_id(credential) != issuer_url(settings, key["organization_id"]):
        found.fail("issuerKey", "the credential's issuer is not the key's organization")
    else:
        found.checks["issuerKey"] = OK
    _check_validity(found, credential, now or utcnow())
    await _check_status(connection, settings, found, credential, key["organization_id"])
    return found


def _check_validity(found: Verification, credential: dict[str, Any], now: datetime) -> None:
    start, end = _instant(credential.get("validFrom")), None
    if "validUntil" in credential:
        end = _instant(credential["validUntil"])
        if end is None:
            found.fail("validity", "validUntil is not a date-time")
            return
    if start is None:
        found.fail("validity", "validFrom is missing or not a date-time")
    elif now < start or ("nbf" in credential and now.timestamp() < credential["nbf"]):
        found.fail("validity", "the credential is not valid yet")
    elif (end is not None and now >= end) or (
        "exp" in credential and now.timestamp() >= credential["exp"]
    ):
        found.fail("validity", "the credential has expired")
    else:
        found.checks["validity"] = OK


async def _check_status(
    connection: AsyncConnection,
    settings: Settings,
    found: Verification,
    credential: dict[str, Any],
    issuer: int,
) -> None:
    status = credential.get("credentialStatus")
    if not isinstance(status, dict) or status.get("statusPurpose") != "revocation":
        found.fail("revocation", "the credential has no revocation status entry")
        return
    url = str(status.get("statusListCredential", ""))
    try:
        list_issuer, number = parse_list_id(url.rpartition("/credentials/status/")[2])
        index = int(str(status.get("statusListIndex")))
    except (NotFound, ValueError):
        found.fail("revocation", "the status list is not one of ours")
        return
    if list_issuer != issuer:
        found.fail("revocation", "the status list is not the issuer's")
        return
    recorded = (
        await connection.execute(
            sa.select(CREDENTIAL.c.id).where(
                CREDENTIAL.c.issuer_id == issuer,
                CREDENTIAL.c.status_list == number,
                CREDENTIAL.c.status_index == index,
                CREDENTIAL.c.credential_uri == credential.get("id"),
            )
        )
    ).first()
    if recorded is None:
        found.fail("revocation", "the issuer has no record of this credential")
        return
    try:
        token = await signed_status_list(connection, settings, issuer, number)
    except ApiError as error:
        found.fail("revocation", f"the status list cannot be read: {error.message}")
        return
    bits = await read_status_list(connection, settings, token, issuer=issuer, url=url)
    if isinstance(bits, str):
        found.fail("revocation", bits)
    elif not 0 <= index < len(bits) * 8:
        found.fail("revocation", "the status index is outside the status list")
    elif bits[index // 8] & (0x80 >> (index % 8)):
        found.fail("revocation", "the credential has been revoked")
    else:
        found.checks["revocation"] = OK


async def read_status_list(
    connection: AsyncConnection, settings: Settings, token: str, *, issuer: int, url: str
) -> bytes | str:
    """The bits of a signed status list, or why it cannot be trusted: the JWS verifies under a
    published key of `issuer` (by its `kid`), and the payload is that issuer's revocation
    `BitstringStatusListCredential` at `url`."""
    header = _header(token)
    if header is None or header.get("alg") not in ALGORITHMS:
        return "the status list is not a signed VC-JWT"
    key = (
        (
            await connection.execute(
                sa.select(*PUBLIC).where(
                    KEY.c.kid == str(header.get("kid")), KEY.c.organization_id == issuer
                )
            )
        )
        .mappings()
        .first()
    )
    if key is None:
        return "the status list is not signed with a key of the issuer"
    try:
        with eddsa():
            result = jws.deserialize_compact(
                token, OKPKey.import_key(dict(key["public_jwk"])), algorithms=ALGORITHMS
            )
        document = json.loads(result.payload)
        subject = document["credentialSubject"]
        encoded = str(subject["encodedList"])
    except (JoseError, ValueError, KeyError, TypeError):
        return "the status list's signature does not verify under the issuer's key"
    if (
        "BitstringStatusListCredential" not in (document.get("type") or [])
        or _issuer_id(document) != issuer_url(settings, issuer)
        or document.get("id") != url
        or subject.get("statusPurpose") != "revocation"
        or not encoded.startswith("u")
    ):
        return "the status list is not the issuer's revocation list the credential names"
    try:
        body = encoded[1:]
        return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, OSError, EOFError):
        return "the status list's bitstring cannot be decoded"
