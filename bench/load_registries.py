"""Wall time and peak memory of loading ROR, CORDIS and the universities list, twice, into a
fresh SQLite file and a fresh PostgreSQL database (made and dropped here).

    uv run python bench/load_registries.py [--data ../shared/data] [--postgres URL] [--no-sqlite]

Each load runs in a process of its own, so its peak resident memory (`ru_maxrss`) is its own;
the table gives it with the process's size before the load (Python with the project
imported). Results are printed and written to bench/out/load_registries.json.
"""

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
FILES = {
    "ror": "ror/ror_v2_records_union.json.gz",
    "cordis": "cordis_horizon",
    "universities": "hipo/world_universities_and_domains.json",
}
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def _mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _step(url: str, name: str, path: Path) -> dict[str, object]:
    from db.engine import create_engine
    from db.loaders import load_cordis, load_ror, load_universities

    loader = {"ror": load_ror, "cordis": load_cordis, "universities": load_universities}[name]
    engine = create_engine(url)
    before = _mb()
    started = time.perf_counter()
    try:
        report = await loader(engine, path)
    finally:
        await engine.dispose()
    return {
        "seconds": time.perf_counter() - started,
        "rss_before_mb": before,
        "peak_rss_mb": _mb(),
        "read": report.total("read"),
        "created": report.total("created"),
        "updated": report.total("updated"),
        "merged": report.total("merged"),
        "unchanged": report.total("unchanged"),
        "skipped": report.total("skipped"),
        "rows_written": sum(report.rows.values()),
        "summary": report.summary(),
    }


async def _migrate(url: str) -> None:
    from db.engine import create_engine
    from db.migrate import upgrade

    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _admin(url: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _run_step(url: str, name: str, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, "--url", url, "--path", str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _bench(database: str, url: str, data: Path) -> list[dict[str, object]]:
    asyncio.run(_migrate(url))
    rows = []
    for run in (1, 2):
        for name, relative in FILES.items():
            result = _run_step(url, name, data / relative)
            result.update(database=database, run=run, file=name)
            rows.append(result)
            print(f"{database} run {run} {name}: {result['seconds']:.1f} s", file=sys.stderr)
            print(result["summary"], file=sys.stderr)
    return rows


def _table(rows: list[dict[str, object]]) -> str:
    head = (
        "| database | run | file | seconds | peak RSS MB (before) | read | created | updated "
        "| merged | unchanged | skipped | rows written |"
    )
    lines = [head, "|" + " --- |" * 12]
    for r in rows:
        lines.append(
            f"| {r['database']} | {r['run']} | {r['file']} | {r['seconds']:.1f} "
            f"| {r['peak_rss_mb']:.0f} ({r['rss_before_mb']:.0f}) | {r['read']} | {r['created']} "
            f"| {r['updated']} | {r['merged']} | {r['unchanged']} | {r['skipped']} "
            f"| {r['rows_written']} |"
        )
    for database in dict.fromkeys(str(r["database"]) for r in rows):
        for run in (1, 2):
            total = sum(
                float(str(r["seconds"]))
                for r in rows
                if r["database"] == database and r["run"] == run
            )
            lines.append(f"\n{database}, run {run}: all three in {total:.1f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--postgres", default=POSTGRES, help="a server URL (any database)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(asyncio.run(_step(args.url, args.step, args.path))))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    if not args.no_sqlite:
        path = OUT / f"registries-{uuid.uuid4().hex[:8]}.db"
        try:
            rows += _bench("SQLite", f"sqlite+aiosqlite:///{path}", args.data)
        finally:
            for leftover in OUT.glob(f"{path.name}*"):
                leftover.unlink()
    if not args.no_postgres:
        from sqlalchemy.engine import make_url

        name = f"bench_registries_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(args.postgres, f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.postgres).set(database=name).render_as_string(False)
            rows += _bench("PostgreSQL", url, args.data)
        finally:
            asyncio.run(_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    table = _table(rows)
    print(table)
    (OUT / "load_registries.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    (OUT / "load_registries.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
