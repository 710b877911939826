"""Which agreements each organization's list holds, kept by the database: the roll-up of
agreement parties into every organization at or above them, with the agreement's sort keys."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from db.base import UTCDateTime

__all__ = [
    "MIRRORS",
    "POSTGRESQL_ONLY_INDEXES",
    "OrganizationAgreement",
    "OrganizationAgreementTotal",
]

MIRRORS = "mirrors"
"""The `info` key naming the column (`table.column`) a copied column always equals: keyset
cursors (`resolvers.keyset`) read and compare the original, the ORDER BY uses the copy."""


class OrganizationAgreement(SQLModel, table=True):
    """One row per organization and agreement with a party at or below that organization (its
    own row when it is a party itself, its university's and so on up the unit tree): the
    agreements an organization's `agreements` list holds when units roll up. An organization's
    list is then one index range, and its latest agreements the first entries of an index
    (`created_at`, `signed_on` copied from the agreement), where they were a scan of every party
    row under the organization and a sort of its agreements (bench/RESULTS.md, run 17).

    Kept by triggers (migration 0018_membership_index) on `agreement_party` (a party added,
    removed or changed), `organization_unit` (the unit tree's closure: an organization moved,
    made or deleted) and `agreement` (its sort keys changed), so every writer (the API, the
    command line, the registry loaders, a bulk COPY) keeps it exact; rows go with their
    agreement or organization (foreign keys, cascade). Nothing writes it by hand."""

    __tablename__ = "organization_agreement"

    organization_id: int = Field(
        foreign_key="organization.id", primary_key=True, ondelete="CASCADE"
    )
    agreement_id: int = Field(
        foreign_key="agreement.id",
        primary_key=True,
        ondelete="CASCADE",
        index=True,
        sa_column_kwargs={"info": {MIRRORS: "agreement.id"}},
    )
    created_at: datetime = Field(
        sa_type=UTCDateTime,
        sa_column_kwargs={"nullable": False, "info": {MIRRORS: "agreement.created_at"}},
    )
    signed_on: date | None = Field(
        default=None, sa_column_kwargs={"info": {MIRRORS: "agreement.signed_on"}}
    )


class OrganizationAgreementTotal(SQLModel, table=True):
    """How many rows of `organization_agreement` each organization has: the total of its
    `agreements` list (units rolled up) when every one of them passes the list's conditions,
    which the read decides on the organization alone (`resolvers.agreements.kept_total`: an
    alliance's member asked for its agreements with a party in that alliance, an editor for its
    own organization's). Counting the list was an index range of every agreement of the
    organization (about 1,570 for a member at 100,000 organizations) per member and request.

    Kept by two triggers on `organization_agreement` itself (migration 0024_agreement_totals,
    `db.listing_triggers`): a row added counts one up, a row removed one down, so whatever
    keeps that table keeps this one. An organization whose last agreement went keeps its row
    with 0; the row goes with the organization (cascade). Nothing writes it by hand."""

    __tablename__ = "organization_agreement_total"

    organization_id: int = Field(
        foreign_key="organization.id", primary_key=True, ondelete="CASCADE"
    )
    agreements: int = Field(default=0)


POSTGRESQL_ONLY_INDEXES = {
    "ix_organization_agreement_latest": (
        "organization_agreement (organization_id, created_at DESC NULLS LAST, agreement_id)"
    ),
    "ix_organization_agreement_signed": (
        "organization_agreement (organization_id, signed_on DESC NULLS LAST, agreement_id)"
    ),
}
"""An organization's latest agreements, newest first with undated ones last as every list
sorts them (`resolvers.ordering.ordered`): SQLite cannot write NULLS LAST in an index, so
these are made by the migration on PostgreSQL alone and are not in the metadata
(tests/db/test_migrations.py leaves them out of the comparison)."""
