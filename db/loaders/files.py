"""Reading a registry's files whole, and refusing one that cannot be loaded as a whole: missing,
empty, cut short (a truncated `.gz` or `.zip`, JSON that ends early, a CSV row cut in the middle),
of the wrong shape (not a JSON array; a CSV header without the columns the loader reads, another
delimiter, rows with another number of fields). Each refusal is a `LoadError` naming the file,
and the line where it applies, raised before anything is written."""

import codecs
import csv
import gzip
import io
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from db.loaders.records import describe
from db.loaders.registry import LoadError

__all__ = ["CsvRows", "read_bytes", "read_csv", "read_json_array"]

CsvRows = list[tuple[int, dict[str, str]]]
"""The rows of a CSV file: the line each starts on, and its fields by column name."""

_GZIP = b"\x1f\x8b"
_ZIP = b"PK\x03\x04"


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LoadError(path, "is missing") from None
    except IsADirectoryError:
        raise LoadError(path, "is a directory, not a file") from None
    except OSError as error:
        raise LoadError(path, f"cannot be read ({error.strerror or error})") from None


def _gunzip(path: Path, data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except EOFError:
        raise LoadError(
            path, "is cut short: its gzip data ends before the end (an interrupted download?)"
        ) from None
    except (gzip.BadGzipFile, zlib.error):
        raise LoadError(path, "is not valid gzip data") from None


def _unzip(path: Path, data: bytes) -> bytes:
    """The one `.json` file of a zip archive (of several, the one named `*schema_v2*`: ROR's
    dumps of the v1 era held both schemas)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if m.filename.endswith(".json")]
            if len(members) > 1:
                members = [m for m in members if "schema_v2" in m.filename] or members
            if not members:
                raise LoadError(path, "is a zip archive without a .json file")
            if len(members) > 1:
                names = ", ".join(m.filename for m in members)
                raise LoadError(path, f"holds several .json files ({names}); unzip the one to load")
            return archive.read(members[0])
    except (zipfile.BadZipFile, EOFError, zlib.error):
        raise LoadError(path, "is not a complete zip archive (cut short, or damaged)") from None
    except NotImplementedError:
        raise LoadError(path, "is compressed in a way this loader cannot read") from None


def read_json_array(path: Path, what: str) -> list[Any]:
    """The items of a JSON array file, plain, gzipped or in a zip archive."""
    data = read_bytes(path)
    if data[:2] == _GZIP or path.suffix == ".gz":
        data = _gunzip(path, data)
    elif data[:4] == _ZIP or path.suffix == ".zip":
        data = _unzip(path, data)
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data.strip():
        raise LoadError(path, "is empty")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        if "end of data" in error.msg:
            raise LoadError(path, "is cut short: the JSON ends in the middle", where) from None
        raise LoadError(path, f"is not valid JSON ({error.msg})", where) from None
    if not isinstance(value, list):
        raise LoadError(path, f"is {describe(value)}, not a JSON array of {what}")
    return value


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text:
        return "a quoted field is not closed before the end of the file (cut short?)"
    if "expected after" in text:
        return 'a quote inside a quoted field is not doubled ("")'
    if "field larger than field limit" in text:
        return "a field is too long (a quote that is never closed?)"
    return f"is not valid CSV ({text})"


def read_csv(path: Path, columns: Sequence[str], notes: list[str]) -> CsvRows:
    """The rows of a UTF-8, comma-separated CSV file with a header that names every one of
    `columns` (others may follow). A file without a final line break is read, with a note in
    `notes`: its last line may have been cut at a field's end."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise LoadError(path, "is not UTF-8 text", f"line {line}") from None
    del data
    if not text.strip():
        raise LoadError(path, "is empty (not even a header line)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as error:
        raise LoadError(path, _csv_problem(error), "line 1") from None
    _check_header(path, header, columns)
    ended = text.endswith(("\n", "\r"))
    lines = text.count("\n") + (0 if ended else 1)
    rows: CsvRows = []
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise LoadError(path, _csv_problem(error), f"line {start}") from None
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if len(fields) != len(header):
            cut = not ended and reader.line_num >= lines
            raise LoadError(
                path,
                f"has {len(fields)} field{'s' if len(fields) != 1 else ''} where the header has "
                f"{len(header)}"
                + ("; the file ends in the middle of this line (cut short?)" if cut else ""),
                f"line {start}",
            )
        rows.append((start, dict(zip(header, fields, strict=True))))
    if not ended and rows:
        notes.append(
            f"{path} does not end with a line break: its last line ({rows[-1][0]}) may be cut short"
        )
    return rows


def _check_header(path: Path, header: list[str], columns: Sequence[str]) -> None:
    twice = sorted({name for name in header if name and header.count(name) > 1})
    if twice:
        raise LoadError(path, f"the header names {', '.join(twice)} twice", "line 1")
    missing = [name for name in columns if name not in header]
    if not missing:
        return
    hint = ""
    if len(header) == 1:
        for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if delimiter in header[0]:
                hint = f"; its fields are separated by {name}, not commas"
                break
    found = ", ".join(header)
    if len(found) > 200:
        found = found[:200] + "..."
    raise LoadError(
        path,
        f"the header lacks the column{'s' if len(missing) != 1 else ''} {', '.join(missing)}"
        f"{hint} (it has: {found})",
        "line 1",
    )
