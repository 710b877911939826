"""The shape of the generated network: how kinds, countries, names, statuses and dates are
drawn, the stamp every row carries, and partners drawn with a heavy tail."""

import bisect
import itertools
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from db.enums import AgreementStatus, OrganizationKind

PREFIX = "Bench"


KINDS = [
    (OrganizationKind.UNIVERSITY, 40),
    (OrganizationKind.BUSINESS, 25),
    (OrganizationKind.RESEARCH_INSTITUTE, 12),
    (OrganizationKind.GOVERNMENT_BODY, 10),
    (OrganizationKind.INTERNATIONAL_ORGANIZATION, 3),
    (OrganizationKind.OTHER, 10),
]


COUNTRIES = [
    ("CN", 45),
    ("US", 8),
    ("GB", 6),
    ("DE", 5),
    ("FR", 4),
    ("AU", 4),
    ("JP", 4),
    ("KR", 4),
    ("CA", 3),
    ("IT", 3),
    ("NL", 2),
    ("RU", 2),
    ("SG", 2),
    ("MY", 2),
    ("TH", 2),
    ("ES", 2),
    ("NZ", 1),
    ("IE", 1),
    ("SE", 1),
    ("FI", 1),
]


REGIONS = {
    "CN": ["Jiangxi", "Jiangsu", "Zhejiang", "Guangdong", "Beijing", "Shanghai", "Sichuan"],
    "US": ["California", "New York", "Texas", "Massachusetts"],
    "GB": ["England", "Scotland", "Wales"],
    "DE": ["Bavaria", "Berlin", "Saxony"],
}


CITIES = ["Nanchang", "Nanjing", "Hangzhou", "Shenzhen", "Harbor City", "Riverside", "Hillview"]


WORDS = [
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Central",
    "Coastal",
    "Mountain",
    "River",
    "Lake",
    "Valley",
    "Open",
    "Normal",
    "Technical",
    "Agricultural",
    "Medical",
    "Maritime",
]


KIND_NOUN = {
    OrganizationKind.UNIVERSITY: "University",
    OrganizationKind.BUSINESS: "Industries Co.",
    OrganizationKind.RESEARCH_INSTITUTE: "Research Institute",
    OrganizationKind.GOVERNMENT_BODY: "Education Bureau",
    OrganizationKind.INTERNATIONAL_ORGANIZATION: "Foundation",
    OrganizationKind.OTHER: "Association",
}


UNIT_NOUNS = ["School of Art", "School of Engineering", "School of Lifelong Education", "Institute"]


STATUSES = [
    (AgreementStatus.ACTIVE, 40),
    (AgreementStatus.SIGNED, 10),
    (AgreementStatus.EXPIRED, 20),
    (AgreementStatus.DRAFT, 8),
    (AgreementStatus.UNDER_NEGOTIATION, 8),
    (AgreementStatus.AWAITING_APPROVAL, 4),
    (AgreementStatus.SUSPENDED, 3),
    (AgreementStatus.TERMINATED, 4),
    (AgreementStatus.SUPERSEDED, 3),
]


SIGNED = {
    AgreementStatus.SIGNED,
    AgreementStatus.ACTIVE,
    AgreementStatus.SUSPENDED,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
    AgreementStatus.SUPERSEDED,
}


START = date(2010, 1, 1)


NOW = datetime(2026, 1, 1, tzinfo=UTC)


def weighted_choices(rng: random.Random, choices: Sequence[tuple[Any, int]], k: int) -> list[Any]:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices], k=k)


def random_day(rng: random.Random, span_days: int = 16 * 365) -> date:
    return START + timedelta(days=rng.randrange(span_days))


STAMP = ("created_at", "updated_at", "version")


def stamp() -> tuple[datetime, datetime, int]:
    return (NOW, NOW, 1)


class Picker:
    """Organizations drawn with a heavy tail: weight 1/(rank+10)^0.9, so hubs exist."""

    def __init__(self, rng: random.Random, ids: list[int]) -> None:
        self.rng = rng
        self.ids = ids[:]
        rng.shuffle(self.ids)
        weights = [1 / (rank + 10) ** 0.9 for rank in range(len(ids))]
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, k: int, pool: Sequence[int] | None = None) -> list[int]:
        chosen: list[int] = []
        seen: set[int] = set()
        while len(chosen) < k:
            if pool is not None:
                candidate = pool[self.rng.randrange(len(pool))]
            else:
                point = self.rng.random() * self.cumulative[-1]
                candidate = self.ids[bisect.bisect_left(self.cumulative, point)]
            if candidate not in seen:
                seen.add(candidate)
                chosen.append(candidate)
        return chosen
