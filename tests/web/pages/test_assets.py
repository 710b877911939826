"""The pinned files under web/static/app and tests/web/assets are the ones their NOTICE names
(the hashes of the npm packages' files), each with its licence beside it."""

import hashlib
import re
from pathlib import Path

import pytest

from web.pages import ASSETS_DIR

TEST_ASSETS = Path(__file__).resolve().parents[1] / "assets"


@pytest.mark.parametrize("folder", [ASSETS_DIR, TEST_ASSETS])
def test_each_pinned_file_has_the_hash_and_licence_its_notice_gives(folder: Path) -> None:
    notice = (folder / "NOTICE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([\w.-]+) \| ([\d.]+) \|.*`([0-9a-f]{64})` \|$", notice, re.M)
    assert rows, "no pinned files in the NOTICE"
    for package, version, digest in rows:
        pinned = folder / f"{package}@{version}"
        scripts = sorted(pinned.glob("*.min.js"))
        assert len(scripts) == 1, pinned
        assert hashlib.sha256(scripts[0].read_bytes()).hexdigest() == digest, scripts[0]
        assert (pinned / "LICENSE").is_file(), pinned
