"""Open Badges 3.0 credentials: the issuing institutions' signing keys and each credential
issued, with its place in its issuer's revocation status list (`resolvers.credentials`).

A key's private half is kept encrypted (AES-256-GCM under a key derived from the setting
`PARTNERGRAPH_CREDENTIALS_KEY_SECRET`); its public half is published as a JWK for as long as
the row exists, retired or not, so credentials signed before a rotation stay verifiable."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, UTCDateTime, credits, fk, stamp, updated_stamp, utcnow

__all__ = ["IssuedCredential", "IssuerKey"]


class IssuerKey(SQLModel, table=True):
    """An Ed25519 key of an issuing organization; the newest one not retired signs."""

    __tablename__ = "issuer_key"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    kid: str = Field(max_length=200, unique=True)
    """The key's id in JWS headers and the JWKS: the issuer's URL, `#`, its RFC 7638
    thumbprint."""
    public_jwk: dict[str, str] = Field(sa_type=sa.JSON, nullable=False)
    private_key: str = Field(max_length=400)
    """`v1.<base64url nonce + AES-GCM ciphertext>` of the raw 32-byte private key, bound to
    `kid`; never read by anything but the signer."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    retired_at: datetime | None = stamp()
    created_by: str = Field(max_length=200)
    updated_at: datetime = updated_stamp(server_default=True)


class IssuedCredential(Mutable, table=True):
    """An `OpenBadgeCredential` issued to a learner for a program completion or an approved
    recognition application, signed as a VC-JWT; revoking it sets its status bit."""

    __tablename__ = "issued_credential"
    __table_args__ = (
        sa.UniqueConstraint("issuer_id", "status_list", "status_index"),
        sa.CheckConstraint(
            "(completion_id IS NULL) <> (application_id IS NULL)", name="one_source"
        ),
    )

    credential_uri: str = Field(max_length=100, unique=True)
    """`urn:uuid:...`, the credential's `id`."""
    issuer_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    learner_id: int = fk("learner.id", required=True, ondelete="RESTRICT")
    completion_id: int | None = fk("program_completion.id", ondelete="RESTRICT")
    application_id: int | None = fk("recognition_application.id", ondelete="RESTRICT")
    key_id: int = fk("issuer_key.id", required=True, ondelete="RESTRICT")
    achievement_name: str = Field(max_length=600)
    credits: Decimal | None = credits()
    status_list: int = Field(default=1)
    """The issuer's status list number (`/credentials/status/<issuer>-<number>`)."""
    status_index: int
    valid_from: datetime = Field(sa_type=UTCDateTime, nullable=False)
    valid_until: datetime | None = stamp()
    issued_by: str = Field(max_length=200)
    revoked_at: datetime | None = stamp()
    revoked_by: str | None = Field(default=None, max_length=200)
    revocation_reason: str | None = Field(default=None, max_length=1000)
    jwt: str = Field(sa_type=sa.Text, nullable=False)
    """The signed credential as issued (compact JWS)."""
