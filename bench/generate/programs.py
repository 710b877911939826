"""Programs, activities, funding and evaluations, each tied to generated agreements."""

import random
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import SQLModel

from bench.generate.shape import CITIES, NOW, PREFIX, STAMP, Picker, random_day, stamp
from bench.generate.writer import IdCounter, Writer
from db.enums import (
    ActivityKind,
    DeliveryMode,
    EvaluationIndicator,
    PartyRole,
    ProgramCategory,
    ProgramKind,
    ProgramStatus,
    TargetLearnerGroup,
)


async def insert_programs_and_more(
    w: Writer,
    rng: random.Random,
    picker: Picker,
    alliances: int,
    first_agreement: int,
    agreements: int,
) -> None:
    """Programs, activities, funding and evaluations, each tied to generated agreements."""
    party_rows = await w.connection.execute(
        sa.text(
            "SELECT agreement_id, organization_id FROM agreement_party "
            "WHERE agreement_id >= :first AND agreement_id < :last ORDER BY id"
        ),
        {"first": first_agreement, "last": first_agreement + agreements},
    )
    parties_of: dict[int, list[int]] = {}
    for agreement_id, organization_id in party_rows:
        parties_of.setdefault(agreement_id, []).append(organization_id)

    def some_agreement() -> tuple[int, list[int]]:
        key = first_agreement + rng.randrange(agreements)
        return key, parties_of[key]

    program_id = IdCounter(await w.next_id("program"))
    partner_id = IdCounter(await w.next_id("program_partner"))
    target_id = IdCounter(await w.next_id("program_target_group"))
    programs, partners, targets = [], [], []
    program_keys = []
    for i in range(max(1, agreements // 20)):
        key = next(program_id)
        program_keys.append(key)
        agreement, orgs = some_agreement()
        starts = random_day(rng)
        programs.append(
            (
                key,
                *stamp(),
                f"{PREFIX} program {i:06d}",
                None,
                rng.choice(list(ProgramKind)).value,
                rng.choice(list(ProgramStatus)).value,
                agreement,
                rng.choice(["Art", "Engineering", "Nursing", "Logistics", "Education"]),
                rng.choice(list(DeliveryMode)).value,
                rng.choice(list(ProgramCategory)).value,
                Decimal(rng.randint(2, 30)),
                rng.randint(20, 500),
                starts,
                starts + timedelta(days=rng.randint(90, 1000)),
                None,
                True,
            )
        )
        for n, organization in enumerate(orgs):
            role = PartyRole.LEAD.value if n == 0 else PartyRole.PARTNER.value
            partners.append((next(partner_id), *stamp(), key, organization, role))
        for group in rng.sample(list(TargetLearnerGroup), 2):
            targets.append((next(target_id), key, group.value))
    await w.insert(
        "program",
        [
            "id",
            *STAMP,
            "name",
            "local_name",
            "kind",
            "status",
            "agreement_id",
            "subject_area",
            "delivery",
            "category",
            "credits",
            "capacity",
            "starts_on",
            "ends_on",
            "description",
            "is_illustrative",
        ],
        programs,
    )
    await w.insert(
        "program_partner", ["id", *STAMP, "program_id", "organization_id", "role"], partners
    )
    await w.insert("program_target_group", ["id", "program_id", "target_group"], targets)

    first_alliance = int(await w.connection.scalar(sa.text("SELECT max(id) FROM alliance")) or 0)
    first_alliance -= alliances - 1
    activity_id = IdCounter(await w.next_id("activity"))
    participant_id = IdCounter(await w.next_id("activity_participant"))
    concern_id = IdCounter(await w.next_id("activity_agreement"))
    activity_program_id = IdCounter(await w.next_id("activity_program"))
    activities, participants, concerns, about_programs = [], [], [], []
    for i in range(max(1, agreements // 50)):
        key = next(activity_id)
        agreement, orgs = some_agreement()
        activities.append(
            (
                key,
                *stamp(),
                rng.choice(list(ActivityKind)).value,
                f"{PREFIX} meeting {i:06d}",
                random_day(rng),
                rng.choice(CITIES),
                first_alliance + rng.randrange(alliances) if rng.random() < 0.3 else None,
                "Generated.",
                "Agreed to continue.",
                None,
            )
        )
        for organization in orgs:
            participants.append((next(participant_id), key, organization, None, None, NOW))
        concerns.append((next(concern_id), key, agreement))
        if rng.random() < 0.2:
            about_programs.append((next(activity_program_id), key, rng.choice(program_keys)))
    await w.insert(
        "activity",
        [
            "id",
            *STAMP,
            "kind",
            "title",
            "held_on",
            "place",
            "alliance_id",
            "summary",
            "outcomes",
            "next_steps",
        ],
        activities,
    )
    await w.insert(
        "activity_participant",
        ["id", "activity_id", "organization_id", "person_id", "role", "updated_at"],
        participants,
    )
    await w.insert("activity_agreement", ["id", "activity_id", "agreement_id"], concerns)
    await w.insert("activity_program", ["id", "activity_id", "program_id"], about_programs)

    funding_id = IdCounter(await w.next_id("funding"))
    funding = []
    for _ in range(max(1, agreements // 20)):
        agreement, _orgs = some_agreement()
        awarded = random_day(rng)
        funding.append(
            (
                next(funding_id),
                *stamp(),
                picker.pick(1)[0],
                agreement,
                None,
                "Special fund",
                Decimal(rng.randint(10, 5_000)) * 1000,
                rng.choice(["CNY", "CNY", "USD", "EUR"]),
                awarded,
                awarded,
                awarded + timedelta(days=365 * rng.randint(1, 3)),
            )
        )
    await w.insert(
        "funding",
        [
            "id",
            *STAMP,
            "funder_id",
            "agreement_id",
            "program_id",
            "title",
            "amount",
            "currency",
            "awarded_on",
            "starts_on",
            "ends_on",
        ],
        funding,
    )

    evaluation_id = IdCounter(await w.next_id("evaluation"))
    measure_id = IdCounter(await w.next_id("evaluation_measure"))
    indicator = SQLModel.metadata.tables["indicator"]
    standard = {
        code: key
        for key, code in await w.connection.execute(
            sa.select(indicator.c.id, indicator.c.code).where(indicator.c.code.is_not(None))
        )
    }  # the five standard indicators, which the migrations make
    evaluations, measures = [], []
    for _ in range(max(1, agreements // 20)):
        key = next(evaluation_id)
        agreement, orgs = some_agreement()
        end = random_day(rng)
        evaluations.append(
            (
                key,
                *stamp(),
                agreement,
                None,
                orgs[0],
                end - timedelta(days=365),
                end,
                Decimal(rng.randint(40, 100)),
                None,
            )
        )
        for measured in rng.sample(list(EvaluationIndicator), 2):
            target = rng.randint(10, 500)
            measures.append(
                (
                    next(measure_id),
                    key,
                    standard[measured.value],
                    Decimal(target),
                    Decimal(target // 2),
                )
            )
    await w.insert(
        "evaluation",
        [
            "id",
            *STAMP,
            "agreement_id",
            "program_id",
            "evaluator_id",
            "period_start",
            "period_end",
            "score",
            "notes",
        ],
        evaluations,
    )
    await w.insert(
        "evaluation_measure", ["id", "evaluation_id", "indicator_id", "target", "actual"], measures
    )
