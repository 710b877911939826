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
    if element is None or not isinstance(element.tag, str):
        return ""
    return element.tag.rpartition("}")[2]


def _value(element: etree._Element | None) -> str:
    """An element's string value (its text, without comments), or the ISCED `v6-value`."""
    if element is None:
        return ""
    if _name(element) == "isced-f-code" and element.get("v6-value"):
        return str(element.get("v6-value"))
    return "".join(str(part) for part in element.itertext())


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _name(child) == name]


def _marked(element: etree._Element) -> bool:
    return element.get("not-yet-defined") in _TRUE


def _outside_marked(element: etree._Element) -> bool:
    """Whether no ancestor of a condition (its `cooperation-conditions`, the `iia`, ...) is
    marked `not-yet-defined`, which would leave the whole condition out."""
    found = element.getparent()
    while found is not None:
        if _marked(found):
            return False
        found = found.getparent()
    return True


def _walk(
    element: etree._Element, parent: str, grandparent: str, in_contact: bool, text: list[str]
) -> None:
    """The stylesheet's `.//*` loop over one element below a condition, and its children in
    document order; `in_contact` when a contact is among its ancestors."""
    name = _name(element)
    if not name or _marked(element):
        return
    if not in_contact and name not in _YEARS:
        for attribute, given in element.attrib.items():
            value = given.decode() if isinstance(given, bytes) else given
            qualified = etree.QName(attribute)
            if qualified.localname in _LEFT_OUT and qualified.namespace is None:
                continue
            path = f"{grandparent}.{parent}.{name}.{qualified.localname}"
            text.append(f"_@{path}={value}@_")
        children = [child for child in element if isinstance(child.tag, str)]
        if not children:
            text.append(f"_{grandparent}.{parent}.{name}={_value(element)}_")
    below = in_contact or name in _CONTACTS
    for child in element:
        if isinstance(child.tag, str):
            _walk(child, name, parent, below, text)


def _years(condition: etree._Element) -> str:
    found = [_children(condition, name) for name in _YEARS]
    return "".join(
        f"_{name}={_value(f[0] if f else None)}_" for name, f in zip(_YEARS, found, strict=True)
    )


def _condition(condition: etree._Element, conditions: str) -> str:
    text: list[str] = []
    if not _marked(condition):
        for child in condition:
            if isinstance(child.tag, str):
                _walk(child, _name(condition), conditions, False, text)
    return "".join(text) + _years(condition)


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
        whole = _outside_marked(conditions) and not _marked(conditions)
        for condition in conditions:
            if isinstance(condition.tag, str):
                text.append(
                    _condition(condition, _name(conditions)) if whole else _years(condition)
                )
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
