"""Resources owned by one organization and shared with others under an agreement."""

from datetime import date

from sqlmodel import Field

from db.base import Mutable, check_enum, check_order, fk
from db.enums import ResourceKind

__all__ = ["Resource", "ResourceShare"]


class Resource(Mutable, table=True):
    __tablename__ = "resource"
    __table_args__ = (check_enum("kind", ResourceKind),)

    owner_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    kind: str = Field(index=True)
    name: str = Field(max_length=500)
    description: str | None = None
    is_illustrative: bool = Field(default=False)


class ResourceShare(Mutable, table=True):
    __tablename__ = "resource_share"
    __table_args__ = (check_order("starts_on", "ends_on"),)

    resource_id: int = fk("resource.id", required=True, ondelete="CASCADE")
    organization_id: int = fk("organization.id", required=True, ondelete="CASCADE")
    agreement_id: int | None = fk("agreement.id", ondelete="SET NULL")
    terms: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
