"""Every enum the GraphQL schema shows, made a GraphQL enum here and nowhere else: every name
this module exports is one.

Schema modules import the enums they use from this module, never from `db.enums`
(tests/test_layers.py checks it), so an enum is registered before any type that uses it is
built, whatever the order of imports. `strawberry.enum` marks the class itself: the tables and
the rules keep using the same classes from `db.enums` and `resolvers/` and know nothing of
GraphQL. The sort fields of the `...Order` inputs are declared with the inputs' reading rules in
`resolvers/` and registered here too.
"""

import strawberry

from db.enums import (
    ActivityKind,
    AgreementKind,
    AgreementStatus,
    AllianceScope,
    CollaborationMode,
    CommitmentStatus,
    DeliveryMode,
    EnrolmentStatus,
    EvaluationIndicator,
    MembershipRole,
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
from resolvers.ordering import SortDirection
from resolvers.organizations import OrganizationOrderField
from resolvers.people import PersonOrderField
from resolvers.programs import ProgramOrderField
from resolvers.proposal_reads import ProposalDirection
from resolvers.report_lists import RenewalStatus
from resolvers.report_terms import Dimension, Interval
from resolvers.resources import ResourceOrderField

__all__ = [
    "ActivityKind",
    "ActivityOrderField",
    "AgreementKind",
    "AgreementOrderField",
    "AgreementStatus",
    "AllianceOrderField",
    "AllianceScope",
    "CollaborationMode",
    "CommitmentState",
    "CommitmentStatus",
    "CourseOrderField",
    "DeliveryMode",
    "Dimension",
    "EnrolmentStatus",
    "EvaluationIndicator",
    "EvaluationOrderField",
    "Interval",
    "MembershipRole",
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

_AS_DECLARED: dict[str, tuple[str | None, str | None]] = {
    "TieKind": (
        "NetworkTieKind",
        "What binds two organizations: a shared agreement, alliance or program, or one being a "
        "unit of the other.",
    ),
    "Dimension": ("ReportDimension", "What a summary groups by."),
    "Interval": ("ReportInterval", None),
    "RenewalStatus": (None, "Where an expiring agreement's renewal stands."),
}
"""The GraphQL name and description of the enums whose name is not their Python one, or that
have a description."""

for _name in __all__:
    _graphql_name, _description = _AS_DECLARED.get(_name, (None, None))
    strawberry.enum(globals()[_name], name=_graphql_name, description=_description)
