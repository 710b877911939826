"""Every table of the domain; importing this module registers them all on `SQLModel.metadata`."""

from db.tables.access import AccessChange, ApiToken
from db.tables.activities import Activity, ActivityAgreement, ActivityParticipant, ActivityProgram
from db.tables.agreements import Agreement, AgreementMode, AgreementParty, Commitment, Document
from db.tables.alliances import Alliance, AllianceRoleCount, Membership
from db.tables.approvals import Approval, ApprovalPolicy
from db.tables.changes import ChangeContext, ChangeEvent
from db.tables.codes import CreditUnit
from db.tables.completion import ProgramCompletion, ProgramRequirement, RequirementCourse
from db.tables.credentials import IssuedCredential, IssuerKey
from db.tables.credits import (
    CreditAccount,
    CreditRecognition,
    Enrolment,
    Learner,
    LearningOutcome,
    RecognitionRule,
)
from db.tables.documents import DocumentVersion
from db.tables.evaluations import Evaluation, EvaluationMeasure, Indicator, IndicatorTarget
from db.tables.funding import Funding
from db.tables.history import HistoryEntry
from db.tables.ledger import CreditEntry
from db.tables.listings import OrganizationAgreement, OrganizationAgreementTotal
from db.tables.mobility import MobilityCondition
from db.tables.names import LocalizedName
from db.tables.network import NetworkChange
from db.tables.organizations import (
    Organization,
    OrganizationIdentifier,
    OrganizationRelation,
    OrganizationUnit,
)
from db.tables.people import Person, Position
from db.tables.programs import Course, CourseInstructor, Program, ProgramPartner, ProgramTargetGroup
from db.tables.proposals import Proposal
from db.tables.recognition import ApplicationOutcome, RecognitionApplication, RecognitionRuleCourse
from db.tables.reminders import ReminderSent
from db.tables.resources import Resource, ResourceShare
from db.tables.rollups import (
    ActivityTrend,
    AgreementPartyRollup,
    AgreementRollup,
    AgreementRollupFunding,
    AgreementTrend,
    PartyRollup,
    PartyRollupSet,
    SummaryRollup,
    SummaryRollupFunding,
    SummaryRollupState,
    TrendRollup,
)
from db.tables.saved_views import SavedView
from db.tables.webhooks import Webhook, WebhookDelivery

__all__ = [
    "AccessChange",
    "Activity",
    "ActivityAgreement",
    "ActivityParticipant",
    "ActivityProgram",
    "ActivityTrend",
    "Agreement",
    "AgreementMode",
    "AgreementParty",
    "AgreementPartyRollup",
    "AgreementRollup",
    "AgreementRollupFunding",
    "AgreementTrend",
    "Alliance",
    "AllianceRoleCount",
    "ApiToken",
    "ApplicationOutcome",
    "Approval",
    "ApprovalPolicy",
    "ChangeContext",
    "ChangeEvent",
    "Commitment",
    "Course",
    "CourseInstructor",
    "CreditAccount",
    "CreditEntry",
    "CreditRecognition",
    "CreditUnit",
    "Document",
    "DocumentVersion",
    "Enrolment",
    "Evaluation",
    "EvaluationMeasure",
    "Funding",
    "HistoryEntry",
    "Indicator",
    "IndicatorTarget",
    "IssuedCredential",
    "IssuerKey",
    "Learner",
    "LearningOutcome",
    "LocalizedName",
    "Membership",
    "MobilityCondition",
    "NetworkChange",
    "Organization",
    "OrganizationAgreement",
    "OrganizationAgreementTotal",
    "OrganizationIdentifier",
    "OrganizationRelation",
    "OrganizationUnit",
    "PartyRollup",
    "PartyRollupSet",
    "Person",
    "Position",
    "Program",
    "ProgramCompletion",
    "ProgramPartner",
    "ProgramRequirement",
    "ProgramTargetGroup",
    "Proposal",
    "RecognitionApplication",
    "RecognitionRule",
    "RecognitionRuleCourse",
    "ReminderSent",
    "RequirementCourse",
    "Resource",
    "ResourceShare",
    "SavedView",
    "SummaryRollup",
    "SummaryRollupFunding",
    "SummaryRollupState",
    "TrendRollup",
    "Webhook",
    "WebhookDelivery",
]
