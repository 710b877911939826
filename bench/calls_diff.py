"""The Python calls one checkout makes per request and another does not: two cProfile dumps of
`bench.cpu_worker` blocks (`BENCH_CPROFILE`), compared function by function.

    uv run python -m bench.calls_diff bench/out/prof-base.2 bench/out/prof-this.2 --requests 400

Functions are matched by file (from the package or module on, so two checkouts' copies match)
and name (not the line, which moves between versions). Prints the total calls a request of
each, then the functions whose calls a request differ most, with their own time (tottime, us a
request; a time, so it moves with the machine's load, unlike the counts).
"""

import argparse
import pstats
import re
from typing import Any

_PREFIX = re.compile(r"^.*?/(site-packages|lib/python3\.\d+|work/[^/]+)/")


def _key(function: tuple[str, int, str]) -> tuple[str, str]:
    """File and name: not the line, which moves between versions of a file."""
    path, _line, name = function
    if path == "~":  # a built-in: its name says enough (not the address of its type)
        return path, re.sub(r" at 0x[0-9a-f]+", "", name)
    return _PREFIX.sub("", path), name


def _load(path: str) -> dict[tuple[str, str], tuple[int, float]]:
    stats: Any = pstats.Stats(path).stats  # type: ignore[attr-defined]
    found: dict[tuple[str, str], tuple[int, float]] = {}
    for function, (_primitive, calls, tottime, _cumtime, _callers) in stats.items():
        key = _key(function)
        before = found.get(key, (0, 0.0))
        found[key] = (before[0] + calls, before[1] + tottime)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--requests", type=int, required=True, help="requests of each block")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    before, after = _load(args.before), _load(args.after)
    n = args.requests
    print(
        f"calls a request: {sum(c for c, _ in before.values()) / n:.1f} -> "
        f"{sum(c for c, _ in after.values()) / n:.1f}; own time us a request: "
        f"{sum(t for _, t in before.values()) * 1e6 / n:.0f} -> "
        f"{sum(t for _, t in after.values()) * 1e6 / n:.0f}"
    )
    rows = []
    for key in before.keys() | after.keys():
        b, a = before.get(key, (0, 0.0)), after.get(key, (0, 0.0))
        rows.append(((a[0] - b[0]) / n, (a[1] - b[1]) * 1e6 / n, b[0] / n, a[0] / n, key))
    rows.sort(key=lambda r: (-abs(r[0]), -abs(r[1])))
    print("calls +/- | own us +/- | calls before | after | function")
    for delta, time_delta, b_calls, a_calls, (path, name) in rows[: args.top]:
        if delta == 0:
            break
        print(
            f"{delta:+8.2f} | {time_delta:+7.1f} | {b_calls:7.2f} | {a_calls:7.2f} | {path}:{name}"
        )


if __name__ == "__main__":
    main()
