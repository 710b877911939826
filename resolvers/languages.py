"""BCP 47 language tags: checking a tag a caller sends, the languages of `Accept-Language`, and
the lookup chain of a name (RFC 4647 lookup: `zh-Hant-TW`, then `zh-Hant`, then `zh`).

Tags are compared as `langcodes.standardize_tag` writes them, so `zh-cn`, `zh-CN` and `zh_CN`
sent by a caller all find the name stored under `zh-CN` (an underscore is refused: it is not
BCP 47).
"""

import re

import langcodes

from resolvers.errors import BadUserInput, excerpt

__all__ = ["MAX_TAG", "accepted_languages", "language_tag", "lookup_chain", "tag_or_none"]

MAX_TAG = 35
"""The longest tag kept (the column's width; RFC 5646 advises room for 35 characters)."""

_SHAPE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_MAX_ACCEPTED = 8
"""At most this many languages of `Accept-Language` are used (the rest are ignored)."""


def tag_or_none(value: str) -> str | None:
    """`value` as a standard BCP 47 tag, or `None` when it is not a well-formed, valid one."""
    if len(value) > MAX_TAG or _SHAPE.fullmatch(value) is None:
        return None
    try:
        if not langcodes.tag_is_valid(value):
            return None
        return str(langcodes.standardize_tag(value))
    except ValueError:
        return None


def language_tag(value: str, *, field: str = "lang") -> str:
    """`value` as a standard BCP 47 tag; `BadUserInput` at `field` when it is not one."""
    found = tag_or_none(value)
    if found is None:
        raise BadUserInput(
            f"{excerpt(value)} is not a BCP 47 language tag (e.g. en, zh, zh-Hant, pt-BR)",
            field=field,
        )
    return found


def accepted_languages(header: str | None) -> tuple[str, ...]:
    """The languages of an `Accept-Language` header, most wanted first (by `q`, then by order);
    `*`, `q=0` and malformed entries are left out, as HTTP lets a server do."""
    if not header:
        return ()
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:32]):
        tag, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        standard = tag_or_none(tag) if tag != "*" else None
        if standard is not None and 0 < quality <= 1:
            weighted.append((-quality, position, standard))
    return tuple(dict.fromkeys(tag for _, _, tag in sorted(weighted)))[:_MAX_ACCEPTED]


def lookup_chain(tags: tuple[str, ...]) -> tuple[str, ...]:
    """Each tag followed by its shorter prefixes (RFC 4647 lookup), each once, in order."""
    chain: list[str] = []
    for tag in tags:
        parts = tag.split("-")
        for length in range(len(parts), 0, -1):
            prefix = "-".join(parts[:length])
            if len(parts[length - 1]) == 1:
                continue  # a singleton (`x`, `u`) never ends a prefix
            if prefix not in chain:
                chain.append(prefix)
    return tuple(chain)
