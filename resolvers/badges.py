"""The Open Badges 3.0 documents: an issuer's `Profile` and the `OpenBadgeCredential` of a
program completion or of an approved recognition application, as plain JSON-ready dicts.

A completion's achievement is the program: its criteria are its requirements in words,
`creditsAvailable` its credits, aligned to its ISCED-F field and EQF level. A recognition's
achievement is the credits granted at the receiving organization under the rule, aligned to
the codes of the rule's target program (or, without one, its source program). The learner is
named by a salted hash of their name (`IdentityObject`), never in clear."""

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import codes
from db import tables as t
from db.base import table_of
from db.enums import ProgramKind
from resolvers.credential_keys import issuer_url
from resolvers.ids import encode_id
from settings import Settings

__all__ = [
    "CONTEXTS",
    "Achievement",
    "application_achievement",
    "completion_achievement",
    "credential_document",
    "issuer_profile",
    "status_list_url",
]

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISCED_URL = "https://uis.unesco.org/en/topic/international-standard-classification-education-isced"
EQF_URL = "https://europa.eu/europass/en/description-eight-eqf-levels"

PROGRAM = table_of(t.Program)
ORGANIZATION = table_of(t.Organization)
REQUIREMENT = table_of(t.ProgramRequirement)
REQUIREMENT_COURSE = table_of(t.RequirementCourse)
COURSE = table_of(t.Course)
RULE = table_of(t.RecognitionRule)
APPLICATION_OUTCOME = table_of(t.ApplicationOutcome)
OUTCOME = table_of(t.LearningOutcome)
AGREEMENT = table_of(t.Agreement)

_TYPES = {
    ProgramKind.MICRO_MAJOR: "MicroCredential",
    ProgramKind.MICRO_COURSE: "MicroCredential",
    ProgramKind.JOINT_DEGREE: "Degree",
    ProgramKind.VOCATIONAL_TRAINING: "Certificate",
    ProgramKind.LIFELONG_LEARNING: "LearningProgram",
    ProgramKind.EXCHANGE: "LearningProgram",
}


@dataclass
class Achievement:
    """What a credential attests, before it is written as JSON."""

    id: str
    name: str
    achievement_type: str
    description: str
    criteria: str
    credits_available: Decimal | None
    credits_earned: Decimal | None
    isced_f_code: str | None
    eqf_level: int | None
    credit_unit: str | None

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": self.id,
            "type": ["Achievement"],
            "achievementType": self.achievement_type,
            "name": self.name,
            "description": self.description,
            "criteria": {"narrative": self.criteria},
        }
        if self.credits_available is not None:
            found["creditsAvailable"] = float(self.credits_available)
        field = codes.field_of_study(self.isced_f_code) if self.isced_f_code else None
        if field is not None:
            found["fieldOfStudy"] = field.label
        alignment = []
        if field is not None:
            alignment.append(
                {
                    "type": ["Alignment"],
                    "targetName": field.label,
                    "targetCode": field.code,
                    "targetFramework": "ISCED-F 2013",
                    "targetType": "ext:ISCED-F",
                    "targetUrl": ISCED_URL,
                }
            )
        level = codes.eqf_level(self.eqf_level) if self.eqf_level is not None else None
        if level is not None:
            alignment.append(
                {
                    "type": ["Alignment"],
                    "targetName": f"EQF level {level.level}",
                    "targetDescription": level.knowledge,
                    "targetCode": str(level.level),
                    "targetFramework": "European Qualifications Framework",
                    "targetType": "ext:EQF",
                    "targetUrl": EQF_URL,
                }
            )
        if alignment:
            found["alignment"] = alignment
        return found


def _base(settings: Settings) -> str:
    return settings.credentials_base_url.rstrip("/")


def status_list_id(issuer_gid: str, number: int) -> str:
    return f"{issuer_gid}.{number}"


def status_list_url(settings: Settings, issuer_gid: str, number: int) -> str:
    return f"{_base(settings)}/credentials/status/{status_list_id(issuer_gid, number)}"


def issuer_profile(settings: Settings, organization: RowMapping) -> dict[str, Any]:
    """The issuer's Open Badges `Profile` (public: what the organization's own profile says)."""
    url = issuer_url(settings, organization["id"])
    profile: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": url,
        "type": ["Profile"],
        "name": organization["name"],
    }
    if organization["website"]:
        profile["url"] = organization["website"]
    if organization["country"]:
        profile["address"] = {"type": ["Address"], "addressCountryCode": organization["country"]}
    if organization["ror_id"]:
        profile["otherIdentifier"] = [
            {
                "type": "IdentifierEntry",
                "identifier": organization["ror_id"],
                "identifierType": "identifier",
            }
        ]
    return profile


def _credits_words(value: Decimal, unit: str | None) -> str:
    return f"{value} {unit or 'credits'}"


async def _one(connection: AsyncConnection, query: Any) -> RowMapping:
    return (await connection.execute(query)).mappings().one()


async def completion_achievement(
    connection: AsyncConnection, settings: Settings, completion: RowMapping
) -> Achievement:
    program = await _one(
        connection, sa.select(PROGRAM).where(PROGRAM.c.id == completion["program_id"])
    )
    requirement = (
        (
            await connection.execute(
                sa.select(REQUIREMENT).where(REQUIREMENT.c.program_id == program["id"])
            )
        )
        .mappings()
        .first()
    )
    courses = (
        await connection.execute(
            sa.select(COURSE.c.title, REQUIREMENT_COURSE.c.required)
            .join(COURSE, COURSE.c.id == REQUIREMENT_COURSE.c.course_id)
            .where(REQUIREMENT_COURSE.c.program_id == program["id"])
            .order_by(REQUIREMENT_COURSE.c.id)
        )
    ).all()
    unit = program["credit_unit_code"]
    said = []
    required = [title for title, is_required in courses if is_required]
    listed = [title for title, is_required in courses if not is_required]
    if required:
        said.append("Complete the required courses: " + "; ".join(required) + ".")
    if requirement is not None:
        if listed and requirement["min_list_credits"] > 0:
            said.append(
                f"Earn at least {_credits_words(requirement['min_list_credits'], unit)} from: "
                + "; ".join(listed)
                + "."
            )
        said.append(
            f"Hold at least {_credits_words(requirement['min_total_credits'], unit)} in all, "
            "earned or recognised toward the program."
        )
        if requirement["time_limit_months"]:
            said.append(f"Finish within {requirement['time_limit_months']} months of enrolment.")
    kind = ProgramKind(program["kind"])
    available = program["credits"]
    if available is None and requirement is not None:
        available = requirement["min_total_credits"]
    gid = encode_id("Program", program["id"])
    return Achievement(
        id=f"{_base(settings)}/credentials/achievements/{gid}",
        name=program["name"],
        achievement_type=_TYPES.get(kind, "CertificateOfCompletion"),
        description=program["description"] or f"Completion of the program {program['name']}.",
        criteria=" ".join(said) or f"Complete the program {program['name']}.",
        credits_available=available,
        credits_earned=completion["credits_counted"],
        isced_f_code=program["isced_f_code"],
        eqf_level=program["eqf_level"],
        credit_unit=unit,
    )


async def application_achievement(
    connection: AsyncConnection, settings: Settings, application: RowMapping
) -> Achievement:
    rule = await _one(connection, sa.select(RULE).where(RULE.c.id == application["rule_id"]))
    names = dict(
        (
            await connection.execute(
                sa.select(ORGANIZATION.c.id, ORGANIZATION.c.name).where(
                    ORGANIZATION.c.id.in_(
                        [application["from_organization_id"], application["to_organization_id"]]
                    )
                )
            )
        ).all()
    )
    source, target = (
        names[application["from_organization_id"]],
        names[application["to_organization_id"]],
    )
    program = None
    for key in (rule["to_program_id"], rule["from_program_id"]):
        if key is not None:
            program = await _one(connection, sa.select(PROGRAM).where(PROGRAM.c.id == key))
            break
    outcomes = (
        await connection.execute(
            sa.select(OUTCOME.c.title)
            .join(APPLICATION_OUTCOME, APPLICATION_OUTCOME.c.outcome_id == OUTCOME.c.id)
            .where(APPLICATION_OUTCOME.c.application_id == application["id"])
            .order_by(APPLICATION_OUTCOME.c.id)
        )
    ).scalars()
    titles = [str(title) for title in outcomes]
    agreement = None
    if rule["agreement_id"] is not None:
        agreement = (
            await connection.execute(
                sa.select(AGREEMENT.c.title).where(AGREEMENT.c.id == rule["agreement_id"])
            )
        ).scalar()
    granted = application["credits_granted"]
    toward = f" toward {program['name']}" if program is not None and rule["to_program_id"] else ""
    under = f" under the credit recognition rule of {agreement}" if agreement else ""
    criteria = (
        f"Learning outcomes earned at {source} ({'; '.join(titles) or 'as applied for'}), "
        f"recognised by {target}{under} at a ratio of {rule['ratio']}, after review."
    )
    unit = program["credit_unit_code"] if program is not None else None
    rule_gid = encode_id("RecognitionRule", rule["id"])
    return Achievement(
        id=f"{_base(settings)}/credentials/achievements/{rule_gid}",
        name=f"Credits recognised by {target}{toward}",
        achievement_type="Achievement",
        description=f"Credits earned at {source} and recognised by {target}{toward}.",
        criteria=criteria,
        credits_available=granted,
        credits_earned=granted,
        isced_f_code=program["isced_f_code"] if program is not None else None,
        eqf_level=program["eqf_level"] if program is not None else None,
        credit_unit=unit,
    )


def _subject_identifier(learner_name: str) -> dict[str, Any]:
    """The learner as Open Badges names a recipient without disclosing them: a salted
    SHA-256 of their name, which the learner (who knows both) can show is theirs."""
    salt = os.urandom(8).hex()
    digest = hashlib.sha256((learner_name + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "name",
        "hashed": True,
        "salt": salt,
    }


def _instant(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def credential_document(
    settings: Settings,
    *,
    credential_uri: str,
    issuer: RowMapping,
    achievement: Achievement,
    learner_name: str,
    valid_from: datetime,
    valid_until: datetime | None,
    status_url: str,
    status_index: int,
) -> dict[str, Any]:
    """The unsigned `OpenBadgeCredential` (VC Data Model 2.0, Open Badges 3.0)."""
    profile = issuer_profile(settings, issuer)
    del profile["@context"]
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [_subject_identifier(learner_name)],
        "achievement": achievement.as_json(),
    }
    if achievement.credits_earned is not None:
        subject["creditsEarned"] = float(achievement.credits_earned)
    document: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": credential_uri,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": profile,
        "name": achievement.name,
        "validFrom": _instant(valid_from),
    }
    if valid_until is not None:
        document["validUntil"] = _instant(valid_until)
    document["credentialSubject"] = subject
    document["credentialStatus"] = {
        "id": f"{status_url}#{status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(status_index),
        "statusListCredential": status_url,
    }
    return document
