"""Issuers' signing keys: Ed25519 keys made with joserfc, the private half sealed under the
key-encryption secret before it is stored, the public half published as a JWK.

The newest key of an organization that is not retired signs. `rotateIssuerKey` retires it and
makes a new one; retired keys stay in the JWKS, so every credential signed before stays
verifiable. Nothing here returns a private key to a caller: `signing_key` opens one for the
signer only, and a row is never handed to the API with its `private_key` column (`PUBLIC`)."""

import base64
import os
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc.jwk import OKPKey
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of, utcnow
from resolvers.errors import ApiError
from resolvers.ids import encode_id
from resolvers.viewer import Viewer
from resolvers.write_scope import check_arguments
from settings import Settings

__all__ = [
    "ALGORITHM",
    "KEY",
    "PUBLIC",
    "KeyUnavailable",
    "NotConfigured",
    "current_key",
    "eddsa",
    "issuer_url",
    "published_keys",
    "rotate_key",
    "seal",
    "signing_key",
    "unseal",
]

KEY = table_of(t.IssuerKey)
PUBLIC = [c for c in KEY.c if c.name != "private_key"]
"""Every column but the sealed private key: what reads outside the signer select."""

ALGORITHM = "EdDSA"
"""JWS `alg` of the credentials: EdDSA over Ed25519, as Open Badges 3.0 and VC-JOSE-COSE
implementations expect. RFC 9864 deprecates the polymorphic name for `Ed25519`; the verifier
accepts both, and `eddsa()` silences joserfc's warning about it."""

MIN_SECRET = 32
_SEALED = "v1."


class NotConfigured(ApiError):
    code = "CREDENTIALS_NOT_CONFIGURED"


class KeyUnavailable(ApiError):
    code = "KEY_UNAVAILABLE"


@contextmanager
def eddsa() -> Iterator[None]:
    """joserfc warns that `EdDSA` is deprecated (RFC 9864) on every use; we keep it on
    purpose (see `ALGORITHM`)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="EdDSA is deprecated")
        yield


def issuer_url(settings: Settings, organization_id: int) -> str:
    base = settings.credentials_base_url.rstrip("/")
    return f"{base}/credentials/issuers/{encode_id('Organization', organization_id)}"


def _kek(settings: Settings) -> AESGCM:
    secret = settings.credentials_key_secret
    if len(secret) < MIN_SECRET:
        raise NotConfigured(
            "issuing credentials needs PARTNERGRAPH_CREDENTIALS_KEY_SECRET (32 characters or "
            "more) on the server"
        )
    derived = HKDF(
        algorithm=SHA256(), length=32, salt=None, info=b"partnergraph issuer key v1"
    ).derive(secret.encode())
    return AESGCM(derived)


def seal(settings: Settings, kid: str, raw: bytes) -> str:
    """The raw private key encrypted under the secret, bound to its `kid`."""
    nonce = os.urandom(12)
    sealed = nonce + _kek(settings).encrypt(nonce, raw, kid.encode())
    return _SEALED + base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def unseal(settings: Settings, kid: str, sealed: str) -> bytes:
    if not sealed.startswith(_SEALED):
        raise KeyUnavailable("the signing key is stored in an unknown form")
    body = sealed.removeprefix(_SEALED)
    data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        return _kek(settings).decrypt(data[:12], data[12:], kid.encode())
    except InvalidTag:
        raise KeyUnavailable(
            "the issuer's signing key cannot be opened with the configured secret (it was "
            "changed?): rotate the issuer's key to sign again"
        ) from None


def _raw_private(key: OKPKey) -> bytes:
    d = str(key.as_dict(private=True)["d"])
    return base64.urlsafe_b64decode(d + "=" * (-len(d) % 4))


def _public_jwk(key: OKPKey, kid: str) -> dict[str, str]:
    public = {k: str(v) for k, v in key.as_dict(private=False).items()}
    return {**public, "kid": kid, "alg": ALGORITHM, "use": "sig"}


async def _make_key(
    connection: AsyncConnection, settings: Settings, organization_id: int, actor: str
) -> tuple[RowMapping, OKPKey]:
    _kek(settings)  # refuse before making anything
    key = OKPKey.generate_key("Ed25519", private=True)
    kid = f"{issuer_url(settings, organization_id)}#{key.thumbprint()}"
    row = (
        (
            await connection.execute(
                sa.insert(KEY)
                .values(
                    organization_id=organization_id,
                    kid=kid,
                    public_jwk=_public_jwk(key, kid),
                    private_key=seal(settings, kid, _raw_private(key)),
                    created_at=utcnow(),
                    created_by=actor,
                    updated_at=utcnow(),
                )
                .returning(*PUBLIC)
            )
        )
        .mappings()
        .one()
    )
    return row, key


async def _current_row(
    connection: AsyncConnection, organization_id: int, *, lock: bool
) -> sa.RowMapping | None:
    """The organization's newest unretired key row, locked until the transaction ends if asked."""
    query = (
        sa.select(KEY)
        .where(KEY.c.organization_id == organization_id, KEY.c.retired_at.is_(None))
        .order_by(KEY.c.id.desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update()
    return (await connection.execute(query)).mappings().first()


async def signing_key(
    connection: AsyncConnection, settings: Settings, organization_id: int, actor: str
) -> tuple[Mapping[str, Any], OKPKey]:
    """The organization's current key (made on first use), held until the transaction ends:
    issuing for one issuer is serialized, which keeps its status list indexes in order."""
    _kek(settings)
    found = await _current_row(connection, organization_id, lock=True)
    if found is None:
        made, key = await _make_key(connection, settings, organization_id, actor)
        return dict(made), key
    return _opened(settings, found)


async def current_key(
    connection: AsyncConnection, settings: Settings, organization_id: int
) -> tuple[Mapping[str, Any], OKPKey]:
    """The organization's current key, for signing what it publishes (its status lists): read
    without a lock and never made here; `KeyUnavailable` when it has none."""
    _kek(settings)
    found = await _current_row(connection, organization_id, lock=False)
    if found is None:
        raise KeyUnavailable("the issuer has no signing key (it has issued nothing)")
    return _opened(settings, found)


def _opened(settings: Settings, found: RowMapping) -> tuple[Mapping[str, Any], OKPKey]:
    raw = unseal(settings, found["kid"], found["private_key"])
    jwk: dict[str, Any] = {**found["public_jwk"], "d": _b64(raw)}
    for name in ("kid", "alg", "use"):
        jwk.pop(name, None)
    public = {c.name: found[c.name] for c in PUBLIC}
    return public, OKPKey.import_key(jwk)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def rotate_key(
    connection: AsyncConnection, viewer: Viewer, settings: Settings, *, organization_id: int
) -> RowMapping:
    """Retires the organization's current key and makes a new one (an editor of the
    organization); the retired key stays published."""
    await check_arguments(connection, viewer, "rotateIssuerKey", {"organization": organization_id})
    _kek(settings)
    await connection.execute(
        sa.select(KEY.c.id)
        .where(KEY.c.organization_id == organization_id, KEY.c.retired_at.is_(None))
        .with_for_update()
    )
    await connection.execute(
        sa.update(KEY)
        .where(KEY.c.organization_id == organization_id, KEY.c.retired_at.is_(None))
        .values(retired_at=utcnow(), updated_at=utcnow())
    )
    row, _ = await _make_key(connection, settings, organization_id, viewer.label)
    return row


async def published_keys(connection: AsyncConnection, organization_id: int) -> list[RowMapping]:
    """Every key of the organization, current first, without the private halves."""
    rows = await connection.execute(
        sa.select(*PUBLIC)
        .where(KEY.c.organization_id == organization_id)
        .order_by(KEY.c.retired_at.is_not(None), KEY.c.id.desc())
    )
    return list(rows.mappings().all())
