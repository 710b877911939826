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
from resolvers.ewp.iias import iia_of
from resolvers.nodes import row_of
from schema.compiled.declare import child_list, computed, list_of, localized_field, referenced
from schema.documents import versions_field
from schema.enums import (
    AgreementKind,
    AgreementStatus,
    CollaborationMode,
    CommitmentState,
    DocumentVisibility,
    PartyRole,
    RenewalRule,
)
from schema.field_docs import describe
from schema.mobility import EwpIia
from schema.names import names_field
from schema.relay import Connection, Info, Node, connection, list_request, related
from schema.wording import ILLUSTRATIVE, IN_LANGUAGE, VERSION

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


@describe(
    kind="Only agreements of one of these kinds.",
    status="Only agreements in one of these lifecycle states as of today (one in force "
    "past its end date counts as EXPIRED, as `status` reads).",
    mode="Only agreements covering at least one of these modes.",
    party="Only agreements this organization, or one of its units at any depth, is a party "
    "to (the organization alone with `includeUnits: false`).",
    party_kind="Only agreements with at least one party of one of these kinds "
    "(`[BUSINESS]`: agreements with companies).",
    party_country="Only agreements with at least one party in one of these countries "
    "(ISO 3166-1 alpha-2 codes, any case).",
    party_alliance="Only agreements with at least one party that is a current member of "
    "this alliance, or a unit of one.",
    active_on="Only agreements in force on this ISO date: signed (or later in the "
    "lifecycle) and within their effective period, an open end counting as in "
    "force.",
    expiring_before="Only agreements whose effective period ends before this ISO date, "
    "in any state (add `status: [ACTIVE]` for those still running: what "
    "expires in 90 days).",
    signed_from="Only agreements signed (by the last party) on or after this ISO date.",
    signed_to="Only agreements signed (by the last party) on or before this ISO date.",
    text="Only agreements whose English or local title contains this text, ignoring case.",
    include_units="Whether organizations take in their units (schools, departments) at any "
    "depth: in `party`, in `partyAlliance`'s members and, for an organization's "
    "`agreements`, in the organization listing them. True unless said.",
)
@strawberry.input(description="Conditions on agreements; all given conditions must hold.")
class AgreementFilter(reads.AgreementFilter):
    pass


@describe(
    field="What to sort by (when the record was made unless said); ties keep the order "
    "the records were made in.",
    direction="Descending (newest first) unless said.",
)
@strawberry.input(description="How to sort agreements.")
class AgreementOrder(reads.AgreementOrder):
    pass


@strawberry.type(
    description="A cooperation agreement between two or more parties: a memorandum of "
    "understanding, a framework or joint-program agreement, an exchange, a credit recognition "
    "agreement... Seen by its parties (and the organizations they belong to), by the "
    "secretariat of an alliance one party currently belongs to, and by admins; never by "
    "reporters (whose reports count it) or anonymous callers."
)
class Agreement(Node):
    title: strawberry.Private[str]
    title_field = localized_field(
        "Agreement",
        "title",
        description="The English title; `localTitle` holds the title in the local language."
        + IN_LANGUAGE,
    )
    local_title: str | None = strawberry.field(
        description="The title in the local language and script, where known."
    )
    reference: str | None = strawberry.field(
        description="The agreement's number in its source: the parties' file number, or the "
        "project ID of a CORDIS project."
    )
    short_title: strawberry.Private[str | None]
    short_title_field = localized_field(
        "Agreement",
        "short_title",
        description="The acronym (CORDIS projects)." + IN_LANGUAGE,
        nullable=True,
    )
    names = names_field("Agreement")
    call: str | None = strawberry.field(description="The funding call (CORDIS projects).")
    topic: str | None = strawberry.field(description="The call topic (CORDIS projects).")
    funding_scheme: str | None = strawberry.field(
        description="The funding scheme, e.g. HORIZON-RIA (CORDIS projects)."
    )
    kind: AgreementKind = strawberry.field(
        description="What sort of agreement: memorandum of understanding, framework, joint "
        "program, exchange, credit recognition, funding..."
    )
    description: str | None = strawberry.field(
        description="Free text: its purpose and main terms, in English."
    )
    signed_on: date | None = strawberry.field(
        description="The ISO date the last party signed; null until every party has."
    )
    effective_from: date | None = strawberry.field(
        description="The first ISO date it is in force; null when open or not yet agreed."
    )
    effective_to: date | None = strawberry.field(
        description="The last ISO date it is in force; null when open-ended. Once past it, "
        "an agreement in force reads EXPIRED."
    )
    renewal_rule: RenewalRule = strawberry.field(
        description="What happens at the end: NONE (it ends), MANUAL (the parties renew it "
        "with `renewAgreement`) or AUTOMATIC (it renews itself by its own terms)."
    )
    renewal_term_months: int | None = strawberry.field(
        description="How long a renewal runs, in months; a renewal is as long as this "
        "agreement when not given."
    )
    notice_period_days: int | None = strawberry.field(
        description="Days before `effectiveTo` by which a party must give notice: to end an "
        "agreement that renews itself (AUTOMATIC), or to ask for a renewal; null when none "
        "was agreed."
    )
    is_illustrative: bool = strawberry.field(description=ILLUSTRATIVE)
    version: int = strawberry.field(description=VERSION)
    terms_hash: str | None = strawberry.field(
        description="SHA-256 of the current terms (kind, period, parties, modes, commitments); "
        "each party's signature keeps the hash it signed."
    )
    created_at: datetime = strawberry.field(
        description="When the record was made here (ISO date-time, UTC), not when it was signed."
    )
    updated_at: datetime = strawberry.field(
        description="When the record last changed (ISO date-time, UTC)."
    )
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

    @strawberry.field(
        description="The last ISO date a party can give notice: `noticePeriodDays` before "
        "`effectiveTo`; null when either is unknown. Reminders (`NOTICE_DEADLINE` changes, "
        "`/calendar.ics`) are sent before it.",
        metadata=computed(lists.NOTICE_DEADLINE),
    )
    def notice_deadline(self) -> date | None:
        return reads.notice_deadline(self.effective_to, self.notice_period_days)

    @strawberry.field(
        description="The collaboration modes this agreement covers (credit recognition, "
        "vocational training...), in alphabetical order of their values."
    )
    async def modes(self, info: Info) -> list[CollaborationMode]:
        return [CollaborationMode(m) for m in await reads.modes_of(info.context).load(self.pk)]

    parent = referenced(
        "Agreement",
        "parent_id",
        description="The framework agreement this one implements; null for a top-level one "
        "or when the caller may not see the framework.",
    )

    predecessor = referenced(
        "Agreement",
        "predecessor_id",
        description="The agreement this one renews (made by `renewAgreement`); null for a "
        "first agreement.",
    )

    @strawberry.field(
        description="The agreement that renews this one, made by `renewAgreement`; null until "
        "it is renewed."
    )
    async def successor(self, info: Info) -> "Agreement | None":
        page = await related(
            info, "Agreement.successors", self.pk, Agreement.from_row, first=1, after=None
        )
        return page.edges[0].node if page.edges else None

    parties = list_of(
        "Agreement.parties",
        "AgreementParty",
        description="The parties, each with its role, signatory and signing date; at least "
        "two once submitted for approval.",
    )

    children = list_of(
        "Agreement.children",
        "Agreement",
        description="Agreements implementing this framework agreement, by start of their "
        "effective period; only those the caller may see.",
    )

    mobility_conditions = list_of(
        "Agreement.mobilityConditions",
        "MobilityCondition",
        description="Its cooperation conditions (EWP): who is sent where, how many, for which "
        "years, fields, levels and languages; in the order they were added.",
    )

    @strawberry.field(
        description="The agreement as an EWP Interinstitutional Agreement (IIA API v7), with "
        "its IIA hash; see docs/ewp.md."
    )
    async def ewp_iia(self, info: Info) -> EwpIia | None:
        found = await iia_of(info.context).load(self.pk)
        return None if found is None else EwpIia.of(found)

    approvals = list_of(
        "Agreement.approvals",
        "Approval",
        description="The approvals on record (a ministry's, a university's internal chain), "
        "by decision date; `activateAgreement` needs those the approval policy requires.",
    )

    commitments = list_of(
        "Agreement.commitments",
        "Commitment",
        description="Who owes what to whom by when under this agreement, by due date.",
    )

    documents = list_of(
        "Agreement.documents",
        "Document",
        description="Its documents (the signed text, annexes), by date issued.",
    )

    history = list_of(
        "Agreement.history",
        "HistoryEntry",
        description="Every recorded change of the agreement, its parties and its "
        "commitments (who, when, old and new values), oldest first.",
    )

    programs = list_of(
        "Agreement.programs",
        "Program",
        description="Programs run under this agreement, by name.",
    )

    resource_shares = list_of(
        "Agreement.resourceShares",
        "ResourceShare",
        description="Resources shared under this agreement, with terms and period, by start date.",
    )

    funding = list_of(
        "Agreement.funding",
        "Funding",
        description="Grants and special funds awarded to this agreement, by award date; each "
        "amount is in its own currency.",
    )

    recognition_rules = list_of(
        "Agreement.recognitionRules",
        "RecognitionRule",
        description="The credit recognition rules this agreement sets: how credits earned at "
        "one party count at another.",
    )

    evaluations = list_of(
        "Agreement.evaluations",
        "Evaluation",
        description="Periodic evaluations of this agreement against indicators, by end of "
        "the period evaluated.",
    )

    activities = list_of(
        "Agreement.activities",
        "Activity",
        description="Meetings, visits and ceremonies concerning this agreement, by date held.",
    )


@strawberry.type(
    description="One party to an agreement: its role, signatory and signing date. Seen by "
    "whoever sees the agreement."
)
class AgreementParty(Node):
    version: int = strawberry.field(description=VERSION)
    role: PartyRole = strawberry.field(
        description="The party's part: lead, partner, funder, host or approver."
    )
    signed_on: date | None = strawberry.field(
        description="The ISO date this party signed; null until it has (and again after a "
        "change of terms clears the signatures)."
    )
    signed_terms_hash: str | None = strawberry.field(
        description="The agreement's `termsHash` when this party signed: which version of "
        "the terms it approved."
    )
    source_role: str | None = strawberry.field(
        description="The role as the registry it was loaded from names it (CORDIS: "
        "coordinator, participant, associatedPartner, thirdParty)."
    )
    agreement_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    signatory_id: strawberry.Private[int | None]

    agreement = referenced(
        "Agreement", "agreement_id", description="The agreement this organization is party to."
    )

    organization = referenced(
        "Organization", "organization_id", description="The organization that is the party."
    )

    signatory = referenced(
        "Person",
        "signatory_id",
        description="The person who signed for this party; null until it signs, or when the "
        "caller may not see the person (personal data).",
    )


@strawberry.type(
    description="What one party owes under an agreement, to whom, by when, and whether it was "
    "delivered. Seen by whoever sees the agreement."
)
class Commitment(Node):
    description: str = strawberry.field(
        description="What is owed (`host 20 exchange students a year`), in English."
    )
    due_on: date | None = strawberry.field(
        description="The ISO date it is due; null when no date was set."
    )
    delivered_on: date | None = strawberry.field(
        description="The ISO date it was delivered or waived; null while open."
    )
    version: int = strawberry.field(description=VERSION)
    status: strawberry.Private[str]
    agreement_id: strawberry.Private[int]
    obligor_id: strawberry.Private[int]
    beneficiary_id: strawberry.Private[int | None]

    @strawberry.field(
        name="status",
        description="OPEN, DELIVERED or WAIVED as recorded; an open one reads OVERDUE once its "
        "due date is past.",
    )
    def state(self) -> CommitmentState:
        return reads.commitment_state(self.status, self.due_on, date.today())

    agreement = referenced(
        "Agreement", "agreement_id", description="The agreement the commitment is made under."
    )

    obligor = referenced("Organization", "obligor_id", description="The party that owes it.")

    beneficiary = referenced(
        "Organization",
        "beneficiary_id",
        description="The organization it is owed to; null when none was named.",
    )

    history = list_of(
        "Commitment.history",
        "HistoryEntry",
        description="Every recorded change of this commitment (created, delivered, waived, "
        "carried over to a renewal), oldest first.",
    )


@strawberry.type(
    description="A document of an agreement (the signed text, an annex). Seen by whoever sees "
    "the agreement."
)
class Document(Node):
    version: int = strawberry.field(description=VERSION)
    title: str = strawberry.field(description="The document's title, as written on it.")
    language: str | None = strawberry.field(
        description="The language of the text, as a BCP 47 tag (`zh`, `en`), where known."
    )
    url: str | None = strawberry.field(
        description="Where the document can be read or downloaded, where it is online."
    )
    issued_on: date | None = strawberry.field(
        description="The ISO date on the document, where known."
    )
    visibility: DocumentVisibility = strawberry.field(
        description="Who may read it and download its content: PUBLIC, PARTIES (whoever sees "
        "the agreement) or OWNER (its owner organization alone)."
    )
    agreement_id: strawberry.Private[int]
    owner_id: strawberry.Private[int | None]

    owner = referenced(
        "Organization",
        "owner_id",
        description="The organization that keeps the document; null when none was named.",
    )
    versions = versions_field()

    agreement = referenced(
        "Agreement", "agreement_id", description="The agreement the document belongs to."
    )


@strawberry.type(
    description="One recorded change: who, when, what, with old and new values. Written in "
    "the same transaction as the change; seen by whoever sees the agreement (or proposal) it "
    "belongs to; membership changes are public."
)
class HistoryEntry(Node):
    subject_type: str = strawberry.field(
        description="What changed, as a table name: `agreement`, `agreement_party`, "
        "`commitment`, `membership` or `proposal`."
    )
    subject_id: strawberry.Private[int]
    action: str = strawberry.field(
        description="What happened, in words (`created`, `party added`, `signed`, `terms "
        "changed`, `renewed`, `left`...)."
    )
    actor: str | None = strawberry.field(
        description="Who made the change: `token:<id>` for an API token, else the role or "
        "loader that wrote it."
    )
    changed_at: datetime = strawberry.field(
        description="When the change was made (ISO date-time, UTC)."
    )
    changes: JSON = strawberry.field(
        description='The values changed, by column name: `{"status": {"old": "draft", '
        '"new": "under_negotiation"}}`; dates and decimals as strings.'
    )
    agreement_id: strawberry.Private[int | None]


@strawberry.type
class AgreementQuery:
    @strawberry.field(
        description="Agreements the caller may see, filtered and sorted (newest record first "
        "unless said): an admin sees all; an editor or viewer those its organization or a "
        "unit is party to; a secretariat those with a current member as a party; reporters "
        "and anonymous callers none (reports count them).",
        metadata=child_list(lists.AGREEMENTS),
    )
    async def agreements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            AgreementFilter | None,
            strawberry.argument(description="Only agreements meeting every condition given."),
        ] = None,
        order_by: Annotated[
            AgreementOrder | None,
            strawberry.argument(description="How to sort; newest record first when not given."),
        ] = None,
    ) -> Connection[Agreement]:
        page = await reads.agreements_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Agreement.from_row)
