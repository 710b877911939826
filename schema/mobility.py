"""Mobility conditions of agreements and their EWP IIA export, as GraphQL: the node type, the
`addMobilityCondition` / `removeMobilityCondition` mutations (thin over
`resolvers.mobility_conditions`) and `EwpIia`, what `Agreement.ewpIia` answers."""

from decimal import Decimal
from typing import Annotated, Any, Self

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types.base import get_object_definition

from resolvers import mobility_conditions as writes
from resolvers.errors import BadUserInput
from resolvers.ewp.iias import IiaExport
from resolvers.ids import decode_id_of, encode_id
from resolvers.permissions import ANYONE
from schema.compiled.declare import referenced
from schema.enums import MobilityType
from schema.mutations import UserError, run_mutation
from schema.relay import Info, Node
from schema.wording import USER_ERRORS, VERSION

__all__ = ["EwpIia", "LanguageSkill", "MobilityCondition", "MobilityConditionMutation"]


@strawberry.type(description="A language a mobile student or staff member should know.")
class LanguageSkill:
    language: str = strawberry.field(description="A BCP 47 language tag (`en`, `zh-Hans`).")
    cefr: str | None = strawberry.field(
        description="The recommended CEFR level, A1 to C2; null when none is recommended."
    )


@strawberry.type(
    description="One cooperation condition of an agreement, as the EWP IIA schema has it: one "
    "flow of students or staff from a sending to a receiving party, for a span of academic "
    "years. Seen by whoever sees the agreement."
)
class MobilityCondition(Node):
    version: int = strawberry.field(description=VERSION)
    mobility_type: MobilityType = strawberry.field(
        description="Students for studies or traineeships, staff to teach or for training."
    )
    first_academic_year: int = strawberry.field(
        description="The year the first academic year starts (2026 is 2026/2027)."
    )
    last_academic_year: int = strawberry.field(
        description="The year the last academic year starts."
    )
    mobilities_per_year: int = strawberry.field(
        description="At most how many people are sent each academic year."
    )
    total_months_per_year: Decimal | None = strawberry.field(
        description="Students: the months of mobility a year, in total; null when not agreed."
    )
    total_days_per_year: Decimal | None = strawberry.field(
        description="Staff: the days of mobility a year, in total; null when not agreed."
    )
    isced_f_code: str | None = strawberry.field(
        description="The ISCED-F 2013 detailed field (four digits); null when any field."
    )
    isced_clarification: str | None = strawberry.field(
        description="What narrows the field, in words (never the field's own name)."
    )
    eqf_level_min: int | None = strawberry.field(
        description="Students: the lowest EQF level of those sent; null when any."
    )
    eqf_level_max: int | None = strawberry.field(
        description="Students: the highest EQF level of those sent; null when any."
    )
    blended: bool = strawberry.field(
        description="Students: whether blended mobility (short physical and virtual) is taken."
    )
    other_info: str | None = strawberry.field(description="Any other terms, in words.")
    agreement_id: strawberry.Private[int]
    sending_organization_id: strawberry.Private[int]
    receiving_organization_id: strawberry.Private[int]
    language_skills: strawberry.Private[list[dict[str, str | None]]]

    @strawberry.field(
        name="languageSkills",
        description="The recommended language skills, in order.",
    )
    def skills(self) -> list[LanguageSkill]:
        return [
            LanguageSkill(language=str(s["language"]), cefr=s.get("cefr"))
            for s in self.language_skills
        ]

    agreement = referenced("Agreement", "agreement_id", description="The agreement it is part of.")
    sending_organization = referenced(
        "Organization", "sending_organization_id", description="The party that sends."
    )
    receiving_organization = referenced(
        "Organization", "receiving_organization_id", description="The party that receives."
    )


@strawberry.type(
    description="An agreement as an EWP Interinstitutional Agreement (IIA API v7 `get` "
    "response), with the IIA hash the specification defines (docs/ewp.md)."
)
class EwpIia:
    iia_id: str = strawberry.field(description="The IIA's ID in EWP: the agreement's global ID.")
    xml: str | None = strawberry.field(
        description="An `iias-get-response` holding this IIA, valid against the EWP XSDs; null "
        "when `missing` is not empty."
    )
    iia_hash: str | None = strawberry.field(
        description="The `iia-hash`: SHA-256 of the cooperation conditions as the IIA v7 "
        "XSLT renders them; null when `missing` is not empty."
    )
    valid_for_approval: bool = strawberry.field(
        description="Whether a partner may approve it (no element is marked not yet defined)."
    )
    missing: list[str] = strawberry.field(
        description="What the agreement lacks to be exported (two partners, SCHAC codes)."
    )

    @classmethod
    def of(cls, found: IiaExport) -> Self:
        return cls(
            iia_id=found.iia_id,
            xml=found.xml.decode() if found.xml is not None else None,
            iia_hash=found.iia_hash,
            valid_for_approval=found.valid_for_approval,
            missing=list(found.missing),
        )


@strawberry.input(description="A recommended language skill.")
class LanguageSkillInput:
    language: str = strawberry.field(description="A BCP 47 language tag (`en`, `zh-Hans`).")
    cefr: str | None = strawberry.field(
        default=None, description="The recommended CEFR level, A1 to C2, if one is."
    )


@strawberry.input(description="A new cooperation condition of an agreement.")
class AddMobilityConditionInput:
    agreement: strawberry.ID = strawberry.field(
        description="The ID of the agreement; its terms must still be open to change."
    )
    agreement_version: int = strawberry.field(
        description="The agreement's `version` you read; a condition changes its terms."
    )
    mobility_type: MobilityType = strawberry.field(description="Who moves, to do what.")
    sending_organization: strawberry.ID = strawberry.field(
        description="The ID of the sending party (an institution or a unit party to it)."
    )
    receiving_organization: strawberry.ID = strawberry.field(
        description="The ID of the receiving party."
    )
    first_academic_year: int = strawberry.field(
        description="The year the first academic year starts (2026 for 2026/2027)."
    )
    last_academic_year: int = strawberry.field(description="The year the last one starts.")
    mobilities_per_year: int = strawberry.field(description="At most how many a year (1 or more).")
    total_months_per_year: Decimal | None = strawberry.field(
        default=None, description="Students: months a year in total (two decimals at most)."
    )
    total_days_per_year: Decimal | None = strawberry.field(
        default=None, description="Staff: days a year in total (two decimals at most)."
    )
    isced_f_code: str | None = strawberry.field(
        default=None, description="An ISCED-F 2013 detailed field (four digits)."
    )
    isced_clarification: str | None = strawberry.field(
        default=None, description="What narrows the field, in words."
    )
    eqf_level_min: int | None = strawberry.field(
        default=None, description="Students: the lowest EQF level (1-8), with the highest."
    )
    eqf_level_max: int | None = strawberry.field(
        default=None, description="Students: the highest EQF level (1-8)."
    )
    blended: bool = strawberry.field(default=False, description="Students: blended mobility.")
    language_skills: list[LanguageSkillInput] = strawberry.field(
        default_factory=list,
        description="Recommended languages, in order; at least one for student studies and "
        "staff teaching.",
    )
    other_info: str | None = strawberry.field(default=None, description="Other terms, in words.")


_KEEP = " Left out: unchanged."


@strawberry.input(
    description="What changes in a mobility condition: only the fields given (an explicit "
    "null clears a field that may be empty); checked as a new condition is."
)
class UpdateMobilityConditionInput:
    id: strawberry.ID = strawberry.field(description="The ID of the mobility condition.")
    version: int = strawberry.field(description="The condition's `version` you read.")
    agreement_version: int | None = strawberry.field(
        default=None,
        description="The agreement's `version` you read, if a change of the agreement since "
        "should refuse this one; the condition's `version` is checked in any case.",
    )
    mobility_type: MobilityType | None = strawberry.field(
        default=strawberry.UNSET, description="Who moves, to do what." + _KEEP
    )
    sending_organization: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The ID of the sending party." + _KEEP
    )
    receiving_organization: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The ID of the receiving party." + _KEEP
    )
    first_academic_year: int | None = strawberry.field(
        default=strawberry.UNSET, description="The year the first academic year starts." + _KEEP
    )
    last_academic_year: int | None = strawberry.field(
        default=strawberry.UNSET, description="The year the last one starts." + _KEEP
    )
    mobilities_per_year: int | None = strawberry.field(
        default=strawberry.UNSET, description="At most how many a year." + _KEEP
    )
    total_months_per_year: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Students: months a year in total." + _KEEP
    )
    total_days_per_year: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Staff: days a year in total." + _KEEP
    )
    isced_f_code: str | None = strawberry.field(
        default=strawberry.UNSET, description="An ISCED-F 2013 detailed field." + _KEEP
    )
    isced_clarification: str | None = strawberry.field(
        default=strawberry.UNSET, description="What narrows the field, in words." + _KEEP
    )
    eqf_level_min: int | None = strawberry.field(
        default=strawberry.UNSET, description="Students: the lowest EQF level." + _KEEP
    )
    eqf_level_max: int | None = strawberry.field(
        default=strawberry.UNSET, description="Students: the highest EQF level." + _KEEP
    )
    blended: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Students: blended mobility." + _KEEP
    )
    language_skills: list[LanguageSkillInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Recommended languages, in order." + _KEEP
    )
    other_info: str | None = strawberry.field(
        default=strawberry.UNSET, description="Other terms, in words." + _KEEP
    )


_REQUIRED = {
    "mobility_type",
    "sending_organization",
    "receiving_organization",
    "first_academic_year",
    "last_academic_year",
    "mobilities_per_year",
    "blended",
    "language_skills",
}
"""Fields of a condition that cannot be cleared (an explicit null is refused)."""


def _changes(input: UpdateMobilityConditionInput) -> dict[str, Any]:
    """The `MobilityTerms` fields an update input gives, decoded."""
    changes: dict[str, Any] = {}
    for name in (f.python_name for f in get_object_definition(input, strict=True).fields):
        value = getattr(input, name)
        if name in ("id", "version", "agreement_version") or value is strawberry.UNSET:
            continue
        camel = name.split("_")[0] + "".join(p.title() for p in name.split("_")[1:])
        if value is None and name in _REQUIRED:
            raise BadUserInput(f"{camel} cannot be cleared", field=camel)
        if name.endswith("organization"):
            changes[f"{name}_id"] = decode_id_of(value, "Organization", field=camel)
        elif name == "language_skills":
            changes[name] = [writes.LanguageSkill(s.language, s.cefr) for s in value]
        else:
            changes[name] = value
    return changes


@strawberry.input(description="Which mobility condition is removed.")
class RemoveMobilityConditionInput:
    id: strawberry.ID = strawberry.field(description="The ID of the mobility condition.")
    version: int = strawberry.field(description="The condition's `version` you read.")
    agreement_version: int | None = strawberry.field(
        default=None,
        description="The agreement's `version` you read, if you want a change of the agreement "
        "since refused (removing a condition changes its terms); the condition's `version` is "
        "checked in any case.",
    )


@strawberry.type(description="The mobility condition added, or why not.")
class MobilityConditionPayload:
    mobility_condition: MobilityCondition | None = strawberry.field(
        default=None, description="The condition; null when `userErrors` is not empty."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(description="The mobility condition removed, or why not.")
class RemoveMobilityConditionPayload:
    removed_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ID removed; null when `userErrors` is not empty."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


_INPUT = strawberry.argument(description="The one input object.")


@strawberry.type
class MobilityConditionMutation:
    @strawberry.mutation(
        description="A cooperation condition of an agreement (a change of its terms: a signed "
        "agreement goes back to negotiation)."
    )
    async def add_mobility_condition(
        self, info: Info, input: Annotated[AddMobilityConditionInput, _INPUT]
    ) -> MobilityConditionPayload:
        viewer = info.context.viewer

        async def work(connection: AsyncConnection) -> MobilityConditionPayload:
            terms = writes.MobilityTerms(
                mobility_type=input.mobility_type,
                sending_organization_id=decode_id_of(
                    input.sending_organization, "Organization", field="sendingOrganization"
                ),
                receiving_organization_id=decode_id_of(
                    input.receiving_organization, "Organization", field="receivingOrganization"
                ),
                first_academic_year=input.first_academic_year,
                last_academic_year=input.last_academic_year,
                mobilities_per_year=input.mobilities_per_year,
                total_months_per_year=input.total_months_per_year,
                total_days_per_year=input.total_days_per_year,
                isced_f_code=input.isced_f_code,
                isced_clarification=input.isced_clarification,
                eqf_level_min=input.eqf_level_min,
                eqf_level_max=input.eqf_level_max,
                blended=input.blended,
                language_skills=[
                    writes.LanguageSkill(s.language, s.cefr) for s in input.language_skills
                ],
                other_info=input.other_info,
            )
            row = await writes.add_condition(
                connection,
                viewer,
                decode_id_of(input.agreement, "Agreement", field="agreement"),
                input.agreement_version,
                terms,
            )
            return MobilityConditionPayload(mobility_condition=MobilityCondition.from_row(row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=MobilityConditionPayload,
            name="add mobility conditions",
        )

    @strawberry.mutation(
        description="Changes a cooperation condition (a change of the agreement's terms)."
    )
    async def update_mobility_condition(
        self, info: Info, input: Annotated[UpdateMobilityConditionInput, _INPUT]
    ) -> MobilityConditionPayload:
        viewer = info.context.viewer

        async def work(connection: AsyncConnection) -> MobilityConditionPayload:
            row = await writes.update_condition(
                connection,
                viewer,
                decode_id_of(input.id, "MobilityCondition", field="id"),
                input.version,
                input.agreement_version,
                _changes(input),
            )
            return MobilityConditionPayload(mobility_condition=MobilityCondition.from_row(row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=MobilityConditionPayload,
            name="change mobility conditions",
        )

    @strawberry.mutation(description="Removes a cooperation condition (a change of terms).")
    async def remove_mobility_condition(
        self, info: Info, input: Annotated[RemoveMobilityConditionInput, _INPUT]
    ) -> RemoveMobilityConditionPayload:
        viewer = info.context.viewer

        async def work(connection: AsyncConnection) -> RemoveMobilityConditionPayload:
            key = decode_id_of(input.id, "MobilityCondition", field="id")
            await writes.remove_condition(
                connection, viewer, key, input.version, input.agreement_version
            )
            return RemoveMobilityConditionPayload(
                removed_id=strawberry.ID(encode_id("MobilityCondition", key))
            )

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=RemoveMobilityConditionPayload,
            name="remove mobility conditions",
        )
