"""Where the bytes of documents are kept: a local directory (the default) or S3-compatible
object storage, both content-addressed by SHA-256 (the same bytes are stored once).

A download is a short-lived signed URL: for `local`, `/documents/<sha256>` on this server with
an HMAC-SHA-256 signature over the hash, expiry, file name and media type (checked by
`web.documents`); for `s3`, a presigned GET URL of the object store. Whoever holds such a URL
may fetch the bytes until it expires: it is handed out only on a document the caller may see.
"""

import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from settings import Settings

__all__ = ["LocalStorage", "S3Storage", "Storage", "signature_of", "storage_for"]


class Storage(Protocol):
    name: str

    async def put(self, sha256: str, data: bytes, media_type: str) -> None: ...

    async def delete(self, sha256: str) -> None: ...

    async def url(self, sha256: str, *, file_name: str, media_type: str, base_url: str) -> str:
        """A signed URL to download the bytes, valid for `document_url_seconds`."""
        ...


def signature_of(key: bytes, sha256: str, expires: int, file_name: str, media_type: str) -> str:
    message = f"{sha256}\n{expires}\n{file_name}\n{media_type}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class LocalStorage:
    root: Path
    seconds: int
    configured_key: str = ""
    name: str = "local"

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def key(self) -> bytes:
        if self.configured_key:
            return self.configured_key.encode()
        kept = self.root / ".signing-key"
        if not kept.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            made = self.root / f".signing-key.{secrets.token_hex(4)}"
            made.write_text(secrets.token_urlsafe(32))
            with contextlib.suppress(FileExistsError):
                os.link(made, kept)  # the first worker's key wins; the others read it
            made.unlink()
        return kept.read_text().strip().encode()

    async def put(self, sha256: str, data: bytes, media_type: str) -> None:
        await asyncio.to_thread(self._write, sha256, data)

    def _write(self, sha256: str, data: bytes) -> None:
        target = self.path(sha256)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{sha256}.{secrets.token_hex(4)}.part")
        partial.write_bytes(data)
        os.replace(partial, target)

    async def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    async def url(self, sha256: str, *, file_name: str, media_type: str, base_url: str) -> str:
        expires = int(time.time()) + self.seconds
        signature = signature_of(self.key(), sha256, expires, file_name, media_type)
        query = urlencode(
            {"expires": expires, "name": file_name, "type": media_type, "signature": signature}
        )
        return f"{base_url.rstrip('/')}/documents/{sha256}?{query}"


@dataclass
class S3Storage:
    """boto3 (synchronous) run in a thread for each call."""

    bucket: str
    seconds: int
    endpoint_url: str | None
    region: str
    name: str = "s3"
    _client: Any = None

    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client(
                "s3", endpoint_url=self.endpoint_url or None, region_name=self.region
            )
        return self._client

    async def put(self, sha256: str, data: bytes, media_type: str) -> None:
        await asyncio.to_thread(
            self.client().put_object,
            Bucket=self.bucket,
            Key=_object_key(sha256),
            Body=data,
            ContentType=media_type,
            ChecksumSHA256=base64.b64encode(bytes.fromhex(sha256)).decode(),
        )

    async def delete(self, sha256: str) -> None:
        await asyncio.to_thread(
            self.client().delete_object, Bucket=self.bucket, Key=_object_key(sha256)
        )

    async def url(self, sha256: str, *, file_name: str, media_type: str, base_url: str) -> str:
        disposition = f"attachment; filename*=UTF-8''{quote(file_name)}"
        found: str = await asyncio.to_thread(
            self.client().generate_presigned_url,
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": _object_key(sha256),
                "ResponseContentType": media_type,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=self.seconds,
        )
        return found


def _object_key(sha256: str) -> str:
    return f"documents/{sha256}"


_made: dict[Settings, Storage] = {}


def storage_for(settings: Settings) -> Storage:
    """The storage `settings` name, made once per settings (a boto3 client is reused)."""
    found = _made.get(settings)
    if found is None:
        if settings.document_storage == "s3":
            found = S3Storage(
                settings.s3_bucket,
                settings.document_url_seconds,
                settings.s3_endpoint_url or None,
                settings.s3_region,
            )
        else:
            found = LocalStorage(
                Path(settings.document_dir),
                settings.document_url_seconds,
                settings.document_signing_key,
            )
        _made[settings] = found
    return found
