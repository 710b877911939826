"""Issuing and revoking Open Badges 3.0 credentials, and the issuers' revocation lists.

`issueCredential` (an editor of the issuing organization) takes a recorded program completion,
issued by a partner of the program (by default the caller's own, else the program's lead), or an
approved recognition application, issued by the organization that decided it. A source has at
most one credential in force: a second attempt is `ALREADY_ISSUED`; to re-issue (a corrected
program name, a new key), revoke the credential in force first, and issue again. An
undecided application is `NOT_DECIDED`, a rejected or withdrawn one `NOT_APPROVED`. The
credential is signed as a VC-JWT (compact JWS, `alg` EdDSA, `typ` `vc+jwt`) with the
issuer's current key, whose `kid` is in the header; its payload is the credential itself with
the registered claims `iss`, `jti`, `nbf`, `iat` (and `exp` with `validUntil`) mirroring it,
for JWT libraries.

Each issuer numbers its credentials in status lists of `STATUS_LIST_BITS` entries
(`/credentials/status/<issuer>.<number>`, W3C Bitstring Status List v1.0, purpose
`revocation`): the bit of a credential is set when it is revoked. Indexes are given in order,
under the lock of the issuer's key row.
"""

import base64
import gzip
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from joserfc import jws
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of, utcnow
from resolvers import badges
from resolvers.credential_keys import ALGORITHM, current_key, eddsa, issuer_url, signing_key
from resolvers.errors import ApiError, BadUserInput, NotFound
from resolvers.ids import decode_id_of, encode_id
from resolvers.viewer import Viewer
from resolvers.write_declarations import MUTATIONS
from resolvers.write_scope import check_arguments, check_reference
from resolvers.writes import insert_row, update_row
from settings import Settings

__all__ = [
    "CREDENTIAL",
    "STATUS_LIST_BITS",
    "StatusList",
    "issue_credential",
    "revoke_credential",
    "sign",
    "signed_status_list",
    "status_list",
    "status_list_document",
]

CREDENTIAL = table_of(t.IssuedCredential)
COMPLETION = table_of(t.ProgramCompletion)
APPLICATION = table_of(t.RecognitionApplication)
PARTNER = table_of(t.ProgramPartner)
ORGANIZATION = table_of(t.Organization)
LEARNER = table_of(t.Learner)

STATUS_LIST_BITS = 131_072
"""Entries in one status list: the 16 KB the specification sets as the least, so that one
credential's bit hides among many."""
MAX_VALID_DAYS = 36_600


class AlreadyIssued(ApiError):
    code = "ALREADY_ISSUED"


class NotDecided(ApiError):
    code = "NOT_DECIDED"


class NotApproved(ApiError):
    code = "NOT_APPROVED"


class NotIssuer(ApiError):
    code = "NOT_ISSUER"


class AlreadyRevoked(ApiError):
    code = "ALREADY_REVOKED"


def sign(header_kid: str, payload: dict[str, Any], key: Any) -> str:
    header = {"alg": ALGORITHM, "typ": "vc+jwt", "cty": "vc", "kid": header_kid}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    with eddsa():
        return jws.serialize_compact(header, body, key, algorithms=[ALGORITHM])


async def _default_partner(connection: AsyncConnection, viewer: Viewer, program_id: int) -> int:
    """The caller's own organization (or unit) among the program's partners, else its lead
    (then else its first partner)."""
    partners = await connection.execute(
        sa.select(PARTNER.c.organization_id)
        .where(PARTNER.c.program_id == program_id)
        .order_by((PARTNER.c.role == "lead").desc(), PARTNER.c.id)
    )
    found = [int(key) for key in partners.scalars()]
    if not found:
        raise NotIssuer("the program has no partner to issue for it", field="issuer")
    own = [key for key in found if key in viewer.scope]
    return (own or found)[0]


async def _in_force(connection: AsyncConnection, column: sa.Column[Any], key: int) -> bool:
    found = await connection.execute(
        sa.select(CREDENTIAL.c.id).where(column == key, CREDENTIAL.c.revoked_at.is_(None))
    )
    return found.first() is not None


async def _next_index(connection: AsyncConnection, issuer_id: int) -> tuple[int, int]:
    last = (
        await connection.execute(
            sa.select(CREDENTIAL.c.status_list, CREDENTIAL.c.status_index)
            .where(CREDENTIAL.c.issuer_id == issuer_id)
            .order_by(CREDENTIAL.c.status_list.desc(), CREDENTIAL.c.status_index.desc())
            .limit(1)
        )
    ).first()
    if last is None:
        return 1, 0
    number, index = int(last[0]), int(last[1]) + 1
    return (number + 1, 0) if index >= STATUS_LIST_BITS else (number, index)


async def issue_credential(
    connection: AsyncConnection,
    viewer: Viewer,
    settings: Settings,
    *,
    completion_id: int | None,
    application_id: int | None,
    issuer_id: int | None,
    valid_until: datetime | None,
) -> RowMapping:
    """The credential issued for the completion or the application (see the module)."""
    now = utcnow().replace(microsecond=0)
    if valid_until is not None:
        if valid_until.tzinfo is None:
            raise BadUserInput("validUntil needs a time zone", field="validUntil")
        if valid_until <= now or (valid_until - now).days > MAX_VALID_DAYS:
            raise BadUserInput("validUntil is in the future (within 100 years)", field="validUntil")
    rows = await check_arguments(
        connection,
        viewer,
        "issueCredential",
        {"completion": completion_id, "recognitionApplication": application_id},
        lock=frozenset({"completion", "recognitionApplication"}),
    )
    issuer_ref = MUTATIONS["issueCredential"][2]
    issuer = None
    if issuer_id is not None:  # every access check before any rule of the credential
        issuer = await check_reference(connection, viewer, issuer_ref, issuer_id, field="issuer")
    if (completion_id is None) == (application_id is None):
        raise BadUserInput(
            "give either a completion or a recognition application", field="completion"
        )
    if completion_id is not None:
        source = rows["completion"]
        default = await _default_partner(connection, viewer, source["program_id"])
    else:
        source = rows["recognitionApplication"]
        if source["status"] == "submitted":
            raise NotDecided("the application is not decided yet", field="recognitionApplication")
        if source["status"] != "approved":
            raise NotApproved(
                f"the application was {source['status']}: only an approved one is credited",
                field="recognitionApplication",
            )
        default = source["to_organization_id"]
    chosen = default if issuer_id is None else issuer_id
    if issuer is None:
        issuer = await check_reference(connection, viewer, issuer_ref, chosen, field="issuer")
    if completion_id is not None:
        partner = await connection.execute(
            sa.select(PARTNER.c.id).where(
                PARTNER.c.program_id == source["program_id"],
                PARTNER.c.organization_id == chosen,
            )
        )
        if partner.first() is None:
            raise NotIssuer("the issuer is not a partner of the program", field="issuer")
    elif chosen != source["to_organization_id"]:
        raise NotIssuer(
            "a recognition is credited by the organization that decided it", field="issuer"
        )
    column = CREDENTIAL.c.completion_id if completion_id else CREDENTIAL.c.application_id
    if await _in_force(connection, column, source["id"]):
        raise AlreadyIssued(
            "a credential for this is in force: revoke it to issue a new one",
            field="completion" if completion_id else "recognitionApplication",
        )
    key_row, key = await signing_key(connection, settings, chosen, viewer.label)
    if completion_id is not None:
        achievement = await badges.completion_achievement(connection, settings, source)
    else:
        achievement = await badges.application_achievement(connection, settings, source)
    learner_name = (
        await connection.execute(
            sa.select(LEARNER.c.name).where(LEARNER.c.id == source["learner_id"])
        )
    ).scalar_one()
    number, index = await _next_index(connection, chosen)
    issuer_gid = encode_id("Organization", chosen)
    credential_uri = f"urn:uuid:{uuid.uuid4()}"
    document = badges.credential_document(
        settings,
        credential_uri=credential_uri,
        issuer=issuer,
        achievement=achievement,
        learner_name=learner_name,
        valid_from=now,
        valid_until=valid_until,
        status_url=badges.status_list_url(settings, issuer_gid, number),
        status_index=index,
    )
    claims: dict[str, Any] = {
        "iss": issuer_url(settings, chosen),
        "jti": credential_uri,
        "nbf": int(now.timestamp()),
        "iat": int(now.timestamp()),
    }
    if valid_until is not None:
        claims["exp"] = int(valid_until.timestamp())
    token = sign(key_row["kid"], {**document, **claims}, key)
    return await insert_row(
        connection,
        CREDENTIAL,
        {
            "credential_uri": credential_uri,
            "issuer_id": chosen,
            "learner_id": source["learner_id"],
            "completion_id": completion_id,
            "application_id": application_id,
            "key_id": key_row["id"],
            "achievement_name": achievement.name[:600],
            "credits": achievement.credits_earned,
            "status_list": number,
            "status_index": index,
            "valid_from": now,
            "valid_until": valid_until,
            "issued_by": viewer.label,
            "jwt": token,
        },
        actor=viewer.label,
    )


async def revoke_credential(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    credential_id: int,
    version: int,
    reason: str,
) -> RowMapping:
    """Revokes the credential (an editor of its issuer): its status bit is set from now on."""
    rows = await check_arguments(
        connection, viewer, "revokeCredential", {"id": credential_id}, lock=frozenset({"id"})
    )
    row = rows["id"]
    if row["revoked_at"] is not None:
        raise AlreadyRevoked("the credential is already revoked", field="id")
    if not reason.strip():
        raise BadUserInput("say why the credential is revoked", field="reason")
    return await update_row(
        connection,
        CREDENTIAL,
        credential_id,
        version,
        {"revoked_at": utcnow(), "revoked_by": viewer.label, "revocation_reason": reason},
        actor=viewer.label,
        what="IssuedCredential",
    )


@dataclass
class StatusList:
    """A revocation status list: its issuer, number and bitstring (bit 0 is the first
    byte's most significant bit, as the specification says)."""

    issuer_id: int
    number: int
    bits: bytearray

    def encoded(self) -> str:
        """The multibase base64url (`u`) of the GZIP of the bitstring."""
        packed = gzip.compress(bytes(self.bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def parse_list_id(list_id: str) -> tuple[int, int]:
    """The issuer and number of `<issuer global ID>.<number>`; `NotFound` for anything else."""
    gid, _, number = list_id.rpartition(".")
    try:
        issuer = decode_id_of(gid, "Organization")
        value = int(number)
    except (ApiError, ValueError):
        raise NotFound("no such status list") from None
    if value < 1 or str(value) != number:
        raise NotFound("no such status list")
    return issuer, value


async def status_list(connection: AsyncConnection, issuer_id: int, number: int) -> StatusList:
    """The list's bits from the credentials revoked in it; `NotFound` before its first
    credential."""
    used = await connection.execute(
        sa.select(CREDENTIAL.c.status_index, CREDENTIAL.c.revoked_at.is_not(None)).where(
            CREDENTIAL.c.issuer_id == issuer_id, CREDENTIAL.c.status_list == number
        )
    )
    bits = bytearray(STATUS_LIST_BITS // 8)
    found = False
    for index, revoked in used.all():
        found = True
        if revoked:
            bits[index // 8] |= 0x80 >> (index % 8)
    if not found:
        raise NotFound("no such status list")
    return StatusList(issuer_id, number, bits)


def status_list_document(settings: Settings, found: StatusList, now: datetime) -> dict[str, Any]:
    """The `BitstringStatusListCredential` of a list, as its issuer signs it."""
    url = badges.status_list_url(settings, encode_id("Organization", found.issuer_id), found.number)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(settings, found.issuer_id),
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": found.encoded(),
        },
    }


async def signed_status_list(
    connection: AsyncConnection, settings: Settings, issuer_id: int, number: int
) -> str:
    """The list as a VC-JWT signed with the issuer's current key (as its credentials are:
    EdDSA, `typ` `vc+jwt`, the key's `kid`), with `iss`, `jti` and `iat` mirroring it.
    `NotFound` before the list's first credential, `KeyUnavailable` without a key to sign."""
    found = await status_list(connection, issuer_id, number)
    public, key = await current_key(connection, settings, issuer_id)
    now = utcnow()
    document = status_list_document(settings, found, now)
    claims = {"iss": document["issuer"], "jti": document["id"], "iat": int(now.timestamp())}
    return sign(public["kid"], {**document, **claims}, key)
