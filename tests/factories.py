"""Building test data through the models (not raw SQL)."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import (
    AgreementKind,
    AgreementStatus,
    AllianceScope,
    CollaborationMode,
    MembershipRole,
    OrganizationKind,
    PartyRole,
    RenewalRule,
)
from db.tables import (
    Agreement,
    AgreementMode,
    AgreementParty,
    Alliance,
    Commitment,
    Membership,
    Organization,
)

__all__ = ["AllianceCooperation", "add_alliance_cooperation", "add_large_alliance", "add_network"]

JIANGXI_MEMBERS = (
    "Jiangxi University of Finance and Economics",
    "Nanchang University",
    "Nanchang Hangkong University",
    "Jiangxi Normal University",
)


@dataclass(frozen=True)
class AllianceCooperation:
    titles: list[str]
    """Every agreement made, by title."""
    expiring: str
    """The title of the one that ends within 90 days (renewal by hand), whose notice deadline
    (45 days before its end) has passed."""
    overdue: str
    """The description of the open commitment past its due date."""
    started: date
    """The day the first of them took effect (none before it)."""


async def add_alliance_cooperation(engine: AsyncEngine) -> AllianceCooperation:
    """Active agreements between four members of the demo's Jiangxi alliance (JUFE with Nanchang
    University twice, Nanchang University with Nanchang Hangkong University, Nanchang Hangkong
    University with Jiangxi Normal University: a path, so every edge is a bridge), one of them
    ending within 90 days with renewal by hand, and an overdue and an upcoming commitment."""
    today = date.today()
    started = today - timedelta(days=300)
    pairs = [(0, 1, 0), (0, 1, 100), (1, 2, 150), (2, 3, 200)]
    async with AsyncSession(engine) as session, session.begin():
        ids: dict[str, int] = {}
        for name in JIANGXI_MEMBERS:
            org = (await session.exec(select(Organization).where(Organization.name == name))).one()
            assert org.id is not None
            ids[name] = org.id
        titles = []
        made = []
        for number, (a, b, offset) in enumerate(pairs):
            title = f"Jiangxi member cooperation {number + 1}"
            agreement = Agreement(
                title=title,
                kind=AgreementKind.CREDIT_RECOGNITION.value,
                status=AgreementStatus.ACTIVE.value,
                signed_on=started + timedelta(days=offset),
                effective_from=started + timedelta(days=offset),
                effective_to=today + timedelta(days=30) if number == 3 else None,
                renewal_rule=(RenewalRule.MANUAL if number == 3 else RenewalRule.NONE).value,
                notice_period_days=45 if number == 3 else None,
            )
            session.add(agreement)
            await session.flush()
            assert agreement.id is not None
            made.append(agreement)
            titles.append(title)
            session.add_all(
                [
                    AgreementParty(
                        agreement_id=agreement.id,
                        organization_id=ids[JIANGXI_MEMBERS[a]],
                        role=PartyRole.LEAD,
                    ),
                    AgreementParty(
                        agreement_id=agreement.id,
                        organization_id=ids[JIANGXI_MEMBERS[b]],
                        role=PartyRole.PARTNER,
                    ),
                    AgreementMode(
                        agreement_id=agreement.id,
                        mode=(
                            CollaborationMode.CREDIT_RECOGNITION
                            if number % 2
                            else CollaborationMode.STUDENT_EXCHANGE
                        ).value,
                    ),
                ]
            )
        overdue = "Exchange the first credit transcripts (illustrative)"
        assert made[2].id is not None
        session.add_all(
            [
                Commitment(
                    agreement_id=made[2].id,
                    obligor_id=ids[JIANGXI_MEMBERS[1]],
                    description=overdue,
                    due_on=today - timedelta(days=10),
                ),
                Commitment(
                    agreement_id=made[2].id,
                    obligor_id=ids[JIANGXI_MEMBERS[2]],
                    description="Agree the course list for next term (illustrative)",
                    due_on=today + timedelta(days=20),
                ),
            ]
        )
    return AllianceCooperation(titles=titles, expiring=titles[3], overdue=overdue, started=started)


async def add_network(engine: AsyncEngine, *, organizations: int, prefix: str = "Test") -> None:
    """`organizations` new universities in a ring, each with an agreement with the next one."""
    async with AsyncSession(engine) as session, session.begin():
        orgs = [
            Organization(
                kind=OrganizationKind.UNIVERSITY.value,
                name=f"{prefix} University {i:03d}",
                country="DE",
            )
            for i in range(organizations)
        ]
        session.add_all(orgs)
        await session.flush()
        for i, org in enumerate(orgs):
            partner = orgs[(i + 1) % len(orgs)]
            agreement = Agreement(
                title=f"{prefix} exchange {i:03d}",
                kind=AgreementKind.STUDENT_EXCHANGE.value,
                status=AgreementStatus.ACTIVE.value,
            )
            session.add(agreement)
            await session.flush()
            assert agreement.id is not None and org.id is not None and partner.id is not None
            session.add_all(
                [
                    AgreementParty(
                        agreement_id=agreement.id, organization_id=org.id, role=PartyRole.LEAD
                    ),
                    AgreementParty(
                        agreement_id=agreement.id,
                        organization_id=partner.id,
                        role=PartyRole.PARTNER,
                    ),
                ]
            )


async def add_large_alliance(engine: AsyncEngine, *, members: int = 60) -> tuple[int, int]:
    """An alliance of `members` new universities in five groups of members that cooperate among
    themselves (a ring of agreements within each group, one agreement from each group's first
    member to the next group's), one chair, vice-chairs, directors, members and observers, all
    joined a year ago; its id and the number of member pairs with agreements."""
    joined = date.today() - timedelta(days=365)
    roles = (
        [MembershipRole.CHAIR] + [MembershipRole.VICE_CHAIR] * 4 + [MembershipRole.DIRECTOR] * 10
    )
    roles += [MembershipRole.MEMBER] * (members - len(roles) - 5) + [MembershipRole.OBSERVER] * 5
    groups = 5
    size = members // groups
    pairs = {
        (g * size + i, g * size + (i + 1) % size) for g in range(groups) for i in range(size)
    } | {(g * size, ((g + 1) % groups) * size) for g in range(groups)}
    async with AsyncSession(engine) as session, session.begin():
        alliance = Alliance(
            name=f"Large test alliance of {members}", scope=AllianceScope.NATIONAL.value
        )
        orgs = [
            Organization(
                kind=OrganizationKind.UNIVERSITY.value,
                name=f"Member University {i:02d}",
                country="CN",
            )
            for i in range(members)
        ]
        session.add(alliance)
        session.add_all(orgs)
        await session.flush()
        assert alliance.id is not None
        for org, role in zip(orgs, roles, strict=True):
            assert org.id is not None
            session.add(
                Membership(
                    alliance_id=alliance.id,
                    organization_id=org.id,
                    role=role.value,
                    joined_on=joined,
                )
            )
        for a, b in sorted(pairs):
            agreement = Agreement(
                title=f"Member cooperation {a:02d}-{b:02d}",
                kind=AgreementKind.STUDENT_EXCHANGE.value,
                status=AgreementStatus.ACTIVE.value,
                signed_on=joined,
                effective_from=joined,
            )
            session.add(agreement)
            await session.flush()
            assert agreement.id is not None
            for org in (orgs[a], orgs[b]):
                assert org.id is not None
                session.add(AgreementParty(agreement_id=agreement.id, organization_id=org.id))
        return alliance.id, len(pairs)
