"""The inputs and payloads of the agreement, commitment and membership mutations
(`schema.agreement_mutations`), each field described for GraphiQL's docs pane.
"""

from datetime import date

import strawberry

from schema.agreements import Agreement, Commitment
from schema.alliances import Membership
from schema.enums import AgreementKind, CollaborationMode, MembershipRole, PartyRole, RenewalRule
from schema.mutations import UserError
from schema.wording import USER_ERRORS

__all__ = [
    "AddCommitmentInput",
    "AddMemberInput",
    "AgreementPayload",
    "AgreementVersionInput",
    "ChangeMemberRoleInput",
    "CommitmentPayload",
    "CreateAgreementInput",
    "DeletePayload",
    "MemberLeavingInput",
    "MembershipPayload",
    "PartyInput",
    "RenewAgreementInput",
    "SettleCommitmentInput",
    "SignAgreementInput",
    "UpdateAgreementInput",
]

_ID = "The ID of the {} to change."
_VERSION = "The `version` of the {} as you read it; a stale one is refused (STALE_VERSION)."


@strawberry.type(
    description="What an agreement mutation answers: the agreement as it now is, or why "
    "nothing changed."
)
class AgreementPayload:
    agreement: Agreement | None = strawberry.field(
        default=None,
        description="The agreement after the change (for `renewAgreement`, the new "
        "successor); null when `userErrors` is not empty.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(
    description="What a commitment mutation answers: the commitment as it now is, or why "
    "nothing changed."
)
class CommitmentPayload:
    commitment: Commitment | None = strawberry.field(
        default=None,
        description="The commitment after the change; null when `userErrors` is not empty.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(
    description="What a membership mutation answers: the membership as it now is, or why "
    "nothing changed."
)
class MembershipPayload:
    membership: Membership | None = strawberry.field(
        default=None,
        description="The membership after the change (for `changeMemberRole`, the new one "
        "that starts); null when `userErrors` is not empty.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(description="What `deleteAgreement` answers: the ID deleted, or why not.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The ID of the agreement deleted; null when `userErrors` is not empty.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.input(description="A party and its role (PARTNER unless said).")
class PartyInput:
    organization: strawberry.ID = strawberry.field(
        description="The ID of the party's organization. One the caller does not edit is "
        "refused with CONSENT_REQUIRED: propose it with `proposeAgreementParty` instead."
    )
    role: PartyRole = strawberry.field(
        default=PartyRole.PARTNER, description="Its role; PARTNER when not given."
    )


@strawberry.input(description="The terms of a new agreement, made as a DRAFT.")
class CreateAgreementInput:
    title: str = strawberry.field(description="The English title; not blank.")
    kind: AgreementKind = strawberry.field(description="What sort of agreement it is.")
    parties: list[PartyInput] = strawberry.field(
        description="One or more distinct parties (at most 250); submitting it for approval "
        "needs two. An editor names only organizations it edits and proposes the others."
    )
    modes: list[CollaborationMode] = strawberry.field(
        default_factory=list, description="The collaboration modes it covers; none by default."
    )
    local_title: str | None = strawberry.field(
        default=None, description="The title in the local language and script."
    )
    reference: str | None = strawberry.field(
        default=None, description="The parties' own file number for it."
    )
    description: str | None = strawberry.field(
        default=None, description="Free text: its purpose and main terms."
    )
    effective_from: date | None = strawberry.field(
        default=None, description="The first ISO date it is in force, if agreed."
    )
    effective_to: date | None = strawberry.field(
        default=None,
        description="The last ISO date it is in force, if agreed; not before `effectiveFrom`.",
    )
    renewal_rule: RenewalRule = strawberry.field(
        default=RenewalRule.NONE, description="What happens at the end; NONE when not given."
    )
    renewal_term_months: int | None = strawberry.field(
        default=None,
        description="How long a renewal runs, in months (1 to 600); the same length as this "
        "agreement when not given.",
    )
    notice_period_days: int | None = strawberry.field(
        default=None,
        description="Days before `effectiveTo` by which a party must give notice (0 to 3650); "
        "none when not given.",
    )
    parent: strawberry.ID | None = strawberry.field(
        default=None,
        description="The ID of the framework agreement this one implements, if any; one the "
        "caller may change.",
    )


@strawberry.input(
    description="Only the fields given change; a field given as null is cleared (title, kind "
    "and renewalRule cannot be). `parties` and `modes`, when given, replace the lists."
)
class UpdateAgreementInput:
    id: strawberry.ID = strawberry.field(description=_ID.format("agreement"))
    version: int = strawberry.field(description=_VERSION.format("agreement"))
    title: str | None = strawberry.field(default=strawberry.UNSET, description="The English title.")
    local_title: str | None = strawberry.field(
        default=strawberry.UNSET, description="The title in the local language and script."
    )
    reference: str | None = strawberry.field(
        default=strawberry.UNSET, description="The parties' own file number for it."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Free text: its purpose and main terms."
    )
    kind: AgreementKind | None = strawberry.field(
        default=strawberry.UNSET, description="What sort of agreement it is (a change of terms)."
    )
    effective_from: date | None = strawberry.field(
        default=strawberry.UNSET, description="The first ISO date in force (a change of terms)."
    )
    effective_to: date | None = strawberry.field(
        default=strawberry.UNSET, description="The last ISO date in force (a change of terms)."
    )
    renewal_rule: RenewalRule | None = strawberry.field(
        default=strawberry.UNSET, description="What happens at the end."
    )
    renewal_term_months: int | None = strawberry.field(
        default=strawberry.UNSET, description="How long a renewal runs, in months (1 to 600)."
    )
    notice_period_days: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Days before `effectiveTo` by which a party must give notice (0 to 3650); "
        "not a change of terms, so it may be set on an agreement in force.",
    )
    parties: list[PartyInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The whole new list of parties (a change of terms). Removing a party or "
        "changing its role needs that party's editor or an admin.",
    )
    modes: list[CollaborationMode] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The whole new list of collaboration modes (a change of terms).",
    )


@strawberry.input(description="Which agreement, at which version: a lifecycle step needs no more.")
class AgreementVersionInput:
    id: strawberry.ID = strawberry.field(description=_ID.format("agreement"))
    version: int = strawberry.field(description=_VERSION.format("agreement"))


@strawberry.input(description="One party's signature of an agreement awaiting approval.")
class SignAgreementInput:
    id: strawberry.ID = strawberry.field(description="The ID of the agreement to sign.")
    version: int = strawberry.field(description=_VERSION.format("agreement"))
    party: strawberry.ID = strawberry.field(
        description="The ID of the signing party's organization; the caller must edit it."
    )
    signatory: strawberry.ID = strawberry.field(
        description="The ID of the person signing: one with a current position at that "
        "organization or one of its units."
    )
    signed_on: date | None = strawberry.field(
        default=None,
        description="The ISO date of the signature, not in the future; today if not given.",
    )


@strawberry.input(description="Which agreement to renew, and until when.")
class RenewAgreementInput:
    id: strawberry.ID = strawberry.field(description="The ID of the agreement to renew.")
    version: int = strawberry.field(description=_VERSION.format("agreement"))
    effective_to: date | None = strawberry.field(
        default=None,
        description="The successor's last ISO date in force; by default its renewal term, or "
        "as long as this agreement.",
    )


@strawberry.input(description="A new commitment of one party under an agreement.")
class AddCommitmentInput:
    agreement: strawberry.ID = strawberry.field(
        description="The ID of the agreement; its terms must still be open to change (not "
        "in force: renew it instead)."
    )
    agreement_version: int = strawberry.field(
        description=_VERSION.format("agreement") + " A commitment changes the terms."
    )
    obligor: strawberry.ID = strawberry.field(
        description="The ID of the organization that owes it: a party to the agreement."
    )
    description: str = strawberry.field(description="What is owed, in English.")
    beneficiary: strawberry.ID | None = strawberry.field(
        default=None,
        description="The ID of the organization it is owed to, if one is named.",
    )
    due_on: date | None = strawberry.field(
        default=None, description="The ISO date it is due, if there is one."
    )


@strawberry.input(description="Which open commitment is settled, and on which day.")
class SettleCommitmentInput:
    id: strawberry.ID = strawberry.field(description=_ID.format("commitment"))
    version: int = strawberry.field(description=_VERSION.format("commitment"))
    on: date | None = strawberry.field(
        default=None, description="The ISO date it was delivered or waived; today if not given."
    )


@strawberry.input(description="An organization joining an alliance.")
class AddMemberInput:
    alliance: strawberry.ID = strawberry.field(
        description="The ID of the alliance; the caller must be its secretariat (or an admin)."
    )
    organization: strawberry.ID = strawberry.field(
        description="The ID of the joining organization. One the caller does not edit is "
        "refused with CONSENT_REQUIRED: invite it with `proposeMembership` instead."
    )
    role: MembershipRole = strawberry.field(
        default=MembershipRole.MEMBER,
        description="Its role; MEMBER when not given. At most one current CHAIR.",
    )
    joined_on: date | None = strawberry.field(
        default=None, description="The ISO date it joined, if known."
    )


@strawberry.input(description="A member's new role, from a date.")
class ChangeMemberRoleInput:
    id: strawberry.ID = strawberry.field(description="The ID of the current membership.")
    version: int = strawberry.field(description=_VERSION.format("membership"))
    role: MembershipRole = strawberry.field(
        description="The new role; at most one current CHAIR per alliance."
    )
    on: date = strawberry.field(
        description="The ISO date the old role ends and the new one begins."
    )


@strawberry.input(description="A member leaving its alliance.")
class MemberLeavingInput:
    id: strawberry.ID = strawberry.field(description="The ID of the current membership.")
    version: int = strawberry.field(description=_VERSION.format("membership"))
    left_on: date = strawberry.field(description="The ISO date it left.")
