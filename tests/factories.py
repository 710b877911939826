"""Building test data through the models (not raw SQL)."""

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import AgreementKind, AgreementStatus, OrganizationKind, PartyRole
from db.tables import Agreement, AgreementParty, Organization

__all__ = ["add_network"]


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
