"""Schema-driven fuzzing: generated operations, and what every answer to one must be.

Operations come from hypothesis-graphql over the assembled schema (queries and mutations, valid
ones and ones with one schema violation), with a generator of our own for each custom scalar:
valid values and the edges a caller may send (a Decimal of `NaN` or `1e400`, year 0, a date
that does not exist, an offset out of range), and for `ID` the global IDs of real demo rows, IDs
of missing rows and of the wrong type, and garbage. `problems` lists what is wrong with an
answer; `tests/schema/test_fuzz.py` runs a few examples of it, `bench/fuzz.py` many.
"""

import base64
import dataclasses
import datetime as dt
import json
import re
from typing import Any

import graphql
import httpx
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from resolvers.ids import encode_id
from resolvers.paging import cursor_at
from schema import build_schema

__all__ = [
    "INTERNAL_TEXT",
    "ROLES",
    "SCALARS",
    "Request",
    "node_type_names",
    "operations",
    "problems",
]

ROLES = ("admin", "editor", "secretariat", "viewer", "reporter", "anonymous")

INTERNAL_TEXT = re.compile(
    r"Traceback|sqlalchemy|asyncpg|psycopg|sqlite3|Errno|INTERNAL_SERVER_ERROR"
    r"|site-packages|\.py\"|\.py:\d|File \"/|/work/|/usr/lib|/home/",
    re.IGNORECASE,
)
"""What an answer must never hold: tracebacks, driver and library names, file paths, and the
code of an unexpected failure."""

SCHEMA = build_schema()._schema


def node_type_names() -> list[str]:
    node = SCHEMA.type_map["Node"]
    assert isinstance(node, graphql.GraphQLInterfaceType)
    return sorted(t.name for t in SCHEMA.get_possible_types(node))


def _string(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


def _raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


_TYPES = node_type_names()
_real_ids = st.builds(encode_id, st.sampled_from(_TYPES), st.integers(1, 40))
_missing_ids = st.builds(encode_id, st.sampled_from(_TYPES), st.integers(41, 2**31 - 1))
_odd_ids = st.one_of(
    st.sampled_from(
        [
            "",
            "=",
            "T3Jn",
            "not-an-id!",
            _raw_id("Organization:0"),
            _raw_id("Organization:-1"),
            _raw_id("Organization:1.5"),
            _raw_id("Organization:" + "9" * 40),
            _raw_id("Organization:2147483648"),
            _raw_id("Organization:9223372036854775808"),
            _raw_id(":1"),
            _raw_id("Spaceship:1"),
            _raw_id("Organization: 1"),
            _raw_id("Organization:\uff11"),  # a fullwidth digit one
            encode_id("Organization", 1) + "=",
        ]
    ),
    st.builds(lambda text: _raw_id(text), st.text(max_size=30)),
    st.text(max_size=40),
)
ID_VALUES = st.one_of(_real_ids, _real_ids, _missing_ids, _odd_ids).map(_string)

_date_edges = st.sampled_from(
    [
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
        "2025-02-29",
        "2024-02-29",
        "2025-13-01",
        "2025-1-1",
        "20250101",
        "2025-W01-1",
        "",
        "today",
        "2025-01-01T00:00:00",
        "-2025-01-01",
        "+12025-01-01",
    ]
)
_recent_dates = st.dates(dt.date(2000, 1, 1), dt.date(2035, 12, 31))
DATE_VALUES = st.one_of(
    _recent_dates.map(lambda d: d.isoformat()),
    _recent_dates.map(lambda d: d.isoformat()),
    _recent_dates.map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()),
    _date_edges,
    st.text(max_size=12),
).map(_string)

_datetime_edges = st.sampled_from(
    [
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59.999999",
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+14:00",
        "2025-01-01T24:00:00",
        "2025-01-01T00:00:00+25:00",
        "2025-01-01T00:00:00Z",
        "2025-01-01",
        "2025-01-01T00:00:60",
        "",
        "now",
    ]
)
_recent_datetimes = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2035, 12, 31))
DATETIME_VALUES = st.one_of(
    _recent_datetimes.map(lambda d: d.isoformat()),
    _recent_datetimes.map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    _datetime_edges,
    st.text(max_size=25),
).map(_string)

_decimal_edges = st.sampled_from(
    [
        "NaN",
        "-NaN",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "1e400",
        "-1e400",
        "1e-400",
        "1E+18",
        "99999999.99",
        "1000000",
        "-0",
        "0.000000001",
        "1_000",
        " 1 ",
        "",
        "1,5",
        "9" * 60,
    ]
)
DECIMAL_VALUES = st.one_of(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, max_value=10**6, min_value=-(10**6)
    )
    .map(str)
    .map(_string),
    st.decimals().map(str).map(_string),
    _decimal_edges.map(_string),
    st.integers().map(lambda n: graphql.IntValueNode(value=str(n))),
    st.floats(allow_nan=False, allow_infinity=False).map(
        lambda x: graphql.FloatValueNode(value=repr(x))
    ),
)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
).map(lambda v: _string(json.dumps(v)))

SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "ID": ID_VALUES,
    "Date": DATE_VALUES,
    "DateTime": DATETIME_VALUES,
    "Decimal": DECIMAL_VALUES,
    "JSON": JSON_VALUES,
    # A file comes only in a multipart request: in a document it is text, which must be refused.
    "Upload": st.text(max_size=10).map(_string),
}


Request = tuple[str, dict[str, Any] | None]
"""A document's text and its variables (`None`: none sent)."""


class _Tame(graphql.Visitor):
    """Half of the `after:` strings and of the integer arguments (chosen by their value, so the
    same every time) become real cursors and small numbers: random text is a malformed cursor
    and a random integer a page size out of range, each refused before anything else in the
    request is looked at."""

    def enter_argument(self, node: graphql.ArgumentNode, *_: object) -> object:
        value = node.value
        if isinstance(value, graphql.IntValueNode) and int(value.value) % 2 == 0:
            small = graphql.IntValueNode(value=str(abs(int(value.value)) % 50))
            return graphql.ArgumentNode(name=node.name, value=small)
        if node.name.value != "after" or not isinstance(value, graphql.StringValueNode):
            return None
        if len(value.value) % 2:
            return None
        return graphql.ArgumentNode(name=node.name, value=_string(cursor_at(len(value.value) % 30)))


def _lifted(document: graphql.DocumentNode) -> Request:
    """The document with its root field's arguments sent as variables (coerced by another road
    than literals, and checked by the input hygiene as sent)."""
    operation = document.definitions[0]
    assert isinstance(operation, graphql.OperationDefinitionNode)
    root_type = (
        SCHEMA.mutation_type if operation.operation.value == "mutation" else SCHEMA.query_type
    )
    assert root_type is not None
    field = operation.selection_set.selections[0]
    if not isinstance(field, graphql.FieldNode) or field.name.value not in root_type.fields:
        return graphql.print_ast(document), None
    declared = root_type.fields[field.name.value].args
    variables: dict[str, Any] = {}
    definitions = []
    arguments = []
    for argument in field.arguments or ():
        name = argument.name.value
        if name not in declared:
            arguments.append(argument)
            continue
        variable = graphql.VariableNode(name=graphql.NameNode(value=name))
        variables[name] = graphql.value_from_ast_untyped(argument.value)
        definitions.append(
            graphql.VariableDefinitionNode(
                variable=variable,
                type=graphql.parse_type(str(declared[name].type)),
                directives=(),
            )
        )
        arguments.append(graphql.ArgumentNode(name=argument.name, value=variable))
    field = dataclasses.replace(field, arguments=tuple(arguments))
    selections = (field, *operation.selection_set.selections[1:])
    operation = dataclasses.replace(
        operation,
        variable_definitions=tuple(definitions),
        selection_set=graphql.SelectionSetNode(selections=selections),
    )
    return graphql.print_ast(graphql.DocumentNode(definitions=(operation,))), variables


def _request(document: graphql.DocumentNode) -> Request:
    """The generated document tamed (`_Tame`), and half of the time (chosen by its text)
    with its root field's arguments as variables."""
    document = graphql.visit(document, _Tame())
    text = graphql.print_ast(document)
    if len(text) % 2 or len(document.definitions) != 1:
        return text, None
    return _lifted(document)


def _root_fields() -> list[tuple[str, str, bool]]:
    """(operation kind, root field, whether it takes arguments) for every root field."""
    roots = [("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)]
    return [
        (kind, name, bool(field.args))
        for kind, root in roots
        if root is not None
        for name, field in root.fields.items()
    ]


ROOT_FIELDS = _root_fields()


def _on(root: tuple[str, str, bool]) -> st.SearchStrategy[Request]:
    """Operations on one root field: most valid and without NUL characters (refused before
    anything else looks at them), some with NULs, and, where the field takes arguments, some
    with one violation of the schema."""
    kind, name, has_arguments = root
    make = queries if kind == "query" else mutations

    def made(mode: Mode, allow_x00: bool) -> st.SearchStrategy[Request]:
        return make(
            SCHEMA,
            fields=[name],
            custom_scalars=SCALARS,
            mode=mode,
            allow_x00=allow_x00,
            print_ast=_request,
        )

    valid = made(Mode.POSITIVE, False)
    variants = [valid, valid, valid, valid, made(Mode.POSITIVE, True)]
    if has_arguments:
        variants.append(made(Mode.NEGATIVE, False))
    return st.one_of(variants)


def operations() -> st.SearchStrategy[Request]:
    """Queries and mutations, one root field at a time so that each is asked as often."""
    return st.sampled_from(ROOT_FIELDS).flatmap(_on)


def problems(response: httpx.Response) -> list[str]:
    """What is wrong with `response` as the answer to a GraphQL request (nothing: `[]`)."""
    found = []
    if response.status_code >= 500:
        found.append(f"HTTP {response.status_code}")
    text = response.text
    internal = INTERNAL_TEXT.search(text)
    if internal is not None:
        found.append(f"internal text {internal.group(0)!r}")
    if not response.headers.get("content-type", "").startswith("application/"):
        found.append(f"content type {response.headers.get('content-type')!r}")
    try:
        body = response.json()
    except ValueError:
        return [*found, "the body is not JSON"]
    found.extend(_shape_problems(body))
    return found


def _shape_problems(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    if "data" not in body and "errors" not in body:
        return ["neither data nor errors"]
    if set(body) - {"data", "errors", "extensions"}:
        return [f"unexpected keys {sorted(body)}"]
    data, errors = body.get("data"), body.get("errors")
    if data is not None and not isinstance(data, dict):
        return ["data is not an object"]
    if "errors" in body and (not isinstance(errors, list) or not errors):
        return ["errors is not a non-empty list"]
    found = []
    for error in errors or []:
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            found.append(f"an error without a message: {error!r:.200}")
            continue
        code = (error.get("extensions") or {}).get("code")
        if not isinstance(code, str):
            found.append(f"an error without a code: {error['message']!r:.200}")
    if data is None and not errors:
        found.append("no data and no errors")
    return found
