"""Organizations of skewed kinds and countries, one in ten a unit of an earlier university."""

import random

from bench.generate.shape import (
    CITIES,
    COUNTRIES,
    KIND_NOUN,
    KINDS,
    PREFIX,
    REGIONS,
    STAMP,
    UNIT_NOUNS,
    WORDS,
    stamp,
    weighted_choices,
)
from bench.generate.writer import Writer
from db.enums import OrganizationKind
from db.loaders.merge import FIELDS


async def insert_organizations(
    w: Writer, rng: random.Random, count: int
) -> tuple[list[int], dict[int, str], dict[int, str]]:
    first = await w.next_id("organization")
    ids = list(range(first, first + count))
    kinds = weighted_choices(rng, KINDS, count)
    countries = weighted_choices(rng, COUNTRIES, count)
    universities: list[int] = []
    rows = []
    kind_of: dict[int, str] = {}
    country_of: dict[int, str] = {}
    for i, key in enumerate(ids):
        kind: OrganizationKind = kinds[i]
        country: str = countries[i]
        parent = None
        if universities and rng.random() < 0.1:
            parent = universities[rng.randrange(len(universities))]
            kind = OrganizationKind.OTHER
            name = f"{rng.choice(UNIT_NOUNS)} of {PREFIX} University {parent - first:06d}"
        else:
            name = f"{PREFIX} {rng.choice(WORDS)} {KIND_NOUN[kind]} {i:06d}"
        if kind is OrganizationKind.UNIVERSITY and parent is None:
            universities.append(key)
        regions = REGIONS.get(country)
        kind_of[key] = kind.value
        country_of[key] = country
        rows.append(
            (
                key,
                *stamp(),
                kind.value,
                name,
                f"本科{i}" if country == "CN" else None,
                f"B{i}",
                country,
                rng.choice(regions) if regions else None,
                rng.choice(CITIES),
                f"https://org{i}.bench.example",
                None,
                None,
                "active" if rng.random() < 0.95 else "inactive",
                None,
                None,
                parent,
                True,
            )
        )
    columns = ["id", *STAMP, *FIELDS, "ror_id", "description", "parent_id", "is_illustrative"]
    await w.insert("organization", columns, rows)
    return ids, kind_of, country_of
