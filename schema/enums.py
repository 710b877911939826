"""The domain's vocabularies as GraphQL enums (registered once on the db enums themselves)."""

from enum import Enum

import strawberry

from db import enums as e
from resolvers.activities import ActivityOrderField
from resolvers.agreements import AgreementOrderField, CommitmentState
from resolvers.alliances import AllianceOrderField
from resolvers.courses import CourseOrderField
from resolvers.evaluations import EvaluationOrderField
from resolvers.ordering import SortDirection
from resolvers.organizations import OrganizationOrderField
from resolvers.people import PersonOrderField
from resolvers.programs import ProgramOrderField
from resolvers.resources import ResourceOrderField

__all__ = ["register_enums"]

_ENUMS: tuple[type[Enum], ...] = (
    e.ActivityKind,
    e.AgreementKind,
    e.AgreementStatus,
    e.AllianceScope,
    e.CollaborationMode,
    e.CommitmentStatus,
    e.DeliveryMode,
    e.EnrolmentStatus,
    e.EvaluationIndicator,
    e.MembershipRole,
    e.OrganizationKind,
    e.OrganizationStatus,
    e.PartyRole,
    e.ProgramCategory,
    e.ProgramKind,
    e.ProgramStatus,
    e.RenewalRule,
    e.ResourceKind,
    e.TargetLearnerGroup,
    e.TokenRole,
    SortDirection,
    OrganizationOrderField,
    AgreementOrderField,
    CommitmentState,
    ActivityOrderField,
    AllianceOrderField,
    CourseOrderField,
    EvaluationOrderField,
    PersonOrderField,
    ProgramOrderField,
    ResourceOrderField,
)


def register_enums(*extra: type[Enum]) -> None:
    """Makes the enums usable as GraphQL types; idempotent."""
    for enum in (*_ENUMS, *extra):
        if not hasattr(enum, "__strawberry_definition__") and not hasattr(enum, "_enum_definition"):
            strawberry.enum(enum)


register_enums()
