"""Alliances with their chair, vice-chairs, directors, members and observers, and some past
memberships."""

import random
from datetime import timedelta

from bench.generate.shape import CITIES, PREFIX, STAMP, Picker, random_day, stamp
from bench.generate.writer import Writer
from db.enums import AllianceScope, MembershipRole


async def insert_alliances(
    w: Writer, rng: random.Random, picker: Picker, organizations: int
) -> list[list[int]]:
    count = max(3, organizations // 200)
    first = await w.next_id("alliance")
    alliances, memberships = [], []
    members_of: list[list[int]] = []
    membership_id = await w.next_id("membership")
    for a in range(count):
        key = first + a
        size = min(organizations // 2, rng.randint(20, 120))
        members = picker.pick(size)
        members_of.append(members)
        alliances.append(
            (
                key,
                *stamp(),
                f"{PREFIX} Alliance {key:05d}",
                None,
                f"BA{a}",
                rng.choice(list(AllianceScope)).value,
                members[0],
                random_day(rng, 4 * 365),
                rng.choice(CITIES),
                None,
                "A generated alliance.",
            )
        )
        roles = [MembershipRole.CHAIR, MembershipRole.VICE_CHAIR, MembershipRole.VICE_CHAIR]
        roles += [MembershipRole.DIRECTOR] * 3
        for i, organization in enumerate(members):
            role = (
                roles[i]
                if i < len(roles)
                else (MembershipRole.OBSERVER if rng.random() < 0.1 else MembershipRole.MEMBER)
            )
            joined = random_day(rng, 6 * 365)
            if rng.random() < 0.1:
                # an earlier period in another role, over before the current one began
                earlier = joined - timedelta(days=rng.randint(400, 1500))
                memberships.append(
                    (
                        membership_id,
                        *stamp(),
                        key,
                        organization,
                        MembershipRole.OBSERVER.value,
                        earlier,
                        joined - timedelta(days=1),
                    )
                )
                membership_id += 1
            memberships.append(
                (membership_id, *stamp(), key, organization, role.value, joined, None)
            )
            membership_id += 1
    await w.insert(
        "alliance",
        [
            "id",
            *STAMP,
            "name",
            "local_name",
            "short_name",
            "scope",
            "secretariat_id",
            "founded_on",
            "founded_place",
            "website",
            "description",
        ],
        alliances,
    )
    await w.insert(
        "membership",
        ["id", *STAMP, "alliance_id", "organization_id", "role", "joined_on", "left_on"],
        memberships,
    )
    return members_of
