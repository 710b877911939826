"""The closed vocabularies of the domain; stored as text and guarded by CHECK constraints."""

from enum import StrEnum

__all__ = [
    "ActivityKind",
    "AgreementKind",
    "AgreementStatus",
    "AllianceScope",
    "ApplicationStatus",
    "ApprovalDecision",
    "ChangeKind",
    "CollaborationMode",
    "CommitmentStatus",
    "CreditEntryKind",
    "DeliveryMode",
    "DocumentVisibility",
    "EnrolmentStatus",
    "EvaluationIndicator",
    "FieldLevel",
    "IndicatorComputation",
    "IndicatorDirection",
    "MembershipRole",
    "MobilityType",
    "OrganizationKind",
    "OrganizationStatus",
    "PartyRole",
    "ProgramCategory",
    "ProgramKind",
    "ProgramStatus",
    "ProposalKind",
    "ProposalStatus",
    "RenewalRule",
    "ResourceKind",
    "TargetLearnerGroup",
    "TokenRole",
]


class OrganizationKind(StrEnum):
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    BUSINESS = "business"
    GOVERNMENT_BODY = "government_body"
    INTERNATIONAL_ORGANIZATION = "international_organization"
    OTHER = "other"


class OrganizationStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    WITHDRAWN = "withdrawn"


class AllianceScope(StrEnum):
    PROVINCIAL = "provincial"
    NATIONAL = "national"
    INTERNATIONAL = "international"


class MembershipRole(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    DIRECTOR = "director"
    MEMBER = "member"
    OBSERVER = "observer"


class ProposalKind(StrEnum):
    """What a proposal would bind another organization to."""

    AGREEMENT_PARTY = "agreement_party"
    MEMBERSHIP = "membership"
    PROGRAM_PARTNER = "program_partner"
    ACTIVITY_PARTICIPANT = "activity_participant"


class ProposalStatus(StrEnum):
    """Where a proposal stands; LAPSED is never stored: a PENDING one past `expires_on` reads
    as LAPSED."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


class AgreementKind(StrEnum):
    MEMORANDUM_OF_UNDERSTANDING = "memorandum_of_understanding"
    FRAMEWORK = "framework"
    JOINT_PROGRAM = "joint_program"
    RESEARCH_COLLABORATION = "research_collaboration"
    INTERNSHIP_AND_TRAINING_BASE = "internship_and_training_base"
    STUDENT_EXCHANGE = "student_exchange"
    STAFF_EXCHANGE = "staff_exchange"
    CREDIT_RECOGNITION = "credit_recognition"
    RESOURCE_SHARING = "resource_sharing"
    FUNDING = "funding"
    SINO_FOREIGN_COOPERATIVE_EDUCATION = "sino_foreign_cooperative_education"
    OTHER = "other"


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    UNDER_NEGOTIATION = "under_negotiation"
    AWAITING_APPROVAL = "awaiting_approval"
    SIGNED = "signed"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    TERMINATED = "terminated"
    SUPERSEDED = "superseded"


class PartyRole(StrEnum):
    LEAD = "lead"
    PARTNER = "partner"
    FUNDER = "funder"
    HOST = "host"
    APPROVER = "approver"


class RenewalRule(StrEnum):
    NONE = "none"
    MANUAL = "manual"
    AUTOMATIC = "automatic"


class CollaborationMode(StrEnum):
    CREDIT_RECOGNITION = "credit_recognition"
    VOCATIONAL_TRAINING = "vocational_training"
    MICRO_SPECIALTY = "micro_specialty"
    JOINT_COURSE_DEVELOPMENT = "joint_course_development"
    SHARED_FACULTY = "shared_faculty"
    STUDENT_EXCHANGE = "student_exchange"
    STAFF_EXCHANGE = "staff_exchange"
    JOINT_RESEARCH = "joint_research"
    INTERNSHIP_BASE = "internship_base"
    RESOURCE_SHARING = "resource_sharing"
    JOINT_DEGREE = "joint_degree"
    FUNDING = "funding"
    CUSTOMISED_TALENT_CULTIVATION = "customised_talent_cultivation"
    RESULTS_CONVERSION = "results_conversion"
    EMPLOYMENT_SERVICES = "employment_services"
    OTHER = "other"


class CommitmentStatus(StrEnum):
    """Stored states; `overdue` is derived from the due date when read."""

    OPEN = "open"
    DELIVERED = "delivered"
    WAIVED = "waived"


class ProgramKind(StrEnum):
    MICRO_MAJOR = "micro_major"
    MICRO_COURSE = "micro_course"
    JOINT_DEGREE = "joint_degree"
    VOCATIONAL_TRAINING = "vocational_training"
    LIFELONG_LEARNING = "lifelong_learning"
    EXCHANGE = "exchange"
    JOINT_LAB = "joint_lab"
    RESEARCH_PROJECT = "research_project"


class ProgramCategory(StrEnum):
    SCIENTIFIC_LITERACY = "scientific_literacy"
    WORKPLACE_SKILLS = "workplace_skills"
    CULTURAL_LITERACY = "cultural_literacy"
    HOBBIES_AND_INTERESTS = "hobbies_and_interests"
    CONTINUING_EDUCATION = "continuing_education"
    SILVER_AGE_EDUCATION = "silver_age_education"


class ProgramStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DeliveryMode(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    BLENDED = "blended"


class TargetLearnerGroup(StrEnum):
    STUDENTS = "students"
    MIGRANT_WORKERS = "migrant_workers"
    RURAL_TEACHERS = "rural_teachers"
    SENIOR_CITIZENS = "senior_citizens"
    EMPLOYEES = "employees"
    GENERAL_PUBLIC = "general_public"


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class CreditEntryKind(StrEnum):
    EARNED = "earned"
    RECOGNISED = "recognised"
    EXPIRED = "expired"
    CORRECTED = "corrected"
    CONVERTED = "converted"


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ResourceKind(StrEnum):
    LAB = "lab"
    EQUIPMENT = "equipment"
    LIBRARY = "library"
    ONLINE_COURSE = "online_course"
    DATASET = "dataset"
    FACULTY_TIME = "faculty_time"
    FUNDING = "funding"
    TRAINING_BASE = "training_base"
    PLATFORM = "platform"


class ActivityKind(StrEnum):
    MEETING = "meeting"
    EXCHANGE_VISIT = "exchange_visit"
    CONFERENCE = "conference"
    SIGNING_CEREMONY = "signing_ceremony"
    INAUGURATION = "inauguration"
    OTHER = "other"


class DocumentVisibility(StrEnum):
    """Who may read a document and download its content (`resolvers.visibility`)."""

    PUBLIC = "public"
    PARTIES = "parties"
    OWNER = "owner"


class EvaluationIndicator(StrEnum):
    ENROLMENTS = "enrolments"
    CREDITS_RECOGNISED = "credits_recognised"
    INTERNSHIPS_PLACED = "internships_placed"
    FUNDS_SPENT = "funds_spent"
    PUBLICATIONS = "publications"


class IndicatorDirection(StrEnum):
    """Which way an indicator improves: whether a value at or above its target meets it, or one
    at or below."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class IndicatorComputation(StrEnum):
    """How an indicator's value for a period is found (`resolvers.indicators`): entered by hand
    in evaluations, or counted in SQL from the records of the alliance or program."""

    MANUAL = "manual"
    AGREEMENTS_SIGNED = "agreements_signed"
    CREDITS_RECOGNISED = "credits_recognised"
    ENROLMENTS = "enrolments"
    ACTIVITIES = "activities"
    PARTICIPANTS = "participants"


class TokenRole(StrEnum):
    """What an API token may do; see `resolvers.visibility` and `resolvers.permissions`."""

    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    EDITOR = "editor"
    VIEWER = "viewer"
    REPORTER = "reporter"


class ChangeKind(StrEnum):
    """What a change event says happened (`db.change_feed`). The triggers write the first seven;
    a scheduled job records its own kinds through `resolvers.change_recording` (add them here:
    the GraphQL enum `ChangeKind` follows)."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    STATUS_CHANGED = "status_changed"
    SIGNED = "signed"
    PROPOSAL_MADE = "proposal_made"
    PROPOSAL_ANSWERED = "proposal_answered"
    EXPIRING = "expiring"
    """A reminder (`resolvers.reminders`): an agreement in force ends within a lead time."""
    NOTICE_DEADLINE = "notice_deadline"
    """A reminder: an agreement's notice deadline falls within a lead time."""
    DUE = "due"
    """A reminder: an open commitment is due within a lead time."""
    OVERDUE = "overdue"
    """A reminder: an open commitment's due date has passed."""


class MobilityType(StrEnum):
    """The four kinds of cooperation condition of an EWP inter-institutional agreement."""

    STUDENT_STUDIES = "student_studies"
    STUDENT_TRAINEESHIP = "student_traineeship"
    STAFF_TEACHING = "staff_teaching"
    STAFF_TRAINING = "staff_training"


class FieldLevel(StrEnum):
    """The three levels of the ISCED-F 2013 fields: broad, narrow and detailed."""

    BROAD = "broad"
    NARROW = "narrow"
    DETAILED = "detailed"


class ApprovalDecision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    CONDITIONAL = "conditional"
