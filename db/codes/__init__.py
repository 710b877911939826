"""The official code lists of the field, read once from the files beside this module (their
sources are named in README.md there): ISCED-F 2013 fields of education and training and the
eight EQF levels."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from db.enums import FieldLevel

__all__ = [
    "EqfLevel",
    "FieldLevel",
    "FieldOfStudy",
    "eqf_level",
    "eqf_levels",
    "field_of_study",
    "fields_of_study",
]

_HERE = Path(__file__).parent


_LEVELS = {2: FieldLevel.BROAD, 3: FieldLevel.NARROW, 4: FieldLevel.DETAILED}


@dataclass(frozen=True, slots=True)
class FieldOfStudy:
    code: str
    label: str

    @property
    def level(self) -> FieldLevel:
        return _LEVELS[len(self.code)]

    @property
    def narrow_code(self) -> str | None:
        return self.code[:3] if self.level is FieldLevel.DETAILED else None

    @property
    def broad_code(self) -> str | None:
        return self.code[:2] if self.level is not FieldLevel.BROAD else None


@dataclass(frozen=True, slots=True)
class EqfLevel:
    level: int
    knowledge: str
    qf_ehea_cycle: str | None


@cache
def _fields() -> dict[str, FieldOfStudy]:
    with (_HERE / "isced_f_2013.csv").open(encoding="utf-8", newline="") as source:
        return {
            row["code"]: FieldOfStudy(row["code"], row["label"]) for row in csv.DictReader(source)
        }


@cache
def _eqf() -> dict[int, EqfLevel]:
    with (_HERE / "eqf_levels.csv").open(encoding="utf-8", newline="") as source:
        return {
            int(row["level"]): EqfLevel(
                int(row["level"]), row["knowledge"], row["qf_ehea_cycle"] or None
            )
            for row in csv.DictReader(source)
        }


def field_of_study(code: str) -> FieldOfStudy | None:
    """The field of the official list with this code (2, 3 or 4 digits), or None."""
    return _fields().get(code)


def fields_of_study(
    *, under: str | None = None, level: FieldLevel | None = None
) -> list[FieldOfStudy]:
    """The fields in code order, those under a code (itself included) and of a level if given."""
    return [
        f
        for f in _fields().values()
        if (under is None or f.code.startswith(under)) and (level is None or f.level is level)
    ]


def eqf_level(level: int) -> EqfLevel | None:
    return _eqf().get(level)


def eqf_levels() -> list[EqfLevel]:
    return list(_eqf().values())
