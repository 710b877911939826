"""The stored documents beside a database backup: with the `local` storage, `partnergraph
backup PATH` also copies the document directory to `PATH.documents/`, and `restore PATH` copies
it back. Files are named by their SHA-256, so a copy only adds the files missing (a file already
there holds the same bytes) and never removes one. With the `s3` storage the bucket is not
copied: back it up with the object store's own means (versioning, replication)."""

import shutil
from pathlib import Path

from settings import Settings, load_settings

__all__ = ["backup_documents", "documents_beside", "restore_documents"]


def documents_beside(path: Path) -> Path:
    return path.with_name(path.name + ".documents")


def _copy_new(source: Path, target: Path) -> int:
    copied = 0
    for file in sorted(source.rglob("*")):
        if not file.is_file() or file.name.endswith(".part") or file.name.startswith("."):
            continue
        destination = target / file.relative_to(source)
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".part")
        shutil.copyfile(file, partial)
        partial.replace(destination)
        copied += 1
    return copied


def backup_documents(path: Path, settings: Settings | None = None) -> str:
    """Copies the local document directory beside the backup at `path`; says what it did."""
    settings = settings or load_settings()
    if settings.document_storage == "s3":
        return f"documents are in the S3 bucket {settings.s3_bucket!r}: back it up separately"
    source = Path(settings.document_dir)
    if not source.is_dir():
        return "no stored documents to copy"
    target = documents_beside(path)
    copied = _copy_new(source, target)
    return f"copied {copied} new document files to {target}"


def restore_documents(path: Path, settings: Settings | None = None) -> str:
    """Copies the document files kept beside the backup at `path` back into the local
    document directory; says what it did."""
    settings = settings or load_settings()
    source = documents_beside(path)
    if settings.document_storage == "s3":
        return f"documents are in the S3 bucket {settings.s3_bucket!r}: restore it separately"
    if not source.is_dir():
        return f"no document files beside the backup ({source})"
    copied = _copy_new(source, Path(settings.document_dir))
    return f"restored {copied} document files from {source}"
