"""The IIA hash against the specification's own examples (ewp-specs-api-iias stable-v7)."""

import hashlib
from pathlib import Path

from lxml import etree

from resolvers.ewp.iia_hash import iia_hash, text_to_hash, valid_for_approval
from resolvers.ewp.iia_xml import NS

DATA = Path(__file__).parents[2] / "data" / "ewp"
XSD = Path(__file__).parents[3] / "resolvers" / "ewp" / "xsd" / "iias-get-response.xsd"

# resources/xsltKit/README.md: the text-to-hash of get-response-v7.xml.
KIT_TEXT = (
    "_iia-id_1=0f7a5682-faf7-49a7-9cc7-ec486c49a281__iia-id_2=1954991__cooperation-conditions."
    "student-studies-mobility-spec.sending-hei-id=uw.edu.pl__cooperation-conditions.student-"
    "studies-mobility-spec.sending-ounit-id=140__cooperation-conditions.student-studies-mobility-"
    "spec.receiving-hei-id=hibo.no__student-studies-mobility-spec.subject-area.isced-f-code=031__"
    "student-studies-mobility-spec.subject-area.isced-clarification=Social and behavioural "
    "sciences__cooperation-conditions.student-studies-mobility-spec.total-months-per-year=5__"
    "cooperation-conditions.student-studies-mobility-spec.blended=false__cooperation-conditions."
    "student-studies-mobility-spec.eqf-level=7__cooperation-conditions.student-studies-mobility-"
    "spec.eqf-level=8__receiving-first-academic-year-id=2014/2015__receiving-last-academic-year-"
    "id=2020/2021__cooperation-conditions.staff-teacher-mobility-spec.sending-hei-id=uw.edu.pl__"
    "cooperation-conditions.staff-teacher-mobility-spec.sending-ounit-id=140__cooperation-"
    "conditions.staff-teacher-mobility-spec.receiving-hei-id=hibo.no__cooperation-conditions."
    "staff-teacher-mobility-spec.mobilities-per-year=2__staff-teacher-mobility-spec.recommended-"
    "language-skill.language=en__staff-teacher-mobility-spec.recommended-language-skill.cefr-"
    "level=C1__staff-teacher-mobility-spec.subject-area.isced-f-code=0314__cooperation-"
    "conditions.staff-teacher-mobility-spec.total-days-per-year=8__receiving-first-academic-"
    "year-id=2016/2017__receiving-last-academic-year-id=2017/2018_"
)


def _iia(name: str) -> etree._Element:
    found = etree.parse(str(DATA / name)).getroot().find(f"{{{NS}}}iia")
    assert found is not None
    return found


def test_the_xslt_kits_text_to_hash_is_reproduced_exactly() -> None:
    iia = _iia("xslt-kit-get-response-v7.xml")
    assert text_to_hash(iia) == KIT_TEXT
    assert not valid_for_approval(iia)


def test_the_examples_hashes_are_those_the_specification_states() -> None:
    for name in ("get-response-example.xml", "xslt-kit-get-response-v7.xml"):
        iia = _iia(name)
        stated = iia.findtext(f"{{{NS}}}iia-hash")
        assert iia_hash(iia) == stated, name
    assert valid_for_approval(_iia("get-response-example.xml"))


def test_contacts_do_not_change_the_hash_but_a_condition_does() -> None:
    iia = _iia("get-response-example.xml")
    before = iia_hash(iia)
    spec = iia.find(f".//{{{NS}}}student-studies-mobility-spec")
    assert spec is not None
    contact = etree.Element(f"{{{NS}}}sending-contact")
    name = "{https://github.com/erasmus-without-paper/ewp-specs-types-contact/tree/stable-v1}"
    etree.SubElement(contact, f"{name}contact-name").text = "Someone"
    spec.insert(2, contact)
    assert iia_hash(iia) == before
    spec.find(f"{{{NS}}}mobilities-per-year").text = "3"  # type: ignore[union-attr]
    assert iia_hash(iia) != before
    assert iia_hash(iia) == hashlib.sha256(text_to_hash(iia).encode()).hexdigest()


def test_the_vendored_schemas_accept_the_specifications_examples() -> None:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    for name in ("get-response-example.xml", "xslt-kit-get-response-v7.xml"):
        assert schema.validate(etree.parse(str(DATA / name))), schema.error_log
