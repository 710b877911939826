"""Every enum the GraphQL schema shows, made a GraphQL enum here and nowhere else: every name
this module exports is one.

Schema modules import the enums they use from this module, never from `db.enums`
(tests/test_layers.py checks it), so an enum is registered before any type that uses it is
built, whatever the order of imports. `strawberry.enum` marks the class itself: the tables and
the rules keep using the same classes from `db.enums` and `resolvers/` and know nothing of
GraphQL. The sort fields of the `...Order` inputs are declared with the inputs' reading rules in
`resolvers/` and registered here too. What each enum and value means is in `schema.enum_docs`.
"""

from enum import Enum

import strawberry

from db.enums import (
    ActivityKind,
    AgreementKind,
    AgreementStatus,
    AllianceScope,
    ApplicationStatus,
    ApprovalDecision,
    ChangeKind,
    CollaborationMode,
    CommitmentStatus,
    CreditEntryKind,
    DeliveryMode,
    DocumentVisibility,
    EnrolmentStatus,
    EvaluationIndicator,
    FieldLevel,
    IndicatorComputation,
    IndicatorDirection,
    MembershipRole,
    MobilityType,
    OrganizationKind,
    OrganizationStatus,
    PartyRole,
    ProgramCategory,
    ProgramKind,
    ProgramStatus,
    ProposalKind,
    ProposalStatus,
    RenewalRule,
    ResourceKind,
    TargetLearnerGroup,
    TokenRole,
)
from graph.data import TieKind
from resolvers.activities import ActivityOrderField
from resolvers.agreements import AgreementOrderField, CommitmentState
from resolvers.alliances import AllianceOrderField
from resolvers.courses import CourseOrderField
from resolvers.evaluations import EvaluationOrderField
from resolvers.names import NameField
from resolvers.ordering import SortDirection
from resolvers.organizations import OrganizationOrderField
from resolvers.people import PersonOrderField
from resolvers.programs import ProgramOrderField
from resolvers.proposal_reads import ProposalDirection
from resolvers.report_lists import RenewalStatus
from resolvers.report_terms import Dimension, Interval
from resolvers.resources import ResourceOrderField
from schema.enum_docs import ENUM_DOCS

__all__ = [
    "ActivityKind",
    "ActivityOrderField",
    "AgreementKind",
    "AgreementOrderField",
    "AgreementStatus",
    "AllianceOrderField",
    "AllianceScope",
    "ApplicationStatus",
    "ApprovalDecision",
    "ChangeKind",
    "CollaborationMode",
    "CommitmentState",
    "CommitmentStatus",
    "CourseOrderField",
    "CreditEntryKind",
    "DeliveryMode",
    "Dimension",
    "DocumentVisibility",
    "EnrolmentStatus",
    "EvaluationIndicator",
    "EvaluationOrderField",
    "FieldLevel",
    "IndicatorComputation",
    "IndicatorDirection",
    "Interval",
    "MembershipRole",
    "MobilityType",
    "NameField",
    "OrganizationKind",
    "OrganizationOrderField",
    "OrganizationStatus",
    "PartyRole",
    "PersonOrderField",
    "ProgramCategory",
    "ProgramKind",
    "ProgramOrderField",
    "ProgramStatus",
    "ProposalDirection",
    "ProposalKind",
    "ProposalStatus",
    "RenewalRule",
    "RenewalStatus",
    "ResourceKind",
    "ResourceOrderField",
    "SortDirection",
    "TargetLearnerGroup",
    "TieKind",
    "TokenRole",
]

_GRAPHQL_NAMES = {
    "TieKind": "NetworkTieKind",
    "Dimension": "ReportDimension",
    "Interval": "ReportInterval",
}
"""The GraphQL name of the enums whose name is not their Python one."""


def _declare(cls: type[Enum]) -> None:
    """Makes `cls` a GraphQL enum with the description of it and of each value in `ENUM_DOCS`
    (strawberry's `enum_value` would have to be written in the class, which stays plain)."""
    description, values = ENUM_DOCS[cls.__name__]
    unknown = sorted(set(values) - set(cls.__members__))
    if unknown:
        raise LookupError(f"{cls.__name__} has no members {unknown}")
    strawberry.enum(cls, name=_GRAPHQL_NAMES.get(cls.__name__), description=description)
    for value in cls.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values.get(value.name)


for _name in __all__:
    _declare(globals()[_name])
