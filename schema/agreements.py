"""Agreements, their parties, commitments, documents and history; the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from resolvers import agreements as reads
from resolvers.compiled import lists
from resolvers.nodes import row_of
from schema.compiled.declare import child_list, computed, list_of, referenced
from schema.enums import (
    AgreementKind,
    AgreementStatus,
    CollaborationMode,
    CommitmentState,
    PartyRole,
    RenewalRule,
)
from schema.relay import Connection, Info, Node, connection, list_request, related

if TYPE_CHECKING:
    from schema.organizations import Organization

__all__ = [
    "Agreement",
    "AgreementFilter",
    "AgreementOrder",
    "AgreementParty",
    "AgreementQuery",
    "Commitment",
    "Document",
    "HistoryEntry",
]

_orgs = "schema.organizations"
OrganizationRef = Annotated["Organization", strawberry.lazy(_orgs)]


async def _organization(info: Info, key: int | None) -> "Organization | None":
    from schema.organizations import Organization

    return Organization.from_optional(await row_of(info.context, "Organization", key))


@strawberry.input(description="Conditions on agreements; all given conditions must hold.")
class AgreementFilter(reads.AgreementFilter):
    pass


@strawberry.input(description="How to sort agreements.")
class AgreementOrder(reads.AgreementOrder):
    pass


@strawberry.type(description="A cooperation agreement between two or more parties.")
class Agreement(Node):
    title: str
    local_title: str | None
    reference: str | None
    short_title: str | None = strawberry.field(description="The acronym (CORDIS projects).")
    call: str | None = strawberry.field(description="The funding call (CORDIS projects).")
    topic: str | None = strawberry.field(description="The call topic (CORDIS projects).")
    funding_scheme: str | None = strawberry.field(
        description="The funding scheme, e.g. HORIZON-RIA (CORDIS projects)."
    )
    kind: AgreementKind
    description: str | None
    signed_on: date | None = strawberry.field(description="When the last party signed.")
    effective_from: date | None
    effective_to: date | None
    renewal_rule: RenewalRule
    renewal_term_months: int | None
    is_illustrative: bool
    version: int = strawberry.field(description="Send this back with a change; stale ones fail.")
    terms_hash: str | None = strawberry.field(
        description="SHA-256 of the current terms (kind, period, parties, modes, commitments); "
        "each party's signature keeps the hash it signed."
    )
    created_at: datetime
    updated_at: datetime
    status: strawberry.Private[str]
    parent_id: strawberry.Private[int | None]
    predecessor_id: strawberry.Private[int | None]

    @strawberry.field(
        name="status",
        description="The lifecycle state as of today: one in force past its end date is EXPIRED.",
        metadata=computed(lists.AGREEMENT_STATUS),
    )
    def status_as_read(self) -> AgreementStatus:
        return reads.status_as_read(self.status, self.effective_to, date.today())

    @strawberry.field(description="The collaboration modes this agreement covers.")
    async def modes(self, info: Info) -> list[CollaborationMode]:
        return [CollaborationMode(m) for m in await reads.modes_of(info.context).load(self.pk)]

    parent = referenced(
        "Agreement", "parent_id", description="The framework agreement this one implements."
    )

    predecessor = referenced(
        "Agreement", "predecessor_id", description="The agreement this one renews."
    )

    @strawberry.field(description="The agreement that renews this one.")
    async def successor(self, info: Info) -> "Agreement | None":
        page = await related(
            info, "Agreement.successors", self.pk, Agreement.from_row, first=1, after=None
        )
        return page.edges[0].node if page.edges else None

    parties = list_of(
        "Agreement.parties",
        "AgreementParty",
        description="The parties, each with its role, signatory and signing date.",
    )

    children = list_of(
        "Agreement.children",
        "Agreement",
        description="Agreements implementing this framework agreement.",
    )

    commitments = list_of(
        "Agreement.commitments", "Commitment", description="Who owes what to whom by when."
    )

    documents = list_of("Agreement.documents", "Document")

    history = list_of(
        "Agreement.history", "HistoryEntry", description="Every recorded change, oldest first."
    )

    programs = list_of(
        "Agreement.programs", "Program", description="Programs run under this agreement."
    )

    resource_shares = list_of(
        "Agreement.resourceShares",
        "ResourceShare",
        description="Resources shared under this agreement.",
    )

    funding = list_of(
        "Agreement.funding", "Funding", description="Grants and funds given to this agreement."
    )

    recognition_rules = list_of(
        "Agreement.recognitionRules",
        "RecognitionRule",
        description="Credit recognition rules set by this agreement.",
    )

    evaluations = list_of("Agreement.evaluations", "Evaluation")

    activities = list_of(
        "Agreement.activities",
        "Activity",
        description="Meetings, visits and ceremonies concerning this agreement.",
    )


@strawberry.type(description="One party to an agreement: its role, signatory and signing date.")
class AgreementParty(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    role: PartyRole
    signed_on: date | None
    signed_terms_hash: str | None = strawberry.field(
        description="Hash of the terms this party signed, proving which version it approved."
    )
    source_role: str | None = strawberry.field(
        description="The role as the registry it was loaded from names it (CORDIS: "
        "coordinator, participant, associatedPartner, thirdParty)."
    )
    agreement_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    signatory_id: strawberry.Private[int | None]

    agreement = referenced("Agreement", "agreement_id")

    organization = referenced("Organization", "organization_id")

    signatory = referenced(
        "Person", "signatory_id", description="The person who signed for this party."
    )


@strawberry.type(description="What one party owes under an agreement, to whom, by when.")
class Commitment(Node):
    description: str
    due_on: date | None
    delivered_on: date | None
    version: int
    status: strawberry.Private[str]
    agreement_id: strawberry.Private[int]
    obligor_id: strawberry.Private[int]
    beneficiary_id: strawberry.Private[int | None]

    @strawberry.field(name="status", description="OVERDUE when still open after its due date.")
    def state(self) -> CommitmentState:
        return reads.commitment_state(self.status, self.due_on, date.today())

    agreement = referenced("Agreement", "agreement_id")

    obligor = referenced("Organization", "obligor_id", description="The organization that owes it.")

    beneficiary = referenced(
        "Organization", "beneficiary_id", description="The organization it is owed to."
    )

    history = list_of(
        "Commitment.history",
        "HistoryEntry",
        description="Every change of this commitment, oldest first.",
    )


@strawberry.type(description="A document of an agreement (the signed text, an annex).")
class Document(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    title: str
    language: str | None
    url: str | None
    issued_on: date | None
    agreement_id: strawberry.Private[int]

    agreement = referenced("Agreement", "agreement_id")


@strawberry.type(description="One recorded change: who, when, what, with old and new values.")
class HistoryEntry(Node):
    subject_type: str
    subject_id: strawberry.Private[int]
    action: str
    actor: str | None
    changed_at: datetime
    changes: JSON
    agreement_id: strawberry.Private[int | None]


@strawberry.type
class AgreementQuery:
    @strawberry.field(
        description="Agreements, filtered and sorted; at most 100 a page.",
        metadata=child_list(lists.AGREEMENTS),
    )
    async def agreements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AgreementFilter | None = None,
        order_by: AgreementOrder | None = None,
    ) -> Connection[Agreement]:
        page = await reads.agreements_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Agreement.from_row)
