"""A record of any shape is either read or skipped with a reason in words: generated records
(one field of a real record replaced by any JSON value, or any text in a CSV column) never make
a parser raise anything but `BadRecord`, and no reason is Python's own words."""

import copy
import csv
import json
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.loaders.cordis_read import COLUMNS, _organization, _participation, _project
from db.loaders.registry import BadRecord, LoadReport
from db.loaders.ror import ror_record, ror_relations
from db.loaders.universities import university_record
from tests.registries import CORDIS, ROR, UNIVERSITIES

ROR_RECORDS = [r for r in json.loads(ROR.read_text(encoding="utf-8")) if isinstance(r, dict)]
UNIVERSITY_RECORDS = [
    r for r in json.loads(UNIVERSITIES.read_text(encoding="utf-8")) if isinstance(r, dict)
]

PYTHON_WORDS = ("object is not", "NoneType", "iterable", "subscriptable", "attribute", "<class")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value a generated value can go."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replaced(record: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(record)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def _readable(reason: str) -> None:
    assert reason and not any(words in reason for words in PYTHON_WORDS), reason


def _read_or_skip(parse: Any, *args: Any) -> None:
    try:
        parse(*args)
    except BadRecord as error:
        _readable(str(error))


@st.composite
def mutated(draw: st.DrawFn, records: list[dict[str, Any]]) -> dict[str, Any]:
    record = draw(st.sampled_from(records))
    path = draw(st.sampled_from(_paths(record)))
    return _replaced(record, path, draw(json_values))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(ROR_RECORDS))
def test_any_ror_record_is_read_or_skipped_with_a_reason_in_words(record):
    def parse(item: Any) -> None:
        ror_record(1, item)
        ror_relations(item)

    _read_or_skip(parse, record)


@settings(max_examples=200, deadline=None)
@given(mutated(UNIVERSITY_RECORDS))
def test_any_university_is_read_or_skipped_with_a_reason_in_words(record):
    _read_or_skip(university_record, 1, record)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({**ROR_RECORDS[0], "names": 5}, "names is a number, not a list"),
        ({**ROR_RECORDS[0], "types": 5}, "types is a number, not a list"),
        ({**ROR_RECORDS[0], "locations": [5]}, "locations entry 1 is a number, not an object"),
        (
            {**ROR_RECORDS[0], "external_ids": [{"type": "grid", "all": 5}]},
            "all is a number, not a list",
        ),
        ({**ROR_RECORDS[0], "status": ["active"]}, "unknown status ['active']"),
    ],
)
def test_a_ror_field_of_the_wrong_type_is_named_in_the_reason(record, reason):
    with pytest.raises(BadRecord) as raised:
        ror_record(1, record)
        ror_relations(record)
    assert str(raised.value) == reason


def test_a_university_field_of_the_wrong_type_is_named_in_the_reason():
    with pytest.raises(BadRecord, match=r"^domains is a number, not a list$"):
        university_record(1, {**UNIVERSITY_RECORDS[0], "domains": 5})
    with pytest.raises(BadRecord, match=r"^alpha_two_code is a number, not text$"):
        university_record(1, {**UNIVERSITY_RECORDS[0], "alpha_two_code": 7})


def _csv(name: str) -> list[dict[str, str]]:
    with (CORDIS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


ORGANIZATIONS, PROJECTS, PARTICIPATIONS = (_csv(name) for name in COLUMNS)


@st.composite
def row_with(draw: st.DrawFn, rows: list[dict[str, str]], columns: tuple[str, ...]) -> Any:
    row = dict(draw(st.sampled_from(rows)))
    row[draw(st.sampled_from(columns))] = draw(st.text(max_size=40))
    return row


@settings(max_examples=300, deadline=None)
@given(
    row_with(ORGANIZATIONS, COLUMNS["organizations"]),
    row_with(PROJECTS, COLUMNS["projects"]),
    row_with(PARTICIPATIONS, COLUMNS["participations"]),
)
def test_any_cordis_row_is_read_or_skipped_with_a_reason_in_words(organization, project, party):
    _read_or_skip(_organization, 2, organization)
    _read_or_skip(_project, 2, project, date(2025, 1, 1))
    projects = {p["project_id"]: None for p in PROJECTS}
    _read_or_skip(_participation, 2, party, projects, {o["org_id"] for o in ORGANIZATIONS})


def test_skips_are_counted_by_reason_with_the_first_place_of_each():
    report = LoadReport("cordis")
    part = report.part("organizations", "data/organizations.csv")
    for line, code in ((3, "ZZ"), (5, "QQ"), (8, "XX")):
        part.skip(f"line {line}", f"unknown country code {code!r}")
    part.skip("line 9", "no legal_name")

    assert report.skip_summary(2) == [
        "  skipped 4 records, by reason:",
        "         3  unknown country code … (first: data/organizations.csv, line 3)",
        "         1  no legal_name (first: data/organizations.csv, line 9)",
        "  skipped records:",
        "    data/organizations.csv, line 3: unknown country code 'ZZ'",
        "    data/organizations.csv, line 5: unknown country code 'QQ'",
        "    ... and 2 more skipped (--show-skips N)",
    ]


def test_a_ror_schema_v1_record_says_so():
    v1 = {"id": "https://ror.org/00k4n6c32", "name": "European Commission", "status": "active"}

    with pytest.raises(BadRecord, match="is a ROR schema v1 record"):
        ror_record(1, v1)
