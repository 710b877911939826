"""Documents' stored content: the `DocumentVersion` type with its signed download URL, the
`versions` list of a document, and `uploadDocumentVersion` (a GraphQL multipart request)."""

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.file_uploads import Upload

from resolvers import documents as writes
from resolvers.errors import ApiError
from resolvers.ids import decode_id_of
from resolvers.permissions import ANYONE
from resolvers.storage import storage_for
from schema.mutations import UserError, run_mutation
from schema.node_types import REGISTERED
from schema.relay import Info
from schema.wording import USER_ERRORS

if TYPE_CHECKING:
    from schema.agreements import Document

__all__ = ["DocumentMutation", "DocumentVersion", "versions_field"]


@strawberry.type(
    description="One uploaded version of a document's content, kept under its SHA-256; seen "
    "by whoever sees the document."
)
class DocumentVersion:
    number: int = strawberry.field(description="1 for the first upload, one more for each next.")
    sha256: str = strawberry.field(
        description="The SHA-256 of the content, in hex: what a signature's terms hash covers."
    )
    size: int = strawberry.field(description="The content's size in bytes.")
    media_type: str = strawberry.field(
        description="The media type found from the content's first bytes (`application/pdf`, "
        "`image/png`, `image/jpeg`, DOCX, `application/zip`, `text/plain`)."
    )
    file_name: str | None = strawberry.field(description="The file name it was uploaded with.")
    uploaded_at: datetime = strawberry.field(description="When it was uploaded (UTC).")
    storage: strawberry.Private[str]

    @strawberry.field(
        description="A short-lived URL to download the content (`PARTNERGRAPH_DOCUMENT_URL_"
        "SECONDS`, 5 minutes unless set): signed by this server, or presigned by the object "
        "store. Whoever holds it may download until it expires."
    )
    async def download_url(self, info: Info) -> str:
        ctx = info.context
        storage = storage_for(ctx.settings)
        base = str(ctx.request.base_url) if ctx.request is not None else "/"
        name = self.file_name or f"document-{self.sha256[:12]}"
        return await storage.url(
            self.sha256, file_name=name, media_type=self.media_type, base_url=base
        )

    @classmethod
    def from_row(cls, row: RowMapping) -> "DocumentVersion":
        return cls(
            number=row["number"],
            sha256=row["sha256"],
            size=row["size"],
            media_type=row["media_type"],
            file_name=row["file_name"],
            uploaded_at=row["uploaded_at"],
            storage=row["storage"],
        )


def versions_field() -> Any:
    async def resolve(self: Any, info: Info) -> list[DocumentVersion]:
        rows = await writes.versions_of(info.context).load(self.pk)
        return [DocumentVersion.from_row(row) for row in rows]

    return strawberry.field(
        resolver=resolve,
        description="Its uploaded versions, first upload first; empty when only a `url` is "
        "recorded.",
    )


@strawberry.input(description="A new version of a document's content, sent as a multipart file.")
class UploadDocumentVersionInput:
    document: strawberry.ID = strawberry.field(description="The document it is a version of.")
    file: Upload = strawberry.field(
        description="The file: PDF, PNG, JPEG, DOCX (or ZIP) or UTF-8 plain text, at most "
        "`PARTNERGRAPH_MAX_UPLOAD_BYTES`; its type is found from its content."
    )


@strawberry.type(description="What an upload answers: the version stored and its document.")
class DocumentVersionPayload:
    version: DocumentVersion | None = strawberry.field(
        default=None, description="The version stored; null when `userErrors` is not empty."
    )
    document: Annotated["Document", strawberry.lazy("schema.agreements")] | None = strawberry.field(
        default=None, description="The document, as it now is."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


_INPUT = strawberry.argument(description="The one input object: the document and the file.")


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(
        description="Uploads a new version of a document (a GraphQL multipart request: "
        "docs/documents.md), by whoever may change the document. Too large a file or one of a "
        "refused type is a user error and nothing is written; the agreement's terms hash then "
        "covers the new content."
    )
    async def upload_document_version(
        self, info: Info, input: Annotated[UploadDocumentVersionInput, _INPUT]
    ) -> DocumentVersionPayload:
        ctx = info.context
        storage = storage_for(ctx.settings)
        try:
            document_id = decode_id_of(input.document, "Document", field="document")
            await writes.check_upload(ctx.engine, ctx.viewer, document_id)
            data = await writes.read_upload(input.file, ctx.settings.max_upload_bytes)
            media_type = writes.media_type_of(data)
        except ApiError as error:
            refusal = UserError(message=error.message, code=error.code, field=error.field)
            return DocumentVersionPayload(user_errors=[refusal])
        finally:
            await writes.close_upload(input.file)
        sha256 = hashlib.sha256(data).hexdigest()

        async def work(connection: AsyncConnection) -> DocumentVersionPayload:
            row = await writes.add_version(
                connection,
                ctx.viewer,
                storage,
                document_id=document_id,
                data=data,
                sha256=sha256,
                media_type=media_type,
                file_name=getattr(input.file, "filename", None),
            )
            document = await writes.document_row(connection, document_id)
            return DocumentVersionPayload(
                version=DocumentVersion.from_row(row),
                document=REGISTERED["Document"].from_row(document),  # type: ignore[attr-defined]
            )

        try:
            payload = await run_mutation(
                info,
                permission=ANYONE,
                arguments={},
                work=work,
                payload=DocumentVersionPayload,
                name="upload documents",
            )
        except BaseException:
            await writes.forget_unused(ctx.engine, storage, sha256)
            raise
        if payload.user_errors:
            await writes.forget_unused(ctx.engine, storage, sha256)
        return payload
