"""The demo's row builder: `Builder` adds rows in the demo's one session, counts them per table
and remembers organizations and people by name, and adds the organizations, people and
positions of `db.loaders.demo_data`, agreements with their parties and modes, and activities
with their participants, so that the rest of the demo names what it links.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from db.base import table_of
from db.enums import AgreementKind, AgreementStatus, CollaborationMode, PartyRole
from db.loaders.demo_data import NAMES, ORGANIZATIONS, POSITIONS
from db.tables import (
    Activity,
    ActivityAgreement,
    ActivityParticipant,
    Agreement,
    AgreementMode,
    AgreementParty,
    LocalizedName,
    Organization,
    OrganizationIdentifier,
    Person,
    Position,
)

__all__ = ["Builder"]

Row = TypeVar("Row", bound=SQLModel)


PARTICIPANT_ROLES = {
    "host": "received the others",
    "visitor": "came to the host (a delegation)",
    "speaker": "spoke or presented",
    "participant": "took part, in no role the source singles out",
    "signatory": "signed an agreement during the activity",
    "reporter": "wrote the report of the activity; not a participant",
    "photographer": "took the photographs of the report; not a participant",
}
"""The roles the demo gives participants (`ActivityParticipant.role` is free text; these are
the words the demo uses, and what each means)."""


class Builder:
    """Adds rows in one session, remembering organizations and people by name."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.orgs: dict[str, int] = {}
        self.people: dict[str, int] = {}
        self.counts: Counter[str] = Counter()

    async def add(self, row: Row) -> Row:
        self.session.add(row)
        await self.session.flush()
        self.counts[table_of(type(row)).name] += 1
        return row

    async def key(self, row: SQLModel) -> int:
        added = await self.add(row)
        key = getattr(added, "id", None)
        assert isinstance(key, int)
        return key

    async def organizations(self) -> None:
        for org in ORGANIZATIONS:
            self.orgs[org.name] = await self.key(
                Organization(
                    kind=org.kind,
                    name=org.name,
                    short_name=org.short_name,
                    country=org.country,
                    region=org.region,
                    city=org.city,
                    website=org.website,
                    ror_id=org.ror_id,
                    parent_id=self.orgs[org.parent] if org.parent else None,
                )
            )
            if org.ror_id:
                await self.add(
                    OrganizationIdentifier(
                        organization_id=self.orgs[org.name],
                        scheme="ror",
                        value=org.ror_id,
                    )
                )
            if org.website:
                domain = org.website.split("//", 1)[1].strip("/").removeprefix("www.")
                await self.add(
                    OrganizationIdentifier(
                        organization_id=self.orgs[org.name], scheme="domain", value=domain
                    )
                )

    async def names(self) -> None:
        """The organizations' names in other languages; a local one is also the local name."""
        local = {organization: value for organization, _, value, is_local in NAMES if is_local}
        for name, key in self.orgs.items():
            if name in local:
                row = await self.session.get(Organization, key)
                assert row is not None
                row.local_name = local[name]
        for organization, lang, value, is_local in NAMES:
            await self.add(
                LocalizedName(
                    organization_id=self.orgs[organization],
                    field="name",
                    lang=lang,
                    value=value,
                    is_local=is_local,
                    source="ror",
                )
            )

    async def people_and_positions(self) -> None:
        for name, organization, title in POSITIONS:
            if name not in self.people:
                self.people[name] = await self.key(Person(name=name))
            await self.add(
                Position(
                    person_id=self.people[name],
                    organization_id=self.orgs[organization],
                    title=title,
                )
            )

    async def agreement(
        self,
        *,
        title: str,
        kind: AgreementKind,
        status: AgreementStatus,
        parties: list[tuple[str, PartyRole]],
        modes: list[CollaborationMode],
        signed_on: date | None = None,
        description: str | None = None,
    ) -> int:
        agreement_id = await self.key(
            Agreement(
                title=title,
                kind=kind.value,
                status=status.value,
                signed_on=signed_on,
                description=description,
            )
        )
        for organization, role in parties:
            await self.add(
                AgreementParty(
                    agreement_id=agreement_id,
                    organization_id=self.orgs[organization],
                    role=role.value,
                    signed_on=signed_on if role is not PartyRole.APPROVER else None,
                )
            )
        for mode in modes:
            await self.add(AgreementMode(agreement_id=agreement_id, mode=mode.value))
        return agreement_id

    async def activity(
        self,
        activity: Activity,
        participants: Sequence[tuple[str, str | None, str]],
        agreements: Sequence[int] = (),
    ) -> int:
        """An activity with its participants: (organization, person or None, role), the role
        from `PARTICIPANT_ROLES`."""
        activity_id = await self.key(activity)
        for organization, person, role in participants:
            assert role in PARTICIPANT_ROLES, role
            await self.add(
                ActivityParticipant(
                    activity_id=activity_id,
                    organization_id=self.orgs[organization],
                    person_id=self.people[person] if person else None,
                    role=role,
                )
            )
        for agreement_id in agreements:
            await self.add(ActivityAgreement(activity_id=activity_id, agreement_id=agreement_id))
        return activity_id
