"""Objects by global ID: which table stands behind each node type, and fetching rows by key."""

import asyncio
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlmodel import SQLModel

from db import tables as t
from db.base import table_of
from resolvers.context import Context
from resolvers.errors import InvalidId, excerpt
from resolvers.ids import decode_id

__all__ = ["NODE_TABLES", "node_row", "node_rows", "row_of"]


_MODELS: dict[str, type[SQLModel]] = {
    "Organization": t.Organization,
    "Person": t.Person,
    "Position": t.Position,
    "Alliance": t.Alliance,
    "Membership": t.Membership,
    "Agreement": t.Agreement,
    "AgreementParty": t.AgreementParty,
    "Commitment": t.Commitment,
    "MobilityCondition": t.MobilityCondition,
    "Document": t.Document,
    "HistoryEntry": t.HistoryEntry,
    "Program": t.Program,
    "ProgramPartner": t.ProgramPartner,
    "Course": t.Course,
    "Learner": t.Learner,
    "CreditAccount": t.CreditAccount,
    "Enrolment": t.Enrolment,
    "LearningOutcome": t.LearningOutcome,
    "RecognitionRule": t.RecognitionRule,
    "CreditRecognition": t.CreditRecognition,
    "CreditEntry": t.CreditEntry,
    "RecognitionApplication": t.RecognitionApplication,
    "RecognitionRuleCourse": t.RecognitionRuleCourse,
    "ProgramCompletion": t.ProgramCompletion,
    "IssuedCredential": t.IssuedCredential,
    "Resource": t.Resource,
    "ResourceShare": t.ResourceShare,
    "Funding": t.Funding,
    "Activity": t.Activity,
    "ActivityParticipant": t.ActivityParticipant,
    "Evaluation": t.Evaluation,
    "ApiToken": t.ApiToken,
    "Proposal": t.Proposal,
    "Approval": t.Approval,
    "Indicator": t.Indicator,
}
NODE_TABLES: dict[str, sa.Table] = {name: table_of(model) for name, model in _MODELS.items()}


async def row_of(ctx: Context, type_name: str, key: int | None) -> RowMapping | None:
    """The visible row of a node type by its integer key (batched per request)."""
    if key is None:
        return None
    return await ctx.loaders.by_id(NODE_TABLES[type_name]).load(key)


async def node_row(ctx: Context, global_id: str) -> tuple[str, RowMapping] | None:
    """The type name and visible row behind a global ID; `None` if missing or hidden."""
    type_name, key = decode_id(global_id)
    if type_name not in NODE_TABLES:
        raise InvalidId(f"{excerpt(global_id)} is not a valid ID")
    row = await row_of(ctx, type_name, key)
    return None if row is None else (type_name, row)


async def node_rows(ctx: Context, global_ids: Sequence[str]) -> list[tuple[str, RowMapping] | None]:
    return list(await asyncio.gather(*(node_row(ctx, g) for g in global_ids)))
