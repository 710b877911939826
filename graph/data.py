"""What the network is built from: plain rows, with no knowledge of the database or the API.

A *tie* is one thing that binds organizations together: an agreement (its parties), an
alliance (its members), a program (its partners) or a unit link (an organization and its
parent). Two organizations are neighbours when they share a tie; the edge between them knows
every tie behind it. Each *member* row says who belongs to a tie and over which dates, so the
network can be taken as of any day (alliance members join and leave on their own dates).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = ["Member", "NetworkData", "Organization", "Tie", "TieKind"]


class TieKind(StrEnum):
    AGREEMENT = "agreement"
    ALLIANCE = "alliance"
    PROGRAM = "program"
    UNIT = "unit"


@dataclass(frozen=True, slots=True)
class Organization:
    id: int
    name: str
    kind: str
    country: str | None = None
    parent_id: int | None = None
    """The organization this one is a unit of (None for a top-level one)."""


@dataclass(frozen=True, slots=True)
class Tie:
    """`category` is the agreement's or program's kind (the alliance's scope, for alliances);
    `status` an agreement's or program's status; `starts`/`ends` its first and last day (open
    when None)."""

    kind: TieKind
    id: int
    label: str
    category: str | None = None
    status: str | None = None
    starts: date | None = None
    ends: date | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """`organization_id` belongs to the tie (`kind`, `tie_id`) from `starts` (its first day)
    until `ends` (the day it left, no longer a member; open when None)."""

    kind: TieKind
    tie_id: int
    organization_id: int
    starts: date | None = None
    ends: date | None = None


@dataclass(slots=True)
class NetworkData:
    organizations: list[Organization]
    ties: list[Tie]
    members: list[Member]
