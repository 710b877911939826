"""The IIA hash of the EWP Interinstitutional Agreements API v7, as the specification defines
it: the SHA-256 (lowercase hex) of the `text-to-hash` its XSLT
(`resources/xsltKit/transform_version_7.xsl` of erasmus-without-paper/ewp-specs-api-iias)
makes from an `<iia>` element. The stylesheet is XSLT 2.0, which lxml's libxslt cannot run, so
its rules are followed here step by step:

- `_@terminated-as-a-whole@_` first, when the cooperation conditions say so;
- `_iia-id_N=<id>_` for each partner in order (an empty value when the partner gives none);
- for each cooperation condition, every element inside it in document order, leaving out the
  sending and receiving contacts (and all below them), the first and last academic years, and
  any element that is, or is inside, one marked `not-yet-defined`: first its attributes as
  `_@grandparent.parent.element.attribute=value@_` (never `not-yet-defined` or `v6-value`),
  then, for an element without child elements, `_grandparent.parent.element=value_` (an
  `isced-f-code` gives its `v6-value` when it has one);
- then `_receiving-first-academic-year-id=<y>_` and `_receiving-last-academic-year-id=<y>_`.

One difference, on purpose: the stylesheet looks for `terminated-as-a-whole` and for the marks
that make an IIA not valid for approval anywhere in the response (`//`), which makes one IIA's
hash depend on the others sent with it; here they are looked for within the IIA.
"""

import hashlib

from lxml import etree

__all__ = ["iia_hash", "text_to_hash", "valid_for_approval"]

_CONTACTS = {"sending-contact", "receiving-contact"}
_YEARS = ("receiving-first-academic-year-id", "receiving-last-academic-year-id")
_LEFT_OUT = {"not-yet-defined", "v6-value"}
_TRUE = {"true", "1"}


def _name(element: etree._Element | None) -> str:
    return "" if element is None else etree.QName(element).localname


def _value(element: etree._Element | None) -> str:
    if element is None:
        return ""
    if _name(element) == "isced-f-code" and element.get("v6-value"):
        return str(element.get("v6-value"))
    return str(element.xpath("string()"))


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and _name(child) == name]


def _not_yet_defined(element: etree._Element) -> bool:
    found: etree._Element | None = element
    while found is not None:
        if found.get("not-yet-defined") in _TRUE:
            return True
        found = found.getparent()
    return False


def _in_contact(element: etree._Element) -> bool:
    return any(_name(ancestor) in _CONTACTS for ancestor in element.iterancestors())


def _condition(condition: etree._Element) -> str:
    text = []
    for element in condition.iterdescendants():
        if not isinstance(element.tag, str) or _in_contact(element):
            continue
        if _name(element) in _YEARS or _not_yet_defined(element):
            continue
        parent = element.getparent()
        grandparent = parent.getparent() if parent is not None else None
        for attribute, given in element.attrib.items():
            value = given.decode() if isinstance(given, bytes) else given
            local = etree.QName(attribute).localname
            if local in _LEFT_OUT and etree.QName(attribute).namespace is None:
                continue
            path = ".".join((_name(grandparent), _name(parent), _name(element), local))
            text.append(f"_@{path}={value}@_")
        if not any(isinstance(child.tag, str) for child in element):
            path = ".".join((_name(grandparent), _name(parent), _name(element)))
            text.append(f"_{path}={_value(element)}_")
    for name in _YEARS:
        found = _children(condition, name)
        text.append(f"_{name}={_value(found[0] if found else None)}_")
    return "".join(text)


def text_to_hash(iia: etree._Element) -> str:
    """The `text-to-hash` of one `<iia>` element."""
    text = []
    for conditions in _children(iia, "cooperation-conditions"):
        if conditions.get("terminated-as-a-whole") in _TRUE:
            text.append("_@terminated-as-a-whole@_")
    for position, partner in enumerate(_children(iia, "partner"), start=1):
        ids = _children(partner, "iia-id")
        text.append(f"_iia-id_{position}={_value(ids[0] if ids else None)}_")
    for conditions in _children(iia, "cooperation-conditions"):
        for condition in conditions:
            if isinstance(condition.tag, str):
                text.append(_condition(condition))
    return "".join(text)


def iia_hash(iia: etree._Element) -> str:
    return hashlib.sha256(text_to_hash(iia).encode("utf-8")).hexdigest()


def valid_for_approval(iia: etree._Element) -> bool:
    """False when an element is marked `not-yet-defined` or an ISCED code keeps a `v6-value`."""
    for element in iia.iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("not-yet-defined") in _TRUE or element.get("v6-value"):
            return False
    return True
