"""What the registry loaders share: the report of a run, the two kinds of failure (a bad record,
skipped; a bad file, refused), progress, and the normalisation of names, web domains and country
codes that the merge rules compare."""

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pycountry

__all__ = [
    "BadRecord",
    "LoadError",
    "LoadReport",
    "Progress",
    "Skip",
    "country_code",
    "domain_of",
    "normal_name",
    "tick",
]

Progress = Callable[[str, int, int], None]
"""Called as `progress(stage, done, total)` while a loader works."""


def tick(progress: Progress | None, stage: str, done: int, total: int, *, every: int = 1) -> None:
    """Report `done` of `total` in `stage` to `progress`, if there is one: at every `every`-th
    record (reporting each one would cost more than the work) and at the end."""
    if progress is not None and (done % every == 0 or done == total):
        progress(stage, done, total)


class LoadError(Exception):
    """A file that cannot be loaded as a whole: missing, cut short, not of the expected shape,
    or without one usable record of a kind the load needs. It is raised before anything is
    written (or inside the run's transaction), so nothing is."""

    def __init__(self, path: Path | str, message: str, where: str | None = None) -> None:
        self.path, self.message, self.where = str(path), message, where
        super().__init__(str(self))

    def __str__(self) -> str:
        at = f", {self.where}" if self.where else ""
        return f"{self.path}{at}: {self.message}"


class BadRecord(ValueError):
    """One record that cannot be loaded; it is skipped, and its message is the reason."""


@dataclass(frozen=True, slots=True)
class Skip:
    """A record left out: the file, where it is in the file (line or record) and why."""

    where: str
    reason: str
    file: str = ""

    def __str__(self) -> str:
        return (
            f"{self.file}, {self.where}: {self.reason}"
            if self.file
            else f"{self.where}: {self.reason}"
        )


_VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|[\w.:/+-]*\d[\w.:/+-]*")


def reason_kind(reason: str) -> str:
    """A reason without the values it quotes, so that skips can be counted by kind."""
    return _VALUES.sub("…", reason)


@dataclass(slots=True)
class LoadReport:
    """Counts of one run. `read` counts input records; each one is `created` (a new row),
    `updated` (its row changed), `merged` (it joined an organization that another record made,
    see `merged_by`), `unchanged`, or `skipped` (see `skips`). `rows` counts the rows written
    per table."""

    source: str
    file: str = ""
    """The file the records were read from (skips name it)."""
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

    notes: list[str] = field(default_factory=list)
    """Doubts about the input that did not stop the run (a file without a final line break)."""

    def part(self, name: str, file: str = "") -> "LoadReport":
        return self.parts.setdefault(name, LoadReport(name, file=file))

    def total(self, name: str) -> int:
        """A count of this report and all its parts (`read`, `created`, ..., `skipped`)."""
        own: int = getattr(self, name) if name != "skipped" else len(self.skips)
        return own + sum(part.total(name) for part in self.parts.values())

    @property
    def skipped(self) -> int:
        return len(self.skips)

    def all_skips(self) -> list[Skip]:
        found = list(self.skips)
        for part in self.parts.values():
            found += part.all_skips()
        return found

    def all_notes(self) -> list[str]:
        return self.notes + [note for part in self.parts.values() for note in part.all_notes()]

    def skip(self, where: str, reason: str) -> None:
        self.skips.append(Skip(where, reason, self.file))

    def usable(self) -> int:
        """Records read and not skipped."""
        return self.read - len(self.skips)

    def require_usable(self, what: str) -> None:
        """Refuse the run (`LoadError`) when the file gave no record that can be loaded: a
        registry load without any of them would write nothing useful, or worse (agreements
        without parties)."""
        if self.read == 0:
            raise LoadError(self.file or self.source, f"has no {what}")
        if self.usable() > 0:
            return
        kinds = Counter(reason_kind(skip.reason) for skip in self.skips)
        (kind, n), *_ = kinds.most_common(1)
        first = next(s for s in self.skips if reason_kind(s.reason) == kind)
        raise LoadError(
            self.file or self.source,
            f"none of its {self.read} {what} can be loaded ({n} of them: {kind}; "
            f"the first, {first.where}: {first.reason})",
        )

    def skip_summary(self, listed: int) -> list[str]:
        """The skipped records counted by reason (with where the first of each is), then the
        first `listed` of them in full."""
        skips = self.all_skips()
        if not skips:
            return []
        kinds: dict[str, list[Skip]] = {}
        for skip in skips:
            kinds.setdefault(reason_kind(skip.reason), []).append(skip)
        lines = [f"  skipped {len(skips)} record{'s' if len(skips) != 1 else ''}, by reason:"]
        for kind, found in sorted(kinds.items(), key=lambda item: -len(item[1])):
            lines.append(f"    {len(found):>6}  {kind} (first: {found[0].file}, {found[0].where})")
        if listed > 0:
            lines.append("  skipped records:")
            lines += [f"    {skip}" for skip in skips[:listed]]
        if len(skips) > listed:
            lines.append(f"    ... and {len(skips) - listed} more skipped (--show-skips N)")
        return lines

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
    if "." not in host or " " in host or len(host) > 253:
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
