"""The per-request cost of measuring a document (`schema.limits`), now and at a given commit.

    uv run python -m bench.limits [--before <commit>] [--repeat N]

For each scenario of the benchmark (bench/scenarios.py) and for the 20-fragment doubling
document of issue 15: microseconds per measure with the code of this tree and, with `--before`,
with `schema/limits.py` as it was at that commit (loaded from git beside the current one). A
measure is what a request pays when the document, operation and variables are not in the
guard's cache (`schema.guard.measured`); a repeated request pays a lookup, shown as "hit":
now a digest of the text and variables, before a tuple of them (`--before` only).
"""

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from graphql import parse

from bench.scenarios import SCENARIOS
from resolvers.memo import Bounded
from schema import build_schema
from schema.guard import measured

__all__ = ["main"]

VARIABLES: dict[str, dict[str, Any]] = {
    "portal": {"id": "T3JnYW5pemF0aW9uOjE"},
    "secretariat": {"id": "QWxsaWFuY2U6MQ"},
    "directory": {"country": "CN"},
}


def _doubling(fragments: int) -> str:
    parts = ["{ organizations(first: 1) { nodes { ...F0 } } }"]
    for i in range(fragments):
        inner = f"...F{i + 1} ...F{i + 1}" if i + 1 < fragments else ""
        parts.append(f"fragment F{i} on Organization {{ parent {{ id }} {inner} }}")
    return "\n".join(parts)


def _old_limits(commit: str) -> ModuleType:
    source = subprocess.run(
        ["git", "show", f"{commit}:schema/limits.py"], check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_limits.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_limits", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _microseconds(call: Callable[[], object], repeat: int, budget: float = 5.0) -> float:
    call()
    started = time.perf_counter()
    done = 0
    while done < repeat and time.perf_counter() - started < budget:
        call()
        done += 1
    return (time.perf_counter() - started) / done * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", help="a commit whose schema/limits.py to compare with")
    parser.add_argument("--repeat", type=int, default=2_000)
    arguments = parser.parse_args()
    from schema import limits

    schema = build_schema()._schema
    old = _old_limits(arguments.before) if arguments.before else None
    documents = [
        (s.name, s.document, VARIABLES.get(s.name, {})) for s in SCENARIOS if s.name != "write"
    ]
    documents.append(("doubling-20", _doubling(20), {}))
    print(f"{'document':<14} {'now (us)':>10} {'before (us)':>12} {'hit now':>8} {'before':>7}")
    for name, text, variables in documents:
        document = parse(text)

        def now(document: Any = document, variables: Any = variables) -> object:
            return limits.measure(schema, document, operation_name=None, variables=variables)

        after = _microseconds(now, arguments.repeat)
        hit = _microseconds(
            lambda text=text, variables=variables, now=now: measured(text, None, variables, now),
            arguments.repeat * 10,
        )
        before = hit_before = ""
        if old is not None:
            kept: Bounded[tuple[str, str | None, str], object] = Bounded(1024)

            def lookup(text: str = text, variables: Any = variables, kept: Any = kept) -> object:
                key = (text, None, repr(variables))
                return kept.get(key) or kept.put(key, 1)

            hit_before = f"{_microseconds(lookup, arguments.repeat * 10):7.2f}"

            def then(document: Any = document, variables: Any = variables) -> object:
                return old.measure(schema, document, operation_name=None, variables=variables)

            repeat = 1 if name.startswith("doubling") else arguments.repeat
            before = f"{_microseconds(then, repeat, budget=30.0):12.1f}"
        print(f"{name:<14} {after:10.1f} {before:>12} {hit:8.2f} {hit_before}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
