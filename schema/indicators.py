"""Indicators with targets: the type, its progress in a period, and the mutations that set
targets and record values (`createIndicator`, `updateIndicator` and `deleteIndicator` are the
generic ones of `schema.crud`). How a value is found: `resolvers.indicators`.

On PostgreSQL the plain fields of `Indicator` are answered by the compiled road; `targets` and
`progress` take the ordinary one (tests/schema/test_compiled_fields.py).
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers import indicators as reads
from resolvers.ids import decode_id_of
from resolvers.permissions import ANYONE
from schema.compiled.declare import referenced
from schema.enums import EvaluationIndicator, IndicatorComputation, IndicatorDirection
from schema.mutations import UserError, run_mutation
from schema.relay import Info, Node
from schema.wording import USER_ERRORS, VERSION

if TYPE_CHECKING:
    from schema.evaluations import Evaluation

__all__ = [
    "Indicator",
    "IndicatorMutation",
    "IndicatorProgress",
    "IndicatorQuery",
    "IndicatorTarget",
    "progress_field",
    "progress_list",
]

PERIOD = (
    "A calendar period: a year (`2026`), a quarter (`2026-Q1`), a half (`2026-H2`) or a month "
    "(`2026-03`); any other text is refused (`BAD_USER_INPUT`)."
)


@strawberry.type(description="The value an indicator aims at in one period.")
class IndicatorTarget:
    period: str = strawberry.field(description="The period (`2026`, `2026-Q1`, `2026-03`).")
    target: Decimal | None = strawberry.field(
        description="The value aimed at, in the indicator's unit; null when the period has "
        "been named but its target is not known (the source gives none)."
    )
    notes: str | None = strawberry.field(description="Where the target comes from.")


@strawberry.type(
    description="An indicator's value in a period against its target. `gap` is how far the "
    "value is from the target in the indicator's direction (target - value when higher is "
    "better, value - target when lower is): zero or less means met."
)
class IndicatorProgress:
    indicator_id: strawberry.Private[int]
    period: str = strawberry.field(description="The period, as given (normalized).")
    period_start: date = strawberry.field(description="The first day of the period.")
    period_end: date = strawberry.field(description="The last day of the period.")
    value: Decimal | None = strawberry.field(
        description="The value in the period, in the indicator's unit: counted from the "
        "records the caller may count, or, for a MANUAL indicator, the sum of the values "
        "recorded in evaluations whose period ends in it (null when none was recorded)."
    )
    target: Decimal | None = strawberry.field(
        description="The target set for exactly this period; null when none is (or it is "
        "not known)."
    )
    gap: Decimal | None = strawberry.field(
        description="How far the value is from the target, in the indicator's direction; "
        "null without both."
    )
    met: bool | None = strawberry.field(
        description="Whether the target is met (a gap of zero or less); null without both a "
        "value and a target."
    )

    indicator = referenced("Indicator", "indicator_id", description="The indicator measured.")

    @classmethod
    def of(cls, p: reads.Progress) -> "IndicatorProgress":
        return cls(
            indicator_id=p.indicator_id,
            period=p.period.text,
            period_start=p.period.start,
            period_end=p.period.end,
            value=p.value,
            target=p.target,
            gap=p.gap,
            met=p.met,
        )


@strawberry.type(
    description="What an alliance or program counts and reports against (micro-credentials "
    "issued, credits recognised, students exchanged): its unit, which way is better, its "
    "targets per period, and how its value is found. The five standard indicators "
    "(`standard` set) belong to nobody and any evaluation may measure them. Public."
)
class Indicator(Node):
    version: int = strawberry.field(description=VERSION)
    name: str = strawberry.field(description="What is counted (`Micro-credentials issued`).")
    unit: str = strawberry.field(description="The unit of its values (`learners`, `credits`).")
    direction: IndicatorDirection = strawberry.field(
        description="Whether a value at or above the target meets it, or one at or below."
    )
    computation: IndicatorComputation = strawberry.field(
        description="How its value for a period is found: entered by hand (MANUAL) or "
        "counted from the data."
    )
    description: str | None = strawberry.field(
        description="What it means, where it comes from, what is not known."
    )
    code: strawberry.Private[str | None]
    alliance_id: strawberry.Private[int | None]
    program_id: strawberry.Private[int | None]

    alliance = referenced(
        "Alliance",
        "alliance_id",
        description="The alliance that reports against it; null for a program's or a "
        "standard indicator.",
    )
    program = referenced(
        "Program",
        "program_id",
        description="The program that reports against it; null for an alliance's or a "
        "standard indicator.",
    )

    @strawberry.field(
        description="The standard indicator this is (one of the five every evaluation could "
        "measure before indicators were defined); null for an alliance's or program's own."
    )
    def standard(self) -> EvaluationIndicator | None:
        return None if self.code is None else EvaluationIndicator(self.code)

    @strawberry.field(description="Its targets, by period.")
    async def targets(self, info: Info) -> list[IndicatorTarget]:
        rows = await reads.targets_of(info.context).load(self.pk)
        return [
            IndicatorTarget(period=r["period"], target=r["target"], notes=r["notes"]) for r in rows
        ]

    @strawberry.field(description="Its value in a period, against the period's target.")
    async def progress(
        self,
        info: Info,
        period: Annotated[str, strawberry.argument(description=PERIOD)],
    ) -> IndicatorProgress:
        found = reads.parse_period(period)
        return IndicatorProgress.of(await reads.progress_of(info.context, found).load(self.pk))


def progress_field(owner: str) -> Any:
    """The `progress(period:)` field of an alliance or a program (`owner`: the column naming
    it, `alliance_id` or `program_id`): each of its indicators' progress, by indicator name."""

    async def resolve(
        self: Any, info: Info, period: Annotated[str, strawberry.argument(description=PERIOD)]
    ) -> list[IndicatorProgress]:
        ids = await reads.indicator_ids_of(info.context, owner).load(self.pk)
        return await progress_list(info, ids, period)

    return strawberry.field(
        resolver=resolve,
        description="The progress of each of its indicators in a period (value, target, gap, "
        "whether met), by indicator name.",
    )


async def progress_list(info: Info, ids: list[int], period: str) -> list[IndicatorProgress]:
    """The progress of indicators `ids` in `period`, in their order (one statement)."""
    found = reads.parse_period(period)
    loaded = await reads.progress_of(info.context, found).load_many(ids)
    return [IndicatorProgress.of(p) for p in loaded]


@strawberry.input(description="An indicator's target for one period, to set.")
class SetIndicatorTargetInput:
    indicator: strawberry.ID = strawberry.field(description="The indicator (its global ID).")
    period: str = strawberry.field(description=PERIOD)
    target: Decimal | None = strawberry.field(
        default=None,
        description="The value aimed at (not negative); null to say the period has a target "
        "that is not known.",
    )
    notes: str | None = strawberry.field(default=None, description="Where the target comes from.")


@strawberry.input(description="An indicator's target for one period, to remove.")
class RemoveIndicatorTargetInput:
    indicator: strawberry.ID = strawberry.field(description="The indicator (its global ID).")
    period: str = strawberry.field(description=PERIOD)


@strawberry.input(description="A MANUAL indicator's value in an evaluation, to record.")
class RecordIndicatorValueInput:
    evaluation: strawberry.ID = strawberry.field(
        description="The evaluation (its global ID): its period dates the value."
    )
    indicator: strawberry.ID = strawberry.field(
        description="The indicator: a standard one, or one of the program or alliance "
        "evaluated; MANUAL only."
    )
    actual: Decimal | None = strawberry.field(
        default=None, description="The value reached (not negative); null when not yet known."
    )
    target: Decimal | None = strawberry.field(
        default=None,
        description="The target the evaluation held it to, when it differs from the "
        "indicator's own (not negative).",
    )


@strawberry.type(description="What a target mutation answers.")
class IndicatorTargetPayload:
    indicator: Indicator | None = strawberry.field(
        default=None, description="The indicator as it now is; null with `userErrors`."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(description="What `recordIndicatorValue` answers.")
class RecordIndicatorValuePayload:
    evaluation: Annotated["Evaluation", strawberry.lazy("schema.evaluations")] | None = (
        strawberry.field(
            default=None,
            description="The evaluation with its measures as they now are; null with `userErrors`.",
        )
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


_INPUT = strawberry.argument(description="The one input object.")


async def _indicator(connection: AsyncConnection, key: int) -> Indicator:
    row = (
        (await connection.execute(reads.INDICATOR.select().where(reads.INDICATOR.c.id == key)))
        .mappings()
        .one()
    )
    return Indicator.from_row(row)


@strawberry.type
class IndicatorMutation:
    @strawberry.mutation(
        description="Sets an indicator's target for one period, replacing any; by whoever "
        "may change the indicator (the alliance's secretariat, the program's partners, "
        "admins). A period in another format or a negative target is refused, nothing written."
    )
    async def set_indicator_target(
        self, info: Info, input: Annotated[SetIndicatorTargetInput, _INPUT]
    ) -> IndicatorTargetPayload:
        viewer = info.context.viewer

        async def work(connection: AsyncConnection) -> IndicatorTargetPayload:
            key = decode_id_of(input.indicator, "Indicator", field="indicator")
            await reads.set_target(
                connection,
                viewer,
                indicator_id=key,
                period=input.period,
                target=input.target,
                notes=input.notes,
            )
            return IndicatorTargetPayload(indicator=await _indicator(connection, key))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=IndicatorTargetPayload,
            name="set indicator targets",
        )

    @strawberry.mutation(description="Removes an indicator's target for one period.")
    async def remove_indicator_target(
        self, info: Info, input: Annotated[RemoveIndicatorTargetInput, _INPUT]
    ) -> IndicatorTargetPayload:
        viewer = info.context.viewer

        async def work(connection: AsyncConnection) -> IndicatorTargetPayload:
            key = decode_id_of(input.indicator, "Indicator", field="indicator")
            await reads.remove_target(connection, viewer, indicator_id=key, period=input.period)
            return IndicatorTargetPayload(indicator=await _indicator(connection, key))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=IndicatorTargetPayload,
            name="remove indicator targets",
        )

    @strawberry.mutation(
        description="Records a MANUAL indicator's value in an evaluation (replacing the one "
        "recorded there); by whoever may change the evaluation. An indicator counted from the "
        "data, or one of another program or alliance, is refused (`INDICATOR_NOT_APPLICABLE`)."
    )
    async def record_indicator_value(
        self, info: Info, input: Annotated[RecordIndicatorValueInput, _INPUT]
    ) -> RecordIndicatorValuePayload:
        from schema.evaluations import Evaluation

        viewer = info.context.viewer

        async def work(connection: AsyncConnection) -> RecordIndicatorValuePayload:
            evaluation = decode_id_of(input.evaluation, "Evaluation", field="evaluation")
            indicator = decode_id_of(input.indicator, "Indicator", field="indicator")
            await reads.record_value(
                connection,
                viewer,
                evaluation_id=evaluation,
                indicator_id=indicator,
                actual=input.actual,
                target=input.target,
            )
            row = (
                (
                    await connection.execute(
                        reads.EVALUATION.select().where(reads.EVALUATION.c.id == evaluation)
                    )
                )
                .mappings()
                .one()
            )
            return RecordIndicatorValuePayload(evaluation=Evaluation.from_row(row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=RecordIndicatorValuePayload,
            name="record indicator values",
        )


@strawberry.type
class IndicatorQuery:
    @strawberry.field(
        description="The five standard indicators (enrolments, credits recognised, "
        "internships placed, funds spent, publications), which any evaluation may measure. "
        "Public."
    )
    async def standard_indicators(self, info: Info) -> list[Indicator]:
        rows = await reads.standard(info.context)
        return [Indicator.from_row(r) for r in rows]

    @strawberry.field(
        description="A report grouped by indicator: the progress of every indicator of an "
        "alliance or a program (give one) in a period, by indicator name."
    )
    async def indicator_progress(
        self,
        info: Info,
        period: Annotated[str, strawberry.argument(description=PERIOD)],
        alliance: Annotated[
            strawberry.ID | None, strawberry.argument(description="The alliance (global ID).")
        ] = None,
        program: Annotated[
            strawberry.ID | None, strawberry.argument(description="The program (global ID).")
        ] = None,
    ) -> list[IndicatorProgress]:
        alliance_id = (
            None if alliance is None else decode_id_of(alliance, "Alliance", field="alliance")
        )
        program_id = None if program is None else decode_id_of(program, "Program", field="program")
        ids = await reads.indicator_ids(
            info.context, alliance_id=alliance_id, program_id=program_id
        )
        return await progress_list(info, ids, period)
