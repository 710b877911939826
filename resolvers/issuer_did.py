"""An issuer's `did:web` identifier and its DID document: the same public keys as its JWK Set
(`jwks.json`), current first, for verifiers that resolve DIDs rather than read a JWKS.

did:web maps `did:web:<host>[%3A<port>]:<path segments joined by ':'>` to
`https://<host>[:<port>]/<path>/did.json` (W3C CCG did:web method, "Read (Resolve)"), so the
issuer at `<base>/credentials/issuers/<ID>` is `did:web:<host>:credentials:issuers:<ID>`, its
document at `<base>/credentials/issuers/<ID>/did.json`. A global ID is base64url without
padding: only characters a DID segment allows. The document is only resolvable as did:web when
the base URL is https, as the method requires; over http (a local server) it is served the same.

Each key is a `JsonWebKey` verification method whose fragment is the key's JWK thumbprint, the
same fragment as its `kid` in the JWKS and in the credentials' headers
(`<issuer URL>#<thumbprint>`).
Retired keys stay listed, and stay in `assertionMethod`, as they stay in the JWKS: credentials
they signed before a rotation keep verifying; only the current key signs."""

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from resolvers.credential_keys import issuer_url
from resolvers.ids import encode_id
from settings import Settings

__all__ = ["did_document", "issuer_did"]

CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"]


def issuer_did(settings: Settings, organization_id: int) -> str:
    """The issuer's did:web, from the credentials' base URL (its host, port and path)."""
    base = urlsplit(settings.credentials_base_url.rstrip("/"))
    host = quote(base.netloc, safe="")
    segments = [s for s in base.path.split("/") if s]
    segments += ["credentials", "issuers", encode_id("Organization", organization_id)]
    return ":".join(["did", "web", host, *(quote(s, safe="") for s in segments)])


def did_document(
    settings: Settings, organization_id: int, keys: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The DID document listing `keys` (rows with `kid` and `public_jwk`, current first)."""
    did = issuer_did(settings, organization_id)
    methods = []
    for row in keys:
        jwk = {k: v for k, v in dict(row["public_jwk"]).items() if k not in ("kid", "use")}
        methods.append(
            {
                "id": f"{did}#{str(row['kid']).rpartition('#')[2]}",
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": jwk,
            }
        )
    ids = [method["id"] for method in methods]
    return {
        "@context": CONTEXT,
        "id": did,
        "alsoKnownAs": [issuer_url(settings, organization_id)],
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids[:1],
    }
