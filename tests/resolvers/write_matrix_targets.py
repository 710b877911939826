"""The write matrix's targets: labels of records of each type, the demo rows behind them (with
the rows the demo lacks added), and their keys and versions."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import tables as t
from db.base import table_of, utcnow
from resolvers import write_declarations
from resolvers.ids import encode_id

MISSING = "missing"

# Targets of each type, by label; the first is the JOU editor's own (the secretariat's for
# Alliance and Membership); every type also has a missing ID.
TARGETS: dict[str, list[str]] = {
    "Organization": ["JOU", "NJU"],
    "Person": ["Xia", "Chen"],
    "Position": ["Xia@Art", "Chen@LLE"],
    "Alliance": ["Jiangxi"],
    "Membership": ["JUFE chair"],
    "Agreement": ["social", "JUFE-UTS"],
    "Commitment": ["social commitment"],
    "MobilityCondition": ["social mobility"],
    "Document": ["social document", "UTS document"],
    "Program": ["micro", "platform"],
    "ProgramPartner": ["Art in micro", "LLE in micro"],
    "Course": ["MS-101", "NJU course"],
    "Resource": ["credit bank", "national platform"],
    "ResourceShare": ["bank share"],
    "Funding": ["grant"],
    "Activity": ["meeting", "inauguration", "OUC exchange"],
    "ActivityParticipant": ["Art at meeting", "LLE at meeting", "OUC at exchange"],
    "Evaluation": ["evaluation"],
    "Learner": ["own learner", "illustrative learner"],
    "CreditAccount": ["JOU account"],
    "Enrolment": ["own enrolment", "illustrative enrolment"],
    "LearningOutcome": ["outcome", "own outcome"],
    "RecognitionRule": ["rule to JOU", "rule to LLE"],
    "RecognitionRuleCourse": ["own rule course", "demo rule course"],
    "CreditEntry": ["own entry", "LLE entry"],
    "RecognitionApplication": ["own application", "demo application"],
    "ProgramCompletion": ["own completion"],
    "IssuedCredential": ["own credential"],
    "Proposal": ["to JOU", "from JOU", "to Jiangxi", "hidden"],
    "Approval": ["social approval", "Ministry approval"],
    "Indicator": ["micro indicator", "Jiangxi indicator"],
}


MISSING_KEY = 987_654


@dataclass
class Known:
    """The keys and versions of the targets, and each type's global IDs."""

    keys: dict[tuple[str, str], int]
    versions: dict[tuple[str, int], int]

    def gid(self, type_name: str, label: str) -> str:
        key = MISSING_KEY if label == MISSING else self.keys[(type_name, label)]
        return encode_id(type_name, key)

    def version(self, type_name: str, label: str) -> int:
        if label == MISSING:
            return 1
        return self.versions.get((type_name, self.keys[(type_name, label)]), 1)


async def _scalar(connection: AsyncConnection, statement: Any) -> int:
    value = await connection.scalar(statement)
    assert value is not None, str(statement)
    return int(value)


async def _insert(connection: AsyncConnection, model: Any, **values: Any) -> int:
    table = table_of(model)
    if "version" in table.c:
        now = utcnow()
        values = {"created_at": now, "updated_at": now, "version": 1, **values}
    result = await connection.execute(sa.insert(table).values(values).returning(table.c.id))
    return int(result.scalar_one())


async def prepare(engine: AsyncEngine) -> Known:
    """Adds the rows the demo lacks for a target class, and finds every target."""
    T = {name: table_of(getattr(t, name)) for name in write_declarations.TABLES}
    org = T["Organization"]
    async with engine.begin() as c:

        async def o(name: str) -> int:
            return await _scalar(c, sa.select(org.c.id).where(org.c.name == name))

        async def one(type_name: str, *where: Any) -> int:
            table = T[type_name]
            return await _scalar(
                c, sa.select(table.c.id).where(*where).order_by(table.c.id).limit(1)
            )

        orgs = {
            "JOU": await o("Jiangsu Open University"),
            "NJU": await o("Nanjing University"),
            "Art": await o("School of Art"),
            "LLE": await o("School of Lifelong Education"),
            "OUC": await o("Open University of China"),
        }
        person, agreement = T["Person"], T["Agreement"]
        xia = await one("Person", person.c.name == "Xia Xuemin")
        chen = await one("Person", person.c.name == "Chen Fangyi")
        social = await one("Agreement", agreement.c.title.contains("social education"))
        uts = await one("Agreement", agreement.c.title.contains("Sydney"))
        program = T["Program"]
        micro = await one("Program", program.c.name.contains("Micro-specialties"))
        platform = await one("Program", program.c.name.contains("platform"))
        activity = T["Activity"]
        meeting = await one("Activity", activity.c.kind == "meeting")
        exchange = await one("Activity", activity.c.kind == "exchange_visit")
        account = await one("CreditAccount", sa.true())
        outcome = await one("LearningOutcome", sa.true())
        own_learner = await _insert(
            c, t.Learner, name="Own learner", home_organization_id=orgs["Art"]
        )
        rule_to_jou = await _insert(
            c,
            t.RecognitionRule,
            from_organization_id=orgs["LLE"],
            to_organization_id=orgs["JOU"],
            ratio=1,
        )
        own_outcome = await _insert(
            c,
            t.LearningOutcome,
            account_id=account,
            provider_id=orgs["JOU"],
            title="Own outcome",
            credits=1,
            earned_on=utcnow().date(),
        )
        own_entry = await _insert(
            c,
            t.CreditEntry,
            account_id=account,
            kind="earned",
            credits=1,
            organization_id=orgs["JOU"],
            outcome_id=own_outcome,
            entry_key="matrix:own outcome",
            unit_code="UK_CREDIT",
            recorded_on=utcnow().date(),
            recorded_at=utcnow(),
            recorded_by="token:matrix",
        )
        own_application = await _insert(
            c,
            t.RecognitionApplication,
            learner_id=own_learner,
            account_id=account,
            rule_id=rule_to_jou,
            from_organization_id=orgs["LLE"],
            to_organization_id=orgs["JOU"],
            status="submitted",
            credits_requested=1,
            applied_on=utcnow().date(),
            applied_by="token:matrix",
        )
        own_completion = await _insert(
            c,
            t.ProgramCompletion,
            program_id=micro,
            learner_id=own_learner,
            completed_on=utcnow().date(),
            credits_counted=4,
            recorded_by="token:matrix",
            recorded_at=utcnow(),
        )
        matrix_key = await _insert(
            c,
            t.IssuerKey,
            organization_id=orgs["JOU"],
            kid="matrix#key",
            public_jwk={},
            private_key="v1.matrix",
            created_at=utcnow(),
            created_by="token:matrix",
        )
        own_credential = await _insert(
            c,
            t.IssuedCredential,
            credential_uri="urn:uuid:matrix",
            issuer_id=orgs["JOU"],
            learner_id=own_learner,
            completion_id=own_completion,
            key_id=matrix_key,
            achievement_name="Matrix achievement",
            status_list=1,
            status_index=0,
            valid_from=utcnow(),
            issued_by="token:matrix",
            jwt="matrix.jwt.value",
        )
        participant = T["ActivityParticipant"]
        partner = T["ProgramPartner"]
        keys: dict[tuple[str, str], int] = {
            ("Organization", "JOU"): orgs["JOU"],
            ("Organization", "NJU"): orgs["NJU"],
            ("Organization", "Art"): orgs["Art"],
            ("Organization", "LLE"): orgs["LLE"],
            ("Person", "Xia"): xia,
            ("Person", "Chen"): chen,
            ("Position", "Xia@Art"): await one("Position", T["Position"].c.person_id == xia),
            ("Position", "Chen@LLE"): await one("Position", T["Position"].c.person_id == chen),
            ("Alliance", "Jiangxi"): await one("Alliance", sa.true()),
            ("Membership", "JUFE chair"): await one(
                "Membership", T["Membership"].c.role == "chair"
            ),
            ("Agreement", "social"): social,
            ("Agreement", "JUFE-UTS"): uts,
            ("Commitment", "social commitment"): await one(
                "Commitment", T["Commitment"].c.agreement_id == social
            ),
            ("MobilityCondition", "social mobility"): await _insert(
                c,
                t.MobilityCondition,
                agreement_id=social,
                mobility_type="staff_training",
                sending_organization_id=orgs["Art"],
                receiving_organization_id=orgs["LLE"],
                first_academic_year=2026,
                last_academic_year=2026,
                mobilities_per_year=1,
                blended=False,
                language_skills=[],
            ),
            ("Document", "social document"): await _insert(
                c, t.Document, agreement_id=social, title="Social terms"
            ),
            ("Document", "UTS document"): await _insert(
                c, t.Document, agreement_id=uts, title="UTS terms"
            ),
            ("Program", "micro"): micro,
            ("Program", "platform"): platform,
            ("ProgramPartner", "Art in micro"): await one(
                "ProgramPartner",
                partner.c.program_id == micro,
                partner.c.organization_id == orgs["Art"],
            ),
            ("ProgramPartner", "LLE in micro"): await one(
                "ProgramPartner",
                partner.c.program_id == micro,
                partner.c.organization_id == orgs["LLE"],
            ),
            ("Course", "MS-101"): await one("Course", T["Course"].c.code == "MS-101"),
            ("Course", "NJU course"): await _insert(
                c, t.Course, organization_id=orgs["NJU"], title="NJU course"
            ),
            ("Resource", "credit bank"): await one(
                "Resource", T["Resource"].c.owner_id == orgs["JOU"]
            ),
            ("Resource", "national platform"): await one(
                "Resource", T["Resource"].c.owner_id != orgs["JOU"]
            ),
            ("ResourceShare", "bank share"): await one("ResourceShare", sa.true()),
            ("Funding", "grant"): await one("Funding", sa.true()),
            ("Activity", "meeting"): meeting,
            ("Activity", "inauguration"): await one("Activity", activity.c.kind == "inauguration"),
            ("Activity", "OUC exchange"): exchange,
            ("ActivityParticipant", "Art at meeting"): await one(
                "ActivityParticipant",
                participant.c.activity_id == meeting,
                participant.c.organization_id == orgs["Art"],
            ),
            ("ActivityParticipant", "LLE at meeting"): await one(
                "ActivityParticipant",
                participant.c.activity_id == meeting,
                participant.c.organization_id == orgs["LLE"],
            ),
            ("ActivityParticipant", "OUC at exchange"): await one(
                "ActivityParticipant",
                participant.c.activity_id == exchange,
                participant.c.organization_id == orgs["OUC"],
            ),
            ("Evaluation", "evaluation"): await one("Evaluation", sa.true()),
            ("Learner", "own learner"): own_learner,
            ("Learner", "illustrative learner"): await one(
                "Learner", T["Learner"].c.id != own_learner
            ),
            ("CreditAccount", "JOU account"): account,
            ("Enrolment", "own enrolment"): await _insert(
                c, t.Enrolment, learner_id=own_learner, program_id=platform, status="enrolled"
            ),
            ("Enrolment", "illustrative enrolment"): await one("Enrolment", sa.true()),
            ("LearningOutcome", "outcome"): outcome,
            ("LearningOutcome", "own outcome"): own_outcome,
            ("RecognitionRule", "rule to JOU"): rule_to_jou,
            ("RecognitionRule", "rule to LLE"): await one(
                "RecognitionRule", T["RecognitionRule"].c.id != rule_to_jou
            ),
            ("Approval", "social approval"): await _insert(
                c, t.Approval, agreement_id=social, approver_id=orgs["JOU"], decision="approved"
            ),
            ("Approval", "Ministry approval"): await one(
                "Approval", T["Approval"].c.approver_id != orgs["JOU"]
            ),
            ("Indicator", "micro indicator"): await one(
                "Indicator", T["Indicator"].c.name == "Micro-credentials issued"
            ),
            ("Indicator", "Jiangxi indicator"): await one(
                "Indicator", T["Indicator"].c.name == "Students exchanged"
            ),
        }
        keys.update(
            {
                ("CreditEntry", "own entry"): own_entry,
                ("CreditEntry", "LLE entry"): await one(
                    "CreditEntry", T["CreditEntry"].c.organization_id == orgs["LLE"]
                ),
                ("RecognitionApplication", "own application"): own_application,
                ("ProgramCompletion", "own completion"): own_completion,
                ("IssuedCredential", "own credential"): own_credential,
                ("RecognitionApplication", "demo application"): await one(
                    "RecognitionApplication", T["RecognitionApplication"].c.id != own_application
                ),
                ("RecognitionRuleCourse", "own rule course"): await _insert(
                    c,
                    t.RecognitionRuleCourse,
                    rule_id=rule_to_jou,
                    course_id=keys[("Course", "MS-101")],
                ),
                ("RecognitionRuleCourse", "demo rule course"): await one(
                    "RecognitionRuleCourse", sa.true()
                ),
            }
        )
        keys.update(await _proposals(c, orgs, keys))
        for label in TARGETS["Indicator"]:  # so that removing a target finds one
            await _insert(
                c, t.IndicatorTarget, indicator_id=keys[("Indicator", label)], period="2026"
            )
        versions: dict[tuple[str, int], int] = {}
        for (type_name, _), key in keys.items():
            table = T[type_name]
            if "version" in table.c:
                versions[(type_name, key)] = await _scalar(
                    c, sa.select(table.c.version).where(table.c.id == key)
                )
    return Known(keys, versions)


async def _proposals(
    c: AsyncConnection, orgs: dict[str, int], keys: dict[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    """Pending proposals: an invitation of the alliance to JOU (JOU answers, the secretariat
    withdraws), JOU's proposal of NJU as a partner of its program, NJU's request to join the
    alliance (the secretariat answers), and the demo's, which neither sees."""
    alliance, micro = keys[("Alliance", "Jiangxi")], keys[("Program", "micro")]
    pending = {
        "status": "pending",
        "proposed_by": "token:matrix",
        "expires_on": utcnow().date() + timedelta(days=30),
    }
    membership = {**pending, "kind": "membership", "alliance_id": alliance, "role": "member"}
    proposal = table_of(t.Proposal)
    return {
        ("Proposal", "to JOU"): await _insert(
            c,
            t.Proposal,
            **membership,
            subject_name="Jiangxi",
            organization_id=orgs["JOU"],
            proposer_alliance_id=alliance,
            addressed_organization_id=orgs["JOU"],
        ),
        ("Proposal", "from JOU"): await _insert(
            c,
            t.Proposal,
            **pending,
            kind="program_partner",
            program_id=micro,
            subject_name="Micro-specialties",
            organization_id=orgs["NJU"],
            role="partner",
            proposer_organization_id=orgs["Art"],
            addressed_organization_id=orgs["NJU"],
        ),
        ("Proposal", "to Jiangxi"): await _insert(
            c,
            t.Proposal,
            **membership,
            subject_name="Jiangxi",
            organization_id=orgs["NJU"],
            proposer_organization_id=orgs["NJU"],
            addressed_alliance_id=alliance,
        ),
        ("Proposal", "hidden"): await _scalar(
            c, sa.select(proposal.c.id).where(proposal.c.proposed_by != "token:matrix").limit(1)
        ),
    }
