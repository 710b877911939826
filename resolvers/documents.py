"""Uploading a version of a document: its size and type checked from its bytes, its bytes kept
by the storage (`resolvers.storage`) under their SHA-256, its row written, and the agreement's
terms hash refreshed (it covers the hashes of its documents: `db.terms`), so a signed agreement
goes back to negotiation and one in force refuses.

Refused before anything is written: a file over `Settings.max_upload_bytes` (`FILE_TOO_LARGE`),
one whose first bytes are none of PDF, PNG, JPEG, DOCX/ZIP or UTF-8 plain text
(`UNSUPPORTED_MEDIA_TYPE`; the file name and the client's content type are not trusted). Bytes
stored for a write that then fails are removed again unless another version holds them.
"""

from collections.abc import Sequence
from typing import Any

import filetype
import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.dataloader import DataLoader

from db import tables as t
from db.base import table_of
from db.terms import refresh_terms_hash
from resolvers.agreement_lifecycle import load_agreement, reopen_if_signed
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.storage import Storage
from resolvers.viewer import Viewer
from resolvers.write_scope import load_for_write, require_change
from resolvers.writes import insert_row

__all__ = [
    "ACCEPTED",
    "FileTooLarge",
    "UnsupportedMediaType",
    "add_version",
    "check_upload",
    "close_upload",
    "document_row",
    "forget_unused",
    "media_type_of",
    "read_upload",
    "versions_of",
]

VERSION = table_of(t.DocumentVersion)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = frozenset({"application/pdf", "image/png", "image/jpeg", "application/zip", DOCX})
"""The media types found from content (`filetype`) that are kept; plain text besides."""
_TEXT_CONTROLS = frozenset(b"\t\n\r\f")


class FileTooLarge(ApiError):
    code = "FILE_TOO_LARGE"


class UnsupportedMediaType(ApiError):
    code = "UNSUPPORTED_MEDIA_TYPE"


async def read_upload(upload: Any, limit: int) -> bytes:
    """The bytes of an uploaded file (strawberry's `Upload`: Starlette's `UploadFile`), read no
    further than one byte past `limit`."""
    if not hasattr(upload, "read"):
        raise UnsupportedMediaType("send the file as a multipart upload", field="file")
    data: bytes = await upload.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"the file is over the limit of {limit} bytes", field="file")
    if not data:
        raise UnsupportedMediaType("the file is empty", field="file")
    return data


async def close_upload(upload: Any) -> None:
    """Closes an uploaded file (its spooled copy removed) whatever came of the request."""
    close = getattr(upload, "close", None)
    if close is not None:
        await close()


def _plain_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(byte < 32 and byte not in _TEXT_CONTROLS for byte in data)


def media_type_of(data: bytes) -> str:
    """The media type the bytes are, among those kept; `UnsupportedMediaType` otherwise."""
    kind = filetype.guess(data)
    if kind is not None and kind.mime in ACCEPTED:
        return str(kind.mime)
    if kind is None and _plain_text(data):
        return "text/plain"
    found = "an unknown type" if kind is None else kind.mime
    raise UnsupportedMediaType(
        f"the file is {found}; documents are PDF, PNG, JPEG, DOCX (or ZIP) or plain text",
        field="file",
    )


async def _may_upload(connection: AsyncConnection, viewer: Viewer, document_id: int) -> RowMapping:
    document = await load_for_write(connection, viewer, "Document", document_id, field="document")
    await require_change(
        connection, viewer, "Document", document, field="document", doing="upload versions of it"
    )
    return document


async def check_upload(engine: AsyncEngine, viewer: Viewer, document_id: int) -> None:
    """The access checks of `add_version`, before the file is read: a missing or hidden
    document answers `NOT_FOUND`, one the caller may not change `FORBIDDEN`, whatever the file."""
    async with engine.connect() as connection:
        await _may_upload(connection, viewer, document_id)


async def add_version(
    connection: AsyncConnection,
    viewer: Viewer,
    storage: Storage,
    *,
    document_id: int,
    data: bytes,
    sha256: str,
    media_type: str,
    file_name: str | None,
) -> RowMapping:
    """A new version of a document the caller may change (checked again in this transaction),
    its bytes stored first. The content is part of the agreement's terms, as a commitment is:
    a signed agreement goes back to negotiation (its signatures cleared), one in force or
    ended refuses (`INVALID_TRANSITION`: renew it)."""
    document = await _may_upload(connection, viewer, document_id)
    agreement = await load_agreement(connection, document["agreement_id"])
    await reopen_if_signed(connection, agreement, viewer.label)
    number = await connection.scalar(
        sa.select(sa.func.coalesce(sa.func.max(VERSION.c.number), 0) + 1).where(
            VERSION.c.document_id == document_id
        )
    )
    await storage.put(sha256, data, media_type)
    row = await insert_row(
        connection,
        VERSION,
        {
            "document_id": document_id,
            "number": number,
            "sha256": sha256,
            "size": len(data),
            "media_type": media_type,
            "file_name": (file_name or "")[:255] or None,
            "storage": storage.name,
            "uploaded_by": viewer.label[:100],
        },
        actor=viewer.label,
    )
    await refresh_terms_hash(connection, document["agreement_id"])
    return row


async def document_row(connection: AsyncConnection, document_id: int) -> RowMapping:
    document = table_of(t.Document)
    statement = sa.select(document).where(document.c.id == document_id)
    return (await connection.execute(statement)).mappings().one()


async def forget_unused(engine: AsyncEngine, storage: Storage, sha256: str) -> None:
    """Removes stored bytes that no version holds (left by a write that failed). An upload of
    the same bytes still in its transaction at that moment would lose them: a rare race, found
    by its version's download failing, and mended by uploading again."""
    async with engine.connect() as connection:
        held = await connection.scalar(
            sa.select(sa.func.count()).select_from(VERSION).where(VERSION.c.sha256 == sha256)
        )
    if not held:
        await storage.delete(sha256)


def versions_of(ctx: Context) -> DataLoader[int, list[RowMapping]]:
    """The versions of each document, first upload first: one statement per request."""

    async def batch(keys: Sequence[int]) -> list[list[RowMapping]]:
        statement = (
            ctx.reader.select(VERSION)
            .where(VERSION.c.document_id.in_(sorted(set(keys))))
            .order_by(VERSION.c.document_id, VERSION.c.number)
        )
        found: dict[int, list[RowMapping]] = {key: [] for key in keys}
        async with ctx.engine.connect() as connection:
            for row in (await connection.execute(statement)).mappings():
                found[row["document_id"]].append(row)
        return [found[key] for key in keys]

    loader: DataLoader[int, list[RowMapping]] = ctx.loaders.lists(("document_versions",), batch)
    return loader
