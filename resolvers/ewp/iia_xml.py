"""An IIA v7 `get-response` made from plain data: the elements in the order the schema
(xsd/iias-get-response.xsd) fixes, the `iia-hash` computed from the element itself
(`resolvers.ewp.iia_hash`), so the hash is always that of what is sent."""

from collections.abc import Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from db.enums import MobilityType
from resolvers.ewp.iia_hash import iia_hash

__all__ = ["NS", "Condition", "Iia", "Partner", "Side", "iia_element", "response"]

NS = "https://github.com/erasmus-without-paper/ewp-specs-api-iias/blob/stable-v7/endpoints/get-response.xsd"
_SPEC = {
    MobilityType.STUDENT_STUDIES: "student-studies-mobility-spec",
    MobilityType.STUDENT_TRAINEESHIP: "student-traineeship-mobility-spec",
    MobilityType.STAFF_TEACHING: "staff-teacher-mobility-spec",
    MobilityType.STAFF_TRAINING: "staff-training-mobility-spec",
}
_ORDER = list(_SPEC)
"""The schema's order of the four kinds inside `cooperation-conditions`."""


@dataclass(frozen=True, slots=True)
class Side:
    hei_id: str
    ounit_id: str | None = None


@dataclass(frozen=True, slots=True)
class Partner:
    side: Side
    iia_id: str | None = None
    iia_code: str | None = None
    signing_date: date | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    """A `mobility_condition` row with its two sides resolved to SCHAC codes."""

    row: Mapping[Any, Any]
    sending: Side
    receiving: Side


@dataclass(frozen=True, slots=True)
class Iia:
    partners: tuple[Partner, Partner]
    in_effect: bool
    conditions: tuple[Condition, ...]


def _add(parent: etree._Element, name: str, text: object | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _year(start: int) -> str:
    return f"{start}/{start + 1}"


def _condition(parent: etree._Element, condition: Condition) -> None:
    row = condition.row
    kind = MobilityType(row["mobility_type"])
    spec = _add(parent, _SPEC[kind])
    _add(spec, "sending-hei-id", condition.sending.hei_id)
    if condition.sending.ounit_id:
        _add(spec, "sending-ounit-id", condition.sending.ounit_id)
    _add(spec, "receiving-hei-id", condition.receiving.hei_id)
    if condition.receiving.ounit_id:
        _add(spec, "receiving-ounit-id", condition.receiving.ounit_id)
    _add(spec, "receiving-first-academic-year-id", _year(row["first_academic_year"]))
    _add(spec, "receiving-last-academic-year-id", _year(row["last_academic_year"]))
    _add(spec, "mobilities-per-year", row["mobilities_per_year"])
    for skill in row["language_skills"] or []:
        element = _add(spec, "recommended-language-skill")
        _add(element, "language", skill["language"])
        if skill.get("cefr"):
            _add(element, "cefr-level", skill["cefr"])
    if row["isced_f_code"]:
        area = _add(spec, "subject-area")
        _add(area, "isced-f-code", row["isced_f_code"])
        if row["isced_clarification"]:
            _add(area, "isced-clarification", row["isced_clarification"])
    if row["other_info"]:
        _add(spec, "other-info-terms", row["other_info"])
    if kind in (MobilityType.STUDENT_STUDIES, MobilityType.STUDENT_TRAINEESHIP):
        if row["total_months_per_year"] is not None:
            _add(spec, "total-months-per-year", _number(row["total_months_per_year"]))
        _add(spec, "blended", "true" if row["blended"] else "false")
        if row["eqf_level_min"] is not None:
            for level in range(row["eqf_level_min"], row["eqf_level_max"] + 1):
                _add(spec, "eqf-level", level)
    elif row["total_days_per_year"] is not None:
        _add(spec, "total-days-per-year", _number(row["total_days_per_year"]))


def iia_element(iia: Iia) -> etree._Element:
    """One `<iia>`: partners (the local one first), in-effect, the cooperation conditions in
    the schema's order (by kind, then as stored), the hash."""
    element = etree.Element(f"{{{NS}}}iia", nsmap={None: NS})  # type: ignore[dict-item]
    for partner in iia.partners:
        node = _add(element, "partner")
        _add(node, "hei-id", partner.side.hei_id)
        if partner.side.ounit_id:
            _add(node, "ounit-id", partner.side.ounit_id)
        if partner.iia_id:
            _add(node, "iia-id", partner.iia_id)
        if partner.iia_code:
            _add(node, "iia-code", partner.iia_code)
        if partner.signing_date:
            _add(node, "signing-date", partner.signing_date.isoformat())
    _add(element, "in-effect", "true" if iia.in_effect else "false")
    conditions = _add(element, "cooperation-conditions")
    ordered = sorted(
        iia.conditions,
        key=lambda c: (_ORDER.index(MobilityType(c.row["mobility_type"])), c.row["id"]),
    )
    for condition in ordered:
        _condition(conditions, condition)
    _add(element, "iia-hash", iia_hash(element))
    return element


def response(elements: Iterable[etree._Element]) -> bytes:
    """The `iias-get-response` holding these `<iia>` elements, as UTF-8 XML."""
    root = etree.Element(f"{{{NS}}}iias-get-response", nsmap={None: NS})  # type: ignore[dict-item]
    root.extend(deepcopy(element) for element in elements)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
