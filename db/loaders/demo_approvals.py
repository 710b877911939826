"""The demo's approvals: the approval policy (Sino-foreign cooperative education needs the
Ministry of Education's approval before activation) and the Ministry's two approvals the
Jiangxi Provincial Education Department's report names, as the source states them: approved,
with no date, reference number, conditions or document, which stay empty."""

import sqlalchemy as sa

from db.base import table_of
from db.enums import AgreementKind, ApprovalDecision
from db.loaders.demo_builder import Builder
from db.loaders.demo_data import MOE
from db.tables import Agreement, Approval, ApprovalPolicy, HistoryEntry

__all__ = ["COLLEGES", "SOURCE", "add_approvals"]

COLLEGES = (
    "Queen Mary College at Nanchang University",
    "Griffith College of Digital Intelligence",
)
SOURCE = (
    "As stated by the Jiangxi Provincial Education Department (Xinhua, 18 December 2025): "
    "the Ministry of Education approved the establishment of the {college}. The source gives "
    "no date, reference number, conditions or document: those fields are left empty, not "
    "guessed."
)


async def add_approvals(b: Builder) -> None:
    await b.add(
        ApprovalPolicy(
            agreement_kind=AgreementKind.SINO_FOREIGN_COOPERATIVE_EDUCATION.value,
            approver_id=b.orgs[MOE],
            required=True,
        )
    )
    agreement = table_of(Agreement)
    for college in COLLEGES:
        agreement_id = await b.session.scalar(
            sa.select(agreement.c.id).where(agreement.c.title == f"Establishment of the {college}")
        )
        assert agreement_id is not None
        approval_id = await b.key(
            Approval(
                agreement_id=agreement_id,
                approver_id=b.orgs[MOE],
                decision=ApprovalDecision.APPROVED.value,
                description=SOURCE.format(college=college),
            )
        )
        await b.add(
            HistoryEntry(
                subject_type="approval",
                subject_id=approval_id,
                agreement_id=agreement_id,
                action="created",
                actor="demo",
                changes={"decision": {"old": None, "new": ApprovalDecision.APPROVED.value}},
            )
        )
