"""Bad input files on both databases: a file cut short or of the wrong shape, or without one
usable record of a kind the load needs, is refused with a `LoadError` naming the file (and the
line where it applies), and nothing is written; bad records are skipped with their file, line
and a readable reason."""

import copy
import gzip
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from db.loaders import LoadError, load_cordis, load_registries, load_ror, load_universities
from tests.registries import CORDIS, ROR, UNIVERSITIES, count, table_counts

pytestmark = pytest.mark.anyio

RECORDS = json.loads(ROR.read_text(encoding="utf-8"))


def _gzip_cut(tmp: Path) -> Path:
    data = gzip.compress(ROR.read_bytes())
    path = tmp / "ror.json.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _zip_cut(tmp: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("v2.0-ror-data.json", ROR.read_bytes())
    path = tmp / "ror.zip"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return path


def _text(name: str, content: str) -> Callable[[Path], Path]:
    def write(tmp: Path) -> Path:
        path = tmp / name
        path.write_text(content, encoding="utf-8")
        return path

    return write


def _json_cut(tmp: Path) -> Path:
    path = tmp / "ror.json"
    path.write_bytes(ROR.read_bytes()[:5000])
    return path


JSON_FILES: list[Any] = [
    pytest.param(_gzip_cut, r"ror\.json\.gz: is cut short: its gzip data ends", id="gz-cut"),
    pytest.param(_zip_cut, r"ror\.zip: is not a complete zip archive", id="zip-cut"),
    pytest.param(_json_cut, r"ror\.json, line \d+, column \d+: is cut short", id="json-cut"),
    pytest.param(
        _text("ror.json", '{"items": []}'),
        r"ror\.json: is an object, not a JSON array of ROR records",
        id="object",
    ),
    pytest.param(_text("ror.json", ""), r"ror\.json: is empty", id="empty"),
    pytest.param(_text("ror.json", "[]"), r"ror\.json: has no ROR records", id="no-records"),
    pytest.param(
        lambda tmp: UNIVERSITIES,
        r"universities\.json: none of its \d+ ROR records can be loaded \(\d+ of them: "
        r"no id; the first, record 1: no id\)",
        id="another-registry",
    ),
    pytest.param(lambda tmp: tmp / "nowhere.json", r"nowhere\.json: is missing", id="missing"),
]


@pytest.mark.parametrize(("make", "message"), JSON_FILES)
async def test_a_ror_file_that_cannot_be_loaded_is_refused_and_nothing_is_written(
    engine, tmp_path, make, message
):
    await load_universities(engine, UNIVERSITIES)
    before = await table_counts(engine)

    with pytest.raises(LoadError, match=message):
        await load_ror(engine, make(tmp_path))

    assert await table_counts(engine) == before


async def test_a_universities_file_of_another_shape_is_refused(engine, tmp_path):
    path = tmp_path / "universities.json"
    path.write_text('{"name": "not a list"}', encoding="utf-8")

    with pytest.raises(LoadError, match="is an object, not a JSON array of universities"):
        await load_universities(engine, path)
    with pytest.raises(LoadError, match=r"none of its 27 universities can be loaded"):
        await load_universities(engine, ROR)

    assert await count(engine, "SELECT count(*) FROM organization") == 0


async def test_a_zipped_ror_dump_loads_like_the_plain_file(engine, tmp_path):
    path = tmp_path / "v1.50-ror-data.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("v1.50-ror-data.json", "[]")
        archive.writestr("v1.50-ror-data_schema_v2.json", ROR.read_bytes())

    report = await load_ror(engine, path)

    assert (report.read, report.created) == (len(RECORDS), len(RECORDS) - 5)


def _cordis_copy(tmp: Path) -> Path:
    directory = tmp / "cordis"
    shutil.copytree(CORDIS, directory)
    return directory


def _edit(name: str, change: Callable[[str], str]) -> Callable[[Path], tuple[Path, str]]:
    def make(tmp: Path) -> tuple[Path, str]:
        directory = _cordis_copy(tmp)
        path = directory / f"{name}.csv"
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8", newline="")
        return directory, str(path)

    return make


def _rename_header(text: str) -> str:
    header, rest = text.split("\n", 1)
    return header.replace("org_id", "organisation_id").replace("legal_name", "name") + "\n" + rest


def _cut_in_row(text: str) -> str:
    return text[: text.index("\n", 2000) + 30]


def _open_quote(text: str) -> str:
    lines = text.split("\n")
    lines[5] = lines[5].replace(",", ',"', 1)
    return "\n".join(lines)


def _semicolons(text: str) -> str:
    return text.replace(",", ";")


def _blank_column(name: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        import csv

        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        out = io.StringIO()
        writer = csv.DictWriter(out, list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, name: ""} for row in rows)
        return out.getvalue()

    return change


CSV_FILES: list[Any] = [
    pytest.param(
        _edit("organizations", _rename_header),
        r"organizations\.csv, line 1: the header lacks the columns org_id, legal_name "
        r"\(it has: organisation_id, name,",
        id="renamed-columns",
    ),
    pytest.param(
        _edit("projects", _cut_in_row),
        r"projects\.csv, line \d+: has \d+ fields where the header has 16; the file ends in the "
        r"middle of this line",
        id="row-cut",
    ),
    pytest.param(
        _edit("participations", _open_quote),
        r"participations\.csv, line 6: a quoted field is not closed before the end of the file",
        id="open-quote",
    ),
    pytest.param(
        _edit("projects", _semicolons),
        r"projects\.csv, line 1: the header lacks the columns .*; its fields are separated by "
        "semicolons, not commas",
        id="semicolons",
    ),
    pytest.param(
        _edit("organizations", lambda text: ""),
        r"organizations\.csv: is empty",
        id="empty",
    ),
    pytest.param(
        _edit("projects", lambda text: text.split("\n", 1)[0] + "\n"),
        r"projects\.csv: has no projects",
        id="header-only",
    ),
    pytest.param(
        _edit("organizations", _blank_column("org_id")),
        r"organizations\.csv: none of its 35 organizations can be loaded \(35 of them: no org_id",
        id="no-usable-organization",
    ),
    pytest.param(
        _edit("participations", _blank_column("org_id")),
        r"participations\.csv: none of its 41 participations can be loaded \(40 of them: no org_id",
        id="no-usable-participation",
    ),
    pytest.param(
        _edit("projects", _blank_column("status")),
        r"projects\.csv: none of its 18 projects can be loaded \(17 of them: no status",
        id="no-usable-project",
    ),
]


@pytest.mark.parametrize(("make", "message"), CSV_FILES)
async def test_a_cordis_file_that_cannot_be_loaded_is_refused_and_nothing_is_written(
    engine, tmp_path, make, message
):
    await load_ror(engine, ROR)
    before = await table_counts(engine)
    directory, path = make(tmp_path)

    with pytest.raises(LoadError, match=message) as raised:
        await load_cordis(engine, directory)

    assert raised.value.path == path
    assert await table_counts(engine) == before


async def test_a_file_that_is_not_utf8_is_refused_with_its_line(engine, tmp_path):
    directory = _cordis_copy(tmp_path)
    path = directory / "organizations.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = b"\xff" + lines[3]
    path.write_bytes(b"\n".join(lines))

    with pytest.raises(LoadError, match=r"organizations\.csv, line 4: is not UTF-8 text"):
        await load_cordis(engine, directory)

    assert await count(engine, "SELECT count(*) FROM organization") == 0


async def test_a_project_without_a_loadable_participation_makes_no_agreement(engine, tmp_path):
    directory = _cordis_copy(tmp_path)
    path = directory / "participations.csv"
    header, *rows = path.read_text(encoding="utf-8").split("\n")
    alone = rows[0].split(",")[0]
    path.write_text(
        "\n".join([header, *(r for r in rows if not r.startswith(alone + ","))]),
        encoding="utf-8",
        newline="",
    )

    report = await load_cordis(engine, directory)

    reasons = {(s.where, s.reason) for s in report.parts["projects"].skips}
    assert ("line 2", f"project {alone} has no participation to load") in reasons
    assert await count(engine, "SELECT count(*) FROM agreement WHERE reference = :r", r=alone) == 0
    assert (
        await count(
            engine,
            "SELECT count(*) FROM agreement a WHERE NOT EXISTS "
            "(SELECT 1 FROM agreement_party p WHERE p.agreement_id = a.id)",
        )
        == 0
    )


async def test_a_file_without_a_final_line_break_is_loaded_with_a_note(engine, tmp_path):
    directory = _cordis_copy(tmp_path)
    path = directory / "projects.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))

    report = await load_cordis(engine, directory)

    assert report.all_notes() == [
        f"{path} does not end with a line break: its last line (19) may be cut short"
    ]


async def test_values_no_column_can_hold_are_skipped_not_a_failed_load(engine, tmp_path):
    """On PostgreSQL each of these used to stop the whole load at the write (a NUL byte, a key
    wider than its column, an amount beyond the money column)."""
    records = copy.deepcopy(RECORDS[:3])
    records[0]["names"][0]["value"] += "\x00"
    records[1]["id"] = "https://ror.org/" + "x" * 60
    records[2]["external_ids"] = [{"type": "t" * 60, "all": ["1"]}, {"type": "grid", "all": [7]}]
    path = tmp_path / "ror.json"
    path.write_text(json.dumps(records), encoding="utf-8")

    report = await load_ror(engine, path)

    assert {s.where: s.reason for s in report.skips} == {
        "record 1": "contains a NUL character",
        "record 2": f"id {('https://ror.org/' + 'x' * 60)[:60]!r} is not a ROR id",
    }
    assert report.created == 1
    schemes = await count(
        engine, "SELECT count(*) FROM organization_identifier WHERE scheme = 'grid' AND value = '7'"
    )
    assert schemes == 1

    directory = _cordis_copy(tmp_path)
    participations = directory / "participations.csv"
    lines = participations.read_text(encoding="utf-8").split("\n")
    columns = lines[0].split(",")
    at = next(n for n, line in enumerate(lines) if n and "999979015" not in line)
    fields = lines[at].split(",")
    fields[columns.index("ec_contribution")] = "1" + "0" * 20
    lines[at] = ",".join(fields)
    participations.write_text("\n".join(lines), encoding="utf-8")
    organizations = directory / "organizations.csv"
    text = organizations.read_text(encoding="utf-8").replace("ETH Z", "ETH\x00Z", 1)
    organizations.write_text(text, encoding="utf-8")

    cordis = await load_cordis(engine, directory)

    reasons = {(s.where, s.reason) for s in cordis.all_skips()}
    assert ("line 2", "contains a NUL character") in reasons
    assert (f"line {at + 1}", f"ec_contribution {'1' + '0' * 20!r} is not an amount") in reasons


async def test_load_real_reads_every_file_before_writing_any(engine, tmp_path):
    bad = tmp_path / "universities.json"
    bad.write_text("[{", encoding="utf-8")

    with pytest.raises(LoadError, match=r"universities\.json, line 1, column 3: is cut short"):
        await load_registries(engine, ROR, CORDIS, bad)

    assert set((await table_counts(engine)).values()) == {0}


async def test_a_json_file_with_a_byte_order_mark_loads(engine, tmp_path):
    path = tmp_path / "universities.json"
    path.write_bytes(b"\xef\xbb\xbf" + UNIVERSITIES.read_bytes())

    report = await load_universities(engine, path)

    assert report.read == len(json.loads(UNIVERSITIES.read_text(encoding="utf-8")))
