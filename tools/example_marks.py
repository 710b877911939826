"""The marked examples of the Markdown pages: finding them, showing an answer, rewriting a page.

An example is a ```graphql block preceded by a marker comment and followed by a ```json block,
its answer (only blank lines between the three); or, in place of the query, a ```sh block
holding one `curl` command (`curl -s [-H 'Name: value'] ... 'http://localhost:8000/<path>'`,
without the token, which the marker gives), whose answer block shows the HTTP status, the
headers in `SHOWN_HEADERS` and the JSON body. `$ETAG` in a header stands for the `ETag` of the
page's previous curl example's answer:

    <!-- example: token=secretariat variables={"id": "QWxsaWFuY2U6MQ"} show=data -->

Options, separated by spaces:

- `token`: the demo token the request is sent with, by role (`admin`, `secretariat`, `editor`,
  `reporter`, as `partnergraph serve` makes them), or `none` for an anonymous caller; required.
- `variables`: the request's variables, a JSON object (it may hold spaces).
- `show`: `answer` (default) shows the whole answer, `extensions.cost` included; `data` only its
  `data` member, as pages that show many answers do.
- `redact`: comma-separated dotted paths (`data.createApiToken.secret`) whose value differs on
  every run; the block shows `REDACTED` there.

Answers are shown in one deterministic, compact style (`_layout`): a value on one line when it
fits in `WIDTH` columns, else its members on lines of their own, indented by two, as many to a
line as fit.
"""

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "REDACTED",
    "SHOWN_HEADERS",
    "WIDTH",
    "Example",
    "ExampleError",
    "HttpRequest",
    "find_examples",
    "rewrite",
    "show",
]

WIDTH = 100
REDACTED = "<differs on every run>"
ROLES = ("admin", "secretariat", "editor", "reporter", "none")

_MARKER = re.compile(r"^<!-- example:(?P<options>.*)-->\s*$")
_OPTION = re.compile(r"\s*(?P<key>\w+)=")


SHOWN_HEADERS = ("etag", "cache-control", "vary")


@dataclass(frozen=True)
class HttpRequest:
    """What a curl example sends (`GET` only)."""

    path: str
    headers: dict[str, str]


def _curl(text: str, where: str) -> HttpRequest:
    words = shlex.split(text.replace("\\\n", " "))
    if not words or words[0] != "curl":
        raise ExampleError(f"{where}: a ```sh example holds one curl command")
    headers: dict[str, str] = {}
    url: str | None = None
    rest = iter(words[1:])
    for word in rest:
        if word in ("-s", "-i", "--silent", "--include"):
            continue
        if word in ("-H", "--header"):
            name, _, value = next(rest, "").partition(":")
            headers[name.strip()] = value.strip()
        elif word.startswith("http://localhost:8000/") and url is None:
            url = word.removeprefix("http://localhost:8000")
        else:
            raise ExampleError(f"{where}: cannot run the curl option {word!r}")
    if url is None:
        raise ExampleError(f"{where}: the curl command names no http://localhost:8000/ URL")
    return HttpRequest(path=url, headers=headers)


class ExampleError(ValueError):
    """A marker that cannot be read, or not followed by a query and its answer."""


@dataclass(frozen=True)
class Example:
    path: Path
    line: int
    """The marker's line number (1-based)."""
    token: str
    query: str
    answer_lines: tuple[int, int]
    """The answer block's content: its first line's index and the index past its last."""
    variables: dict[str, Any] = field(default_factory=dict)
    show: str = "answer"
    redact: tuple[str, ...] = ()
    http: HttpRequest | None = None
    """Set for a curl example (then `query` is empty)."""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _options(text: str, where: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    position = 0
    decoder = json.JSONDecoder()
    while text[position:].strip():
        match = _OPTION.match(text, position)
        if match is None:
            raise ExampleError(f"{where}: cannot read the marker's options at {text[position:]!r}")
        key, position = match["key"], match.end()
        if text[position : position + 1] in ("{", "["):
            found[key], position = decoder.raw_decode(text, position)
        else:
            end = re.compile(r"\S*").match(text, position)
            assert end is not None
            found[key], position = end.group(), end.end()
    return found


def _block(lines: list[str], start: int, language: str, where: str) -> tuple[int, int]:
    """The content of the fenced block at the first non-blank line from `start`."""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or lines[index].strip() != f"```{language}":
        raise ExampleError(f"{where}: expected a ```{language} block at line {index + 1}")
    end = index + 1
    while end < len(lines) and lines[end].strip() != "```":
        end += 1
    if end >= len(lines):
        raise ExampleError(f"{where}: the ```{language} block at line {index + 1} is not closed")
    return index + 1, end


def _example(path: Path, lines: list[str], index: int, options_text: str) -> Example:
    where = f"{path}:{index + 1}"
    options = _options(options_text, where)
    unknown = set(options) - {"token", "variables", "show", "redact"}
    if unknown:
        raise ExampleError(f"{where}: unknown options {sorted(unknown)}")
    token = options.get("token")
    if token not in ROLES:
        raise ExampleError(f"{where}: token= must be one of {', '.join(ROLES)}")
    if options.get("show", "answer") not in ("answer", "data"):
        raise ExampleError(f"{where}: show= must be answer or data")
    variables = options.get("variables", {})
    if not isinstance(variables, dict):
        raise ExampleError(f"{where}: variables= must be a JSON object")
    http: HttpRequest | None = None
    if _next_fence(lines, index + 1) == "```sh":
        query_start, query_end = _block(lines, index + 1, "sh", where)
        http = _curl("\n".join(lines[query_start:query_end]), where)
        query_start = query_end
    else:
        query_start, query_end = _block(lines, index + 1, "graphql", where)
    answer = _block(lines, query_end + 1, "json", where)
    redact = options.get("redact", "")
    return Example(
        path=path,
        line=index + 1,
        token=token,
        query="\n".join(lines[query_start:query_end]) + "\n",
        answer_lines=answer,
        variables=variables,
        show=options.get("show", "answer"),
        redact=tuple(part for part in redact.split(",") if part),
        http=http,
    )


def _next_fence(lines: list[str], start: int) -> str | None:
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    return lines[index].strip() if index < len(lines) else None


def find_examples(path: Path, text: str) -> list[Example]:
    """The marked examples of a page, in document order."""
    lines = text.split("\n")
    found = []
    for index, line in enumerate(lines):
        match = _MARKER.match(line)
        if match is not None:
            found.append(_example(path, lines, index, match["options"]))
    return found


def _redacted(value: Any, path: list[str]) -> Any:
    if not path:
        return REDACTED
    head, rest = path[0], path[1:]
    if isinstance(value, dict) and head in value:
        return {**value, head: _redacted(value[head], rest)}
    if isinstance(value, list) and head.isdigit() and int(head) < len(value):
        return [_redacted(item, rest) if n == int(head) else item for n, item in enumerate(value)]
    return value


def _layout(value: Any, indent: int, room: int) -> str:
    """`value` on one line if it fits in `room` columns; else a container holding one member
    continues on the same line, and one holding more puts its members on lines of their own at
    `indent + 2`, as many to a line as fit in `WIDTH` (a member that breaks gets lines of its
    own). Closing brackets follow the last member, on its line."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) <= room or not isinstance(value, dict | list) or not value:
        return flat
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    members = (
        [(f"{json.dumps(key, ensure_ascii=False)}: ", member) for key, member in value.items()]
        if isinstance(value, dict)
        else [("", member) for member in value]
    )
    if len(members) == 1:
        label, member = members[0]
        rest = room - len(opening) - len(label) - len(closing)
        return f"{opening}{label}{_layout(member, indent, rest)}{closing}"
    inner = indent + 2
    lines: list[str] = []
    current: str | None = None
    for label, member in members:
        text = label + _layout(member, inner, WIDTH - inner - len(label) - 1)
        fits = current is not None and inner + len(current) + len(text) + 3 <= WIDTH
        if "\n" not in text and fits:
            current = f"{current}, {text}"
            continue
        if current is not None:
            lines.append(current)
        current = text
        if "\n" in text:
            lines.append(text)
            current = None
    if current is not None:
        lines.append(current)
    return opening + "\n" + ",\n".join(" " * inner + line for line in lines) + closing


def show(example: Example, answer: dict[str, Any]) -> str:
    """The text the page shows for `answer` (without a final newline)."""
    shown: Any = answer.get("data") if example.show == "data" else answer
    for path in example.redact:
        parts = path.split(".")
        if example.show == "data" and parts[0] == "data":
            parts = parts[1:]
        shown = _redacted(shown, parts)
    return _layout(shown, 0, WIDTH)


def rewrite(text: str, examples: list[Example], shown: list[str]) -> str:
    """`text` with each example's answer block replaced by its shown answer."""
    lines = text.split("\n")
    for example, answer in sorted(
        zip(examples, shown, strict=True), key=lambda pair: -pair[0].answer_lines[0]
    ):
        start, end = example.answer_lines
        lines[start:end] = answer.split("\n")
    return "\n".join(lines)
