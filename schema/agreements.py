"""Agreements, their parties, commitments, documents and history; the root list."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from resolvers import agreements as reads
from resolvers.nodes import row_of
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
    from schema.activities import Activity
    from schema.credits import RecognitionRule
    from schema.evaluations import Evaluation
    from schema.funding import Funding
    from schema.organizations import Organization
    from schema.people import Person
    from schema.programs import Program
    from schema.resources import ResourceShare

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
    )
    def status_as_read(self) -> AgreementStatus:
        return reads.status_as_read(self.status, self.effective_to, date.today())

    @strawberry.field(description="The collaboration modes this agreement covers.")
    async def modes(self, info: Info) -> list[CollaborationMode]:
        return [CollaborationMode(m) for m in await reads.modes_of(info.context).load(self.pk)]

    @strawberry.field(description="The framework agreement this one implements.")
    async def parent(self, info: Info) -> "Agreement | None":
        return Agreement.from_optional(await row_of(info.context, "Agreement", self.parent_id))

    @strawberry.field(description="The agreement this one renews.")
    async def predecessor(self, info: Info) -> "Agreement | None":
        return Agreement.from_optional(await row_of(info.context, "Agreement", self.predecessor_id))

    @strawberry.field(description="The agreement that renews this one.")
    async def successor(self, info: Info) -> "Agreement | None":
        page = await related(
            info, "Agreement.successors", self.pk, Agreement.from_row, first=1, after=None
        )
        return page.edges[0].node if page.edges else None

    @strawberry.field(description="The parties, each with its role, signatory and signing date.")
    async def parties(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["AgreementParty"]:
        return await related(
            info, "Agreement.parties", self.pk, AgreementParty.from_row, first=first, after=after
        )

    @strawberry.field(description="Agreements implementing this framework agreement.")
    async def children(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["Agreement"]:
        return await related(
            info, "Agreement.children", self.pk, Agreement.from_row, first=first, after=after
        )

    @strawberry.field(description="Who owes what to whom by when.")
    async def commitments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["Commitment"]:
        return await related(
            info, "Agreement.commitments", self.pk, Commitment.from_row, first=first, after=after
        )

    @strawberry.field
    async def documents(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["Document"]:
        return await related(
            info, "Agreement.documents", self.pk, Document.from_row, first=first, after=after
        )

    @strawberry.field(description="Every recorded change, oldest first.")
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["HistoryEntry"]:
        return await related(
            info, "Agreement.history", self.pk, HistoryEntry.from_row, first=first, after=after
        )

    @strawberry.field(description="Programs run under this agreement.")
    async def programs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Program", strawberry.lazy("schema.programs")]]:
        from schema.programs import Program

        return await related(
            info, "Agreement.programs", self.pk, Program.from_row, first=first, after=after
        )

    @strawberry.field(description="Resources shared under this agreement.")
    async def resource_shares(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["ResourceShare", strawberry.lazy("schema.resources")]]:
        from schema.resources import ResourceShare

        return await related(
            info,
            "Agreement.resourceShares",
            self.pk,
            ResourceShare.from_row,
            first=first,
            after=after,
        )

    @strawberry.field(description="Grants and funds given to this agreement.")
    async def funding(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Funding", strawberry.lazy("schema.funding")]]:
        from schema.funding import Funding

        return await related(
            info, "Agreement.funding", self.pk, Funding.from_row, first=first, after=after
        )

    @strawberry.field(description="Credit recognition rules set by this agreement.")
    async def recognition_rules(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["RecognitionRule", strawberry.lazy("schema.credits")]]:
        from schema.credits import RecognitionRule

        return await related(
            info,
            "Agreement.recognitionRules",
            self.pk,
            RecognitionRule.from_row,
            first=first,
            after=after,
        )

    @strawberry.field
    async def evaluations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Evaluation", strawberry.lazy("schema.evaluations")]]:
        from schema.evaluations import Evaluation

        return await related(
            info, "Agreement.evaluations", self.pk, Evaluation.from_row, first=first, after=after
        )

    @strawberry.field(description="Meetings, visits and ceremonies concerning this agreement.")
    async def activities(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Activity", strawberry.lazy("schema.activities")]]:
        from schema.activities import Activity

        return await related(
            info, "Agreement.activities", self.pk, Activity.from_row, first=first, after=after
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

    @strawberry.field
    async def agreement(self, info: Info) -> Agreement | None:
        return Agreement.from_optional(await row_of(info.context, "Agreement", self.agreement_id))

    @strawberry.field
    async def organization(self, info: Info) -> OrganizationRef | None:
        return await _organization(info, self.organization_id)

    @strawberry.field(description="The person who signed for this party.")
    async def signatory(
        self, info: Info
    ) -> Annotated["Person", strawberry.lazy("schema.people")] | None:
        from schema.people import Person

        return Person.from_optional(await row_of(info.context, "Person", self.signatory_id))


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

    @strawberry.field
    async def agreement(self, info: Info) -> Agreement | None:
        return Agreement.from_optional(await row_of(info.context, "Agreement", self.agreement_id))

    @strawberry.field(description="The organization that owes it.")
    async def obligor(self, info: Info) -> OrganizationRef | None:
        return await _organization(info, self.obligor_id)

    @strawberry.field(description="The organization it is owed to.")
    async def beneficiary(self, info: Info) -> OrganizationRef | None:
        return await _organization(info, self.beneficiary_id)

    @strawberry.field(description="Every change of this commitment, oldest first.")
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["HistoryEntry"]:
        return await related(
            info, "Commitment.history", self.pk, HistoryEntry.from_row, first=first, after=after
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

    @strawberry.field
    async def agreement(self, info: Info) -> Agreement | None:
        return Agreement.from_optional(await row_of(info.context, "Agreement", self.agreement_id))


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
    @strawberry.field(description="Agreements, filtered and sorted; at most 100 a page.")
    async def agreements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AgreementFilter | None = None,
        order_by: AgreementOrder | None = None,
    ) -> Connection[Agreement]:
        page = await reads.agreements_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter),
        )
        return connection(page, Agreement.from_row)
