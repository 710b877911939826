"""The stored content of documents: one row per uploaded version, its bytes kept by a storage
backend under their SHA-256 (`resolvers.storage`), so the same bytes are stored once."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import UTCDateTime, fk, utcnow

__all__ = ["DocumentVersion"]


class DocumentVersion(SQLModel, table=True):
    __tablename__ = "document_version"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "number"),
        sa.CheckConstraint("size >= 0", name="size_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = fk("document.id", required=True, ondelete="CASCADE")
    number: int = Field(ge=1)
    """1 for the first upload, then one more for each."""
    sha256: str = Field(max_length=64, index=True)
    size: int = Field(sa_type=sa.BigInteger)
    media_type: str = Field(max_length=100)
    """As found from the content's first bytes, never from the name or the client's word."""
    file_name: str | None = Field(default=None, max_length=255)
    storage: str = Field(max_length=10)
    """The backend holding the bytes when uploaded: `local` or `s3`."""
    uploaded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs={"nullable": False}
    )
    uploaded_by: str | None = Field(default=None, max_length=100)
