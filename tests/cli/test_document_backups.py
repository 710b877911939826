"""The stored documents beside a backup: copied to PATH.documents/ and back, adding only the
files missing; nothing copied for the S3 storage, which the object store backs up."""

import dataclasses
from pathlib import Path

from cli.document_backups import backup_documents, documents_beside, restore_documents
from settings import Settings


def _settings(directory: Path, storage: str = "local") -> Settings:
    return dataclasses.replace(
        Settings(), document_dir=str(directory), document_storage=storage, s3_bucket="documents"
    )


def test_the_document_directory_goes_beside_the_backup_and_back(tmp_path: Path) -> None:
    kept = tmp_path / "documents"
    (kept / "ab").mkdir(parents=True)
    (kept / "ab" / ("ab" + "0" * 62)).write_bytes(b"%PDF-1.4 one")
    (kept / ".signing-key").write_text("secret")
    backup = tmp_path / "backup.db"
    said = backup_documents(backup, _settings(kept))
    copied = documents_beside(backup) / "ab" / ("ab" + "0" * 62)
    assert copied.read_bytes() == b"%PDF-1.4 one"
    assert not (documents_beside(backup) / ".signing-key").exists()
    assert "copied 1 new document files" in said
    assert "copied 0 new" in backup_documents(backup, _settings(kept))

    restored = tmp_path / "restored"
    assert "restored 1 document files" in restore_documents(backup, _settings(restored))
    assert (restored / "ab" / ("ab" + "0" * 62)).read_bytes() == b"%PDF-1.4 one"


def test_an_s3_storage_is_backed_up_by_the_object_store(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "s3")
    assert "back it up separately" in backup_documents(tmp_path / "b.db", settings)
    assert not documents_beside(tmp_path / "b.db").exists()
