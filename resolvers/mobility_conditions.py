"""An agreement's mobility conditions (its EWP cooperation conditions): adding or removing one
changes the agreement's terms, so it bumps the agreement's version, rehashes its terms and
reopens it when signed, as a new commitment does.

The rules are those the EWP IIA v7 schema states, checked before anything is written: both
sides parties to the agreement and different, academic years in order, at least one mobility a
year, a detailed ISCED-F field, EQF levels 1-8 in order, languages as BCP 47 tags with CEFR
levels (at least one for student studies and staff teaching), months for students and days
for staff.
"""

import re
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

import pycountry
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from db.enums import MobilityType
from resolvers.agreement_commitments import terms_changed
from resolvers.agreement_lifecycle import load_agreement, load_for_change, party_organizations
from resolvers.codes import check_eqf_level, check_field_of_study
from resolvers.errors import BadUserInput, UnknownCode, excerpt
from resolvers.viewer import Viewer
from resolvers.write_declarations import MUTATIONS
from resolvers.write_scope import check_reference, load_for_write, require_change
from resolvers.writes import delete_row, insert_row, update_row

__all__ = [
    "LanguageSkill",
    "MobilityTerms",
    "add_condition",
    "remove_condition",
    "update_condition",
]

CONDITION = table_of(t.MobilityCondition)
_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*")
_CEFR = {"A1", "A2", "B1", "B2", "C1", "C2"}
_STUDENTS = {MobilityType.STUDENT_STUDIES, MobilityType.STUDENT_TRAINEESHIP}
_NEED_LANGUAGE = {MobilityType.STUDENT_STUDIES, MobilityType.STAFF_TEACHING}


@dataclass(frozen=True, slots=True)
class LanguageSkill:
    language: str
    cefr: str | None = None


@dataclass(frozen=True)
class MobilityTerms:
    mobility_type: MobilityType
    sending_organization_id: int
    receiving_organization_id: int
    first_academic_year: int
    last_academic_year: int
    mobilities_per_year: int
    total_months_per_year: Decimal | None = None
    total_days_per_year: Decimal | None = None
    isced_f_code: str | None = None
    isced_clarification: str | None = None
    eqf_level_min: int | None = None
    eqf_level_max: int | None = None
    blended: bool = False
    language_skills: list[LanguageSkill] = field(default_factory=list)
    other_info: str | None = None


def _check_language(skill: LanguageSkill, at: str) -> dict[str, Any]:
    primary = skill.language.split("-")[0].lower()
    known = pycountry.languages.get(alpha_2=primary) if len(primary) == 2 else None
    known = known or pycountry.languages.get(alpha_3=primary)
    if not _LANGUAGE.fullmatch(skill.language) or known is None:
        raise UnknownCode(
            f"{excerpt(skill.language)} is not a BCP 47 language tag (e.g. en, zh-Hans)",
            field=f"{at}.language",
        )
    if skill.cefr is not None and skill.cefr not in _CEFR:
        raise UnknownCode(
            f"{excerpt(skill.cefr)} is not a CEFR level (A1 to C2)", field=f"{at}.cefr"
        )
    return {"language": skill.language, "cefr": skill.cefr}


def _check_terms(terms: MobilityTerms, parties: list[int]) -> dict[str, Any]:
    for side in ("sending", "receiving"):
        if getattr(terms, f"{side}_organization_id") not in parties:
            raise BadUserInput(
                f"the {side} organization must be a party to the agreement",
                field=f"{side}Organization",
            )
    if terms.sending_organization_id == terms.receiving_organization_id:
        raise BadUserInput(
            "a mobility goes from one party to another", field="receivingOrganization"
        )
    if not 1900 <= terms.first_academic_year <= 2200:
        raise BadUserInput(
            "an academic year is given by the year it starts", field="firstAcademicYear"
        )
    if terms.last_academic_year < terms.first_academic_year:
        raise BadUserInput(
            "the last academic year cannot precede the first", field="lastAcademicYear"
        )
    if terms.mobilities_per_year < 1:
        raise BadUserInput("at least one mobility a year", field="mobilitiesPerYear")
    students = terms.mobility_type in _STUDENTS
    for name, allowed in (
        ("total_months_per_year", students),
        ("total_days_per_year", not students),
    ):
        value = getattr(terms, name)
        if value is None:
            continue
        camel = "totalMonthsPerYear" if "months" in name else "totalDaysPerYear"
        if not allowed:
            raise BadUserInput("students' mobilities count months, staff's count days", field=camel)
        if value <= 0 or value != round(value, 2):
            raise BadUserInput("a positive number with at most two decimals", field=camel)
    if terms.isced_f_code is not None:
        check_field_of_study(terms.isced_f_code, field="iscedFCode")
    for name in ("eqf_level_min", "eqf_level_max"):
        level = getattr(terms, name)
        if level is not None:
            check_eqf_level(level, field="eqfLevelMin" if "min" in name else "eqfLevelMax")
    if (terms.eqf_level_min is None) != (terms.eqf_level_max is None) or (
        terms.eqf_level_min is not None
        and terms.eqf_level_max is not None
        and terms.eqf_level_max < terms.eqf_level_min
    ):
        raise BadUserInput(
            "EQF levels go from a lowest to a highest, both given", field="eqfLevelMax"
        )
    if not students and (terms.eqf_level_min is not None or terms.blended):
        raise BadUserInput("EQF levels and blended mobility are for students", field="eqfLevelMin")
    skills = [
        _check_language(skill, f"languageSkills.{index}")
        for index, skill in enumerate(terms.language_skills)
    ]
    if terms.mobility_type in _NEED_LANGUAGE and not skills:
        raise BadUserInput(
            "student studies and staff teaching name at least one recommended language",
            field="languageSkills",
        )
    return {
        "mobility_type": terms.mobility_type.value,
        "sending_organization_id": terms.sending_organization_id,
        "receiving_organization_id": terms.receiving_organization_id,
        "first_academic_year": terms.first_academic_year,
        "last_academic_year": terms.last_academic_year,
        "mobilities_per_year": terms.mobilities_per_year,
        "total_months_per_year": terms.total_months_per_year,
        "total_days_per_year": terms.total_days_per_year,
        "isced_f_code": terms.isced_f_code,
        "isced_clarification": terms.isced_clarification,
        "eqf_level_min": terms.eqf_level_min,
        "eqf_level_max": terms.eqf_level_max,
        "blended": terms.blended,
        "language_skills": skills,
        "other_info": terms.other_info,
    }


async def add_condition(
    connection: AsyncConnection,
    viewer: Viewer,
    agreement_id: int,
    version: int,
    terms: MobilityTerms,
) -> RowMapping:
    await load_for_change(
        connection, viewer, agreement_id, doing="add mobility conditions to it", field="agreement"
    )
    _, sending, receiving = MUTATIONS["addMobilityCondition"]
    await check_reference(connection, viewer, sending, terms.sending_organization_id)
    await check_reference(connection, viewer, receiving, terms.receiving_organization_id)
    values = _check_terms(terms, await party_organizations(connection, agreement_id))
    row = await insert_row(
        connection, CONDITION, {"agreement_id": agreement_id, **values}, actor=viewer.label
    )
    await terms_changed(connection, viewer, agreement_id, version)
    return row


async def remove_condition(
    connection: AsyncConnection,
    viewer: Viewer,
    key: int,
    version: int,
    agreement_version: int | None,
) -> RowMapping:
    condition = await load_for_write(connection, viewer, "MobilityCondition", key)
    await require_change(
        connection, viewer, "MobilityCondition", condition, doing="remove this mobility condition"
    )
    row = await delete_row(
        connection, CONDITION, key, version, actor=viewer.label, what="mobility condition"
    )
    agreement_id = condition["agreement_id"]
    if agreement_version is None:
        agreement_version = (await load_agreement(connection, agreement_id))["version"]
    await terms_changed(connection, viewer, agreement_id, agreement_version)
    return row


def _terms_of(row: RowMapping) -> MobilityTerms:
    given = {f.name: row[f.name] for f in fields(MobilityTerms)}
    given["mobility_type"] = MobilityType(row["mobility_type"])
    given["language_skills"] = [
        LanguageSkill(s["language"], s.get("cefr")) for s in row["language_skills"] or []
    ]
    return MobilityTerms(**given)


async def update_condition(
    connection: AsyncConnection,
    viewer: Viewer,
    key: int,
    version: int,
    agreement_version: int | None,
    changes: dict[str, Any],
) -> RowMapping:
    """Changes the fields given (`MobilityTerms` names), checked as a new condition is."""
    condition = await load_for_write(connection, viewer, "MobilityCondition", key)
    await require_change(
        connection, viewer, "MobilityCondition", condition, doing="change this mobility condition"
    )
    _, sending, receiving = MUTATIONS["updateMobilityCondition"]
    for ref, name in (
        (sending, "sending_organization_id"),
        (receiving, "receiving_organization_id"),
    ):
        if changes.get(name) is not None:
            await check_reference(connection, viewer, ref, changes[name])
    agreement_id = condition["agreement_id"]
    terms = replace(_terms_of(condition), **changes)
    values = _check_terms(terms, await party_organizations(connection, agreement_id))
    row = await update_row(
        connection, CONDITION, key, version, values, actor=viewer.label, what="mobility condition"
    )
    if agreement_version is None:
        agreement_version = (await load_agreement(connection, agreement_id))["version"]
    await terms_changed(connection, viewer, agreement_id, agreement_version)
    return row
