"""Open Badges 3.0 credentials in GraphQL: the credentials issued, issuing and revoking them,
and rotating an issuer's signing key. Thin over `resolvers.credentials` and
`resolvers.credential_keys`; the documents themselves are published over plain HTTP
(`web.credentials`, docs/credentials.md)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.scalars import JSON

from resolvers import credential_keys as keys
from resolvers import credentials as service
from resolvers.badges import status_list_url
from resolvers.ids import decode_id_of, encode_id
from resolvers.permissions import ANYONE
from schema.compiled.declare import referenced
from schema.mutations import UserError, run_mutation
from schema.relay import Info, Node
from schema.wording import VERSION

__all__ = ["CredentialMutation", "IssuedCredential", "IssuerKey"]


@strawberry.type(
    description="An Open Badges 3.0 `OpenBadgeCredential` issued to a learner for a program "
    "completion or an approved recognition, signed by its issuer as a VC-JWT "
    "(docs/credentials.md). Seen by whoever sees the learner and by the issuer."
)
class IssuedCredential(Node):
    version: int = strawberry.field(description=VERSION)
    credential_uri: str = strawberry.field(
        description="The credential's `id` (`urn:uuid:...`), also the JWT's `jti`."
    )
    achievement_name: str = strawberry.field(description="What it attests, by name.")
    credits: Decimal | None = strawberry.field(
        description="The credits it attests (`creditsEarned`); null when none are counted."
    )
    status_index: int = strawberry.field(
        description="Its entry in its issuer's revocation status list (`statusListIndex`)."
    )
    valid_from: datetime = strawberry.field(description="When it was issued (UTC).")
    valid_until: datetime | None = strawberry.field(
        description="When it expires (UTC); null: it does not."
    )
    issued_by: str = strawberry.field(description="Who issued it (`token:<id>`).")
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked; null while in force."
    )
    revoked_by: str | None = strawberry.field(description="Who revoked it (`token:<id>`).")
    revocation_reason: str | None = strawberry.field(description="Why it was revoked.")
    jwt: str = strawberry.field(
        description="The signed credential (compact JWS, `typ` `vc+jwt`), to hand to the "
        "learner; `POST /credentials/verify` checks one."
    )
    status_list: strawberry.Private[int]
    issuer_id: strawberry.Private[int]
    learner_id: strawberry.Private[int]
    completion_id: strawberry.Private[int | None]
    application_id: strawberry.Private[int | None]

    issuer = referenced("Organization", "issuer_id", description="The issuing organization.")
    learner = referenced(
        "Learner", "learner_id", description="Whose credential; null when hidden from the caller."
    )
    completion = referenced(
        "ProgramCompletion", "completion_id", description="The completion it attests, if any."
    )
    recognition_application = referenced(
        "RecognitionApplication",
        "application_id",
        description="The approved application it attests, if any.",
    )

    @strawberry.field(description="The URL of its revocation status list credential.")
    def status_list_credential(self, info: Info) -> str:
        issuer = encode_id("Organization", self.issuer_id)
        return status_list_url(info.context.settings, issuer, self.status_list)


@strawberry.type(
    description="An issuer's signing key: its public half as published. The private half is "
    "never shown."
)
class IssuerKey:
    kid: str = strawberry.field(description="The key's id (the `kid` of JWS headers).")
    public_jwk: JSON = strawberry.field(description="The public key as a JWK (OKP, Ed25519).")
    created_at: datetime = strawberry.field(description="When it was made.")
    retired_at: datetime | None = strawberry.field(
        description="When a newer key replaced it; it stays published for verification."
    )

    @classmethod
    def from_row(cls, row: RowMapping) -> "IssuerKey":
        return cls(
            kid=row["kid"],
            public_jwk=JSON(dict(row["public_jwk"])),
            created_at=row["created_at"],
            retired_at=row["retired_at"],
        )


@strawberry.type(description="The credential issued, or why none was.")
class IssueCredentialPayload:
    credential: IssuedCredential | None = strawberry.field(
        default=None, description="The credential; null when `userErrors` says why."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was issued; empty on success."
    )


@strawberry.type(description="The credential revoked, or why it was not.")
class RevokeCredentialPayload:
    credential: IssuedCredential | None = strawberry.field(
        default=None, description="The credential; null when `userErrors` says why."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The issuer's new signing key, or why none was made.")
class RotateIssuerKeyPayload:
    key: IssuerKey | None = strawberry.field(
        default=None, description="The new key; null when `userErrors` says why."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(
    description="What to credit: a recorded program completion or an approved recognition "
    "application (exactly one)."
)
class IssueCredentialInput:
    completion: strawberry.ID | None = strawberry.field(
        default=None, description="A recorded program completion."
    )
    recognition_application: strawberry.ID | None = strawberry.field(
        default=None, description="An approved recognition application."
    )
    issuer: strawberry.ID | None = strawberry.field(
        default=None,
        description="The issuing organization, which the caller edits: a partner of the "
        "completed program (default: the caller's own, else the lead), or the organization "
        "that approved the application (the default, and the only one allowed).",
    )
    valid_until: datetime | None = strawberry.field(
        default=None, description="When the credential expires (a future date-time); none."
    )


@strawberry.input(description="A credential its issuer revokes.")
class RevokeCredentialInput:
    id: strawberry.ID = strawberry.field(description="The credential.")
    version: int = strawberry.field(description="Its version, as read.")
    reason: str = strawberry.field(description="Why, in words.")


@strawberry.input(description="The organization whose signing key is replaced.")
class RotateIssuerKeyInput:
    organization: strawberry.ID = strawberry.field(description="An organization you edit.")


def _optional(value: strawberry.ID | None, type_name: str, field: str) -> int | None:
    return None if value is None else decode_id_of(value, type_name, field=field)


@strawberry.type
class CredentialMutation:
    @strawberry.mutation(
        description="Issue an Open Badges 3.0 credential for a recorded program completion or "
        "an approved recognition application (an editor of the issuing organization), signed "
        "with the issuer's current key. Once per source: ALREADY_ISSUED while one is in "
        "force (revoke it to re-issue); NOT_DECIDED or NOT_APPROVED for an application "
        "not approved; NOT_ISSUER for an issuer not entitled to it."
    )
    async def issue_credential(
        self,
        info: Info,
        input: Annotated[IssueCredentialInput, strawberry.argument(description="What.")],
    ) -> IssueCredentialPayload:
        async def work(connection: AsyncConnection) -> IssueCredentialPayload:
            row = await service.issue_credential(
                connection,
                info.context.viewer,
                info.context.settings,
                completion_id=_optional(input.completion, "ProgramCompletion", "completion"),
                application_id=_optional(
                    input.recognition_application,
                    "RecognitionApplication",
                    "recognitionApplication",
                ),
                issuer_id=_optional(input.issuer, "Organization", "issuer"),
                valid_until=input.valid_until,
            )
            return IssueCredentialPayload(credential=IssuedCredential.from_row(row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=IssueCredentialPayload,
            name="issue credentials",
        )

    @strawberry.mutation(
        description="Revoke a credential (an editor of its issuer): its bit in the issuer's "
        "status list is set, and verification answers it revoked from then on."
    )
    async def revoke_credential(
        self,
        info: Info,
        input: Annotated[RevokeCredentialInput, strawberry.argument(description="Which.")],
    ) -> RevokeCredentialPayload:
        async def work(connection: AsyncConnection) -> RevokeCredentialPayload:
            row = await service.revoke_credential(
                connection,
                info.context.viewer,
                credential_id=decode_id_of(input.id, "IssuedCredential", field="id"),
                version=input.version,
                reason=input.reason,
            )
            return RevokeCredentialPayload(credential=IssuedCredential.from_row(row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=RevokeCredentialPayload,
            name="revoke credentials",
        )

    @strawberry.mutation(
        description="Replace an organization's signing key with a new one (an editor of the "
        "organization). The old key is retired but stays published, so credentials it "
        "signed still verify."
    )
    async def rotate_issuer_key(
        self,
        info: Info,
        input: Annotated[RotateIssuerKeyInput, strawberry.argument(description="Whose.")],
    ) -> RotateIssuerKeyPayload:
        async def work(connection: AsyncConnection) -> RotateIssuerKeyPayload:
            row = await keys.rotate_key(
                connection,
                info.context.viewer,
                info.context.settings,
                organization_id=decode_id_of(
                    input.organization, "Organization", field="organization"
                ),
            )
            return RotateIssuerKeyPayload(key=IssuerKey.from_row(row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=RotateIssuerKeyPayload,
            name="rotate issuer keys",
        )
