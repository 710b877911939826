"""What the registry loaders share: the report of a run, progress, and the normalisation of
names, web domains and country codes that the merge rules compare."""

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pycountry

__all__ = [
    "LoadReport",
    "Progress",
    "Skip",
    "country_code",
    "domain_of",
    "normal_name",
]

Progress = Callable[[str, int, int], None]
"""Called as `progress(stage, done, total)` while a loader works."""


@dataclass(frozen=True, slots=True)
class Skip:
    """A record left out: where it is in the input (line or id) and why."""

    where: str
    reason: str


@dataclass(slots=True)
class LoadReport:
    """Counts of one run. `read` counts input records; each one is `created` (a new row),
    `updated` (its row changed), `merged` (it joined an organization that another record made,
    see `merged_by`), `unchanged`, or `skipped` (see `skips`). `rows` counts the rows written
    per table."""

    source: str
    read: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    skips: list[Skip] = field(default_factory=list)
    merged_by: Counter[str] = field(default_factory=Counter)
    rows: Counter[str] = field(default_factory=Counter)

    parts: dict[str, "LoadReport"] = field(default_factory=dict)
    """For a registry of several files (CORDIS), the counts per file; the totals sum them."""

    def part(self, name: str) -> "LoadReport":
        return self.parts.setdefault(name, LoadReport(name))

    def total(self, name: str) -> int:
        """A count of this report and all its parts (`read`, `created`, ..., `skipped`)."""
        own: int = getattr(self, name) if name != "skipped" else len(self.skips)
        return own + sum(part.total(name) for part in self.parts.values())

    @property
    def skipped(self) -> int:
        return len(self.skips)

    def all_skips(self) -> list[Skip]:
        found = list(self.skips)
        for name, part in self.parts.items():
            found += [Skip(f"{name} {skip.where}", skip.reason) for skip in part.all_skips()]
        return found

    def skip(self, where: str, reason: str) -> None:
        self.skips.append(Skip(where, reason))

    @property
    def changed(self) -> bool:
        """Whether the run wrote anything."""
        return any(self.rows.values())

    def _line(self) -> str:
        merged = ", ".join(f"{rule}: {n}" for rule, n in sorted(self.merged_by.items()))
        return (
            f"{self.source}: read {self.read}, created {self.created}, updated {self.updated}, "
            f"merged {self.merged}{f' ({merged})' if merged else ''}, "
            f"unchanged {self.unchanged}, skipped {self.skipped}"
        )

    def summary(self) -> str:
        """The counts as lines of text: one per file, then the rows written per table."""
        lines = [f"  {part._line()}" for part in self.parts.values()]
        if not self.parts or self.read:
            lines.insert(0, self._line())
        else:
            lines.insert(0, f"{self.source}:")
        rows = ", ".join(f"{table} {n}" for table, n in sorted(self.rows.items()) if n)
        lines.append(f"  rows written: {rows or 'none (nothing changed)'}")
        return "\n".join(lines)


_PUNCTUATION = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def normal_name(name: str) -> str:
    """A name as the merge rule compares it: without accents, case, punctuation, a leading
    'the', and with '&' read as 'and'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _PUNCTUATION.sub(" ", text.replace("&", " and "))
    text = _SPACES.sub(" ", text).strip()
    return text.removeprefix("the ")


_GENERIC_HOSTS = frozenset(
    {
        "europa.eu",
        "ec.europa.eu",
        "facebook.com",
        "linkedin.com",
        "twitter.com",
        "x.com",
        "instagram.com",
        "youtube.com",
        "google.com",
        "sites.google.com",
        "github.com",
        "github.io",
        "wordpress.com",
        "blogspot.com",
        "wixsite.com",
        "researchgate.net",
        "cordis.europa.eu",
    }
)


def domain_of(url: str | None) -> str | None:
    """The web domain of a website or a bare domain: lower case, without `www.`; none for an
    address below a path (a page on someone else's site) or a shared host (social networks)."""
    if not url or not url.strip():
        return None
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    if "." not in host or " " in host:
        return None
    host = host.removeprefix("www.")
    if host in _GENERIC_HOSTS or parts.path.strip("/"):
        return None
    return host


_ALIASES = {"UK": "GB", "EL": "GR"}
"""CORDIS uses the EU's codes for the United Kingdom and Greece."""


def country_code(code: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code, or none; raises ValueError for a code that is not one
    (Kosovo's XK, user-assigned but in common use, is accepted)."""
    if code is None or not code.strip():
        return None
    text = _ALIASES.get(code.strip().upper(), code.strip().upper())
    if text == "XK" or pycountry.countries.get(alpha_2=text) is not None:
        return text
    raise ValueError(f"unknown country code {code!r}")
