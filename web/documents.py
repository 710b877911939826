"""`GET /documents/<sha256>`: the content of a document version kept by the `local` storage,
for whoever holds an unexpired URL signed by this server (`DocumentVersion.downloadUrl`;
`resolvers.storage`). The signature covers the hash, the expiry, the file name and the media
type the answer carries; anything else is 403, an expired URL 410, missing bytes 404."""

import hmac
import re
import time
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from resolvers.storage import LocalStorage, signature_of, storage_for
from settings import Settings

__all__ = ["DocumentDownload"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


def _refusal(status: int, message: str) -> Response:
    return JSONResponse({"message": message}, status_code=status)


class DocumentDownload:
    def __init__(self, *, settings: Settings) -> None:
        self.settings = settings

    async def answer(self, request: Request) -> Response:
        storage = storage_for(self.settings)
        sha256 = request.path_params["sha256"]
        if not isinstance(storage, LocalStorage) or _SHA256.fullmatch(sha256) is None:
            return _refusal(404, "no such document content here")
        query = request.query_params
        name, media_type = query.get("name", ""), query.get("type", "")
        try:
            expires = int(query.get("expires", ""))
        except ValueError:
            return _refusal(403, "the download URL is not signed by this server")
        wanted = signature_of(storage.key(), sha256, expires, name, media_type)
        if not hmac.compare_digest(wanted, query.get("signature", "")):
            return _refusal(403, "the download URL is not signed by this server")
        if expires < time.time():
            return _refusal(410, "the download URL has expired: ask for the document again")
        path = storage.path(sha256)
        if not path.exists():
            return _refusal(404, "the content is not in this server's storage")
        disposition = f"attachment; filename*=UTF-8''{quote(name)}"
        return FileResponse(
            path,
            media_type=media_type,
            headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
        )
