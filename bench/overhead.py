"""What one checkout costs over another, per request: both servers up at once, loaded in turn.

    uv run python -m bench.overhead --base /work/pg-ops-base --rounds 4

Starts this checkout's server and `--base`'s (its own `.venv`), one uvicorn worker each, on the
benchmark database of `bench.run`, and loads them one after the other, alternating which goes
first, for `--duration` seconds per scenario and round (with `--together`, both at once).
Reports for each window the requests a
second and the server's CPU time per request (user + system, read from /proc): on a machine
shared with other work, throughput swings with the neighbours' load, while CPU time per request
moves much less, so the comparison leans on it.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy.engine import make_url

from bench.load_generator import _ok, load
from bench.scenarios import SCENARIOS
from bench.subjects import auth_headers, prepare

HERE = Path(__file__).resolve().parent.parent


def _cpu_seconds(pid: int) -> float:
    user, system = _user_system(pid)
    return user + system


def _user_system(pid: int) -> tuple[float, float]:
    """The process's user and system CPU seconds (every thread's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def _switches(pid: int) -> int:
    """Context switches of every thread of the process so far (voluntary and not): each is a
    wait for the kernel (a socket with nothing to read, a lock, the GIL handed over)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "status").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        for line in text.splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _start(checkout: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    python = checkout / ".venv" / "bin" / "python"
    # parts of watching switched off (`bench.watch_off`, in a checkout that has it)
    factory = "bench.watch_off:create_app" if env.get("BENCH_WATCH_OFF") else "app:create_app"
    command = [
        str(python),
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    (HERE / "bench" / "out").mkdir(exist_ok=True)
    log = (HERE / "bench" / "out" / f"overhead-{port}.log").open("wb")  # the server's log
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=checkout, stderr=log)
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{checkout} did not start")


def _sender(body: bytes, headers: dict[str, str]) -> object:
    return lambda i, n: ("/graphql", body, headers, _ok)


async def main_async(args: argparse.Namespace) -> None:
    name = args.database_name or f"bench_{args.organizations}"
    url = make_url(args.database_url).set(database=name)
    url_text = url.render_as_string(hide_password=False)
    subjects = await prepare(url_text, args.organizations, args.organizations * 10, 16)
    env = {
        "DATABASE_URL": url_text,
        "PARTNERGRAPH_RATE_LIMIT": "0",
        "PARTNERGRAPH_ENV": "production",
        "PARTNERGRAPH_STATEMENT_TIMEOUT_MS": "0",
    }
    extra = {
        "this": dict(pair.split("=", 1) for pair in args.this_env),
        "base": dict(pair.split("=", 1) for pair in args.base_env),
    }
    checkouts: dict[str, Path] = {"this": HERE, "base": args.base, **args.extra}
    for name in args.extra:
        extra.setdefault(name, {})
    for pair in args.extra_env:
        name, setting = pair.split(":", 1)
        key, value = setting.split("=", 1)
        extra[name][key] = value
    if args.in_process:
        in_process(args, subjects, env, extra, checkouts)
        return
    servers = {name: (path, args.port + i) for i, (name, path) in enumerate(checkouts.items())}
    processes = {
        name: _start(path, port, {**env, **extra[name]}) for name, (path, port) in servers.items()
    }
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    try:
        for round_ in range(args.rounds):
            order = list(servers) if round_ % 2 == 0 else list(reversed(servers))
            for scenario in SCENARIOS:
                if scenario.name not in args.only:
                    continue
                body = orjson.dumps(
                    {"query": scenario.document, "variables": subjects.variables(scenario.name)}
                )
                send = _sender(body, auth_headers(subjects, scenario.role))
                groups = [list(servers)] if args.together else [[name] for name in order]
                for group in groups:
                    for name in group:
                        await load(servers[name][1], send, concurrency=8, warmup=0, duration=1)
                    before = {name: _user_system(processes[name].pid) for name in group}
                    switches = {name: _switches(processes[name].pid) for name in group}
                    traced = {
                        name: _strace(processes[name].pid, f"{scenario.name}-{name}-{round_}")
                        for name in group
                        if args.strace
                    }
                    measures = await asyncio.gather(
                        *(
                            load(
                                servers[name][1],
                                send,
                                concurrency=args.concurrency,
                                warmup=0,
                                duration=args.duration,
                            )
                            for name in group
                        )
                    )
                    for name, measured in zip(group, measures, strict=True):
                        pid = processes[name].pid
                        user, system = (
                            a - b for a, b in zip(_user_system(pid), before[name], strict=True)
                        )
                        done = max(1, measured.requests)
                        row = {
                            "rps": measured.requests / args.duration,
                            "cpu_ms": (user + system) * 1000 / done,
                            "user_ms": user * 1000 / done,
                            "sys_ms": system * 1000 / done,
                            "switches": (_switches(pid) - switches[name]) / done,
                            "errors": measured.errors,
                            "load": os.getloadavg()[0],
                        }
                        if name in traced:
                            row["syscalls"] = _strace_count(traced[name]) / done
                        results.setdefault((scenario.name, name), []).append(row)
                        shown = {k: round(v, 3) for k, v in row.items()}
                        print(round_, scenario.name, name, shown, flush=True)
        for name in servers:
            print(name, "RSS MB after the runs:", round(_rss_mb(processes[name].pid), 1))
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=15)
    print(
        "\nscenario | server | req/s per round | median req/s | CPU ms/request per round | median"
        " | user, sys ms, switches a request (medians)"
    )
    medians: dict[tuple[str, str], tuple[float, float]] = {}
    for (scenario_name, name), rows in results.items():
        rps = [r["rps"] for r in rows]
        cpu = [r["cpu_ms"] for r in rows]
        medians[(scenario_name, name)] = (statistics.median(rps), statistics.median(cpu))
        apart = [round(statistics.median(r[k] for r in rows), 3) for k in _APART if k in rows[0]]
        print(
            scenario_name,
            "|",
            name,
            "|",
            [round(x) for x in rps],
            "|",
            round(statistics.median(rps)),
            "|",
            [round(x, 3) for x in cpu],
            "|",
            round(statistics.median(cpu), 3),
            "|",
            apart,
        )
    for scenario_name in args.only:
        base = medians.get((scenario_name, "base"))
        for name in servers:
            this = medians.get((scenario_name, name))
            if name != "base" and this and base:
                print(
                    f"{scenario_name}: {name} over base, throughput "
                    f"{100 * (this[0] / base[0] - 1):+.1f}%, "
                    f"CPU per request {100 * (this[1] / base[1] - 1):+.1f}%"
                )


_APART = ("user_ms", "sys_ms", "switches", "syscalls")


def _strace(pid: int, label: str) -> tuple[subprocess.Popen[bytes], Path]:
    """strace counting the system calls of every thread of `pid` until stopped."""
    out = HERE / "bench" / "out" / f"strace-{label}.txt"
    tracer = subprocess.Popen(
        ["strace", "-c", "-f", "-p", str(pid), "-o", str(out)], stderr=subprocess.DEVNULL
    )
    time.sleep(1)  # attached to every thread
    return tracer, out


def _strace_count(traced: tuple[subprocess.Popen[bytes], Path]) -> int:
    """Stops the strace and reads its total of calls."""
    tracer, out = traced
    tracer.send_signal(2)
    tracer.wait(timeout=30)
    for line in out.read_text().splitlines():
        if line.rstrip().endswith("total"):
            return int(line.split()[2])
    return 0


WORKER = Path(__file__).with_name("cpu_worker.py")


class _Worker:
    """A checkout's application in a process of its own (`bench.cpu_worker`), under callgrind
    when `callgrind`."""

    def __init__(self, name: str, checkout: Path, env: dict[str, str], callgrind: bool) -> None:
        python = checkout / ".venv" / "bin" / "python"
        out = HERE / "bench" / "out"
        out.mkdir(exist_ok=True)
        log = (out / f"overhead-{name}.log").open("wb")
        self.dumps = out / f"callgrind-{name}"
        prefix = []
        if callgrind:
            for old in out.glob(f"callgrind-{name}*"):
                old.unlink()
            prefix = [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={self.dumps}",
            ]
        self.callgrind = callgrind
        self.background = 0.0
        """Instructions a second when idle (`idle_rate`), taken off each block's count."""
        self.process = subprocess.Popen(
            [*prefix, str(python), "-c", WORKER.read_text()],
            env={**os.environ, **env},
            cwd=checkout,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )

    def ready(self) -> None:
        self._answer()

    def _answer(self) -> dict[str, float]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the worker stopped: see bench/out/overhead-*.log")
        return dict(orjson.loads(line))

    def _callgrind(self, *options: str) -> None:
        subprocess.run(
            ["callgrind_control", *options, str(self.process.pid)],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def run(
        self,
        body: bytes,
        headers: dict[str, str],
        requests: int,
        concurrency: int,
        *,
        measure: bool = True,
    ) -> dict[str, float]:
        assert self.process.stdin is not None
        command = {
            "body": body.decode(),
            "headers": list(headers.items()),
            "requests": requests,
            "concurrency": concurrency,
        }
        counting = self.callgrind and measure
        if counting:
            dumps = set(self.dumps.parent.glob(f"{self.dumps.name}*"))
            self._callgrind("--instr=on")
        self.process.stdin.write(orjson.dumps(command) + b"\n")
        self.process.stdin.flush()
        answer = self._answer()
        if counting:
            self._callgrind("--dump")
            self._callgrind("--instr=off")
            (dump,) = set(self.dumps.parent.glob(f"{self.dumps.name}*")) - dumps
            answer["instructions"] = _instructions(dump) / requests
            if self.background:
                # what the background did meanwhile, at its idle rate: under callgrind a block
                # takes many times longer than natively, so that share would be many times too
                # large
                seconds = answer["wall_ms"] * requests / 1000
                answer["instructions"] -= self.background * seconds / requests
        return answer

    def idle_rate(self, seconds: float) -> float:
        """Instructions a second the worker spends with no request (its background tasks and
        threads, other versions' included), counted for `seconds`."""
        dumps = set(self.dumps.parent.glob(f"{self.dumps.name}*"))
        self._callgrind("--instr=on")
        time.sleep(seconds)
        self._callgrind("--dump")
        self._callgrind("--instr=off")
        (dump,) = set(self.dumps.parent.glob(f"{self.dumps.name}*")) - dumps
        return _instructions(dump) / seconds

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=120)


def _instructions(dump: Path) -> int:
    """The instructions a callgrind dump counted (its `totals:` or `summary:` line)."""
    for line in dump.read_text().splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {dump}")


def in_process(
    args: argparse.Namespace,
    subjects: Any,
    env: dict[str, str],
    extra: dict[str, dict[str, str]],
    checkouts: dict[str, Path],
) -> None:
    """Both checkouts' applications in processes of their own, called without sockets, in
    alternated blocks of `--requests`: the CPU time per request of each, as free of the
    neighbours' load as a time can be (no load generator, no HTTP parsing, no uvicorn)."""
    workers = {
        name: _Worker(name, path, {**env, **extra[name]}, args.callgrind)
        for name, path in checkouts.items()
    }
    for worker in workers.values():
        worker.ready()
    if args.callgrind:
        for name, worker in workers.items():
            worker.background = worker.idle_rate(20)
            print(name, "idle instructions a second:", round(worker.background), flush=True)
    measure = "instructions" if args.callgrind else "cpu_ms"
    cpu: dict[tuple[str, str], list[float]] = {}
    try:
        for round_ in range(args.rounds):
            order = list(workers) if round_ % 2 == 0 else list(reversed(workers))
            for scenario in SCENARIOS:
                if scenario.name not in args.only:
                    continue
                body = orjson.dumps(
                    {"query": scenario.document, "variables": subjects.variables(scenario.name)}
                )
                headers = auth_headers(subjects, scenario.role)
                for name in order:
                    workers[name].run(body, headers, 50, args.concurrency, measure=False)
                    row = workers[name].run(body, headers, args.requests, args.concurrency)
                    row["load"] = os.getloadavg()[0]
                    cpu.setdefault((scenario.name, name), []).append(row[measure])
                    shown = {k: round(v, 3) for k, v in row.items()}
                    print(round_, scenario.name, name, shown, flush=True)
    finally:
        for worker in workers.values():
            worker.close()
    print(f"\nscenario | checkout | {measure} per request, per round | median | min")
    for (scenario_name, name), values in cpu.items():
        print(
            scenario_name,
            "|",
            name,
            "|",
            [round(x, 3) for x in values],
            "|",
            round(statistics.median(values), 3),
            "|",
            round(min(values), 3),
        )
    for scenario_name in args.only:
        base = cpu.get((scenario_name, "base"))
        for name in workers:
            this = cpu.get((scenario_name, name))
            if name == "base" or not this or not base:
                continue
            ratios = [t / b for t, b in zip(this, base, strict=True)]
            medians = statistics.median(this) / statistics.median(base) - 1
            print(
                f"{scenario_name}: {name} over base, {measure} per request {100 * medians:+.1f}% "
                f"(medians), {100 * (min(this) / min(base) - 1):+.1f}% (minima), "
                f"{100 * (statistics.median(ratios) - 1):+.1f}% (median of the rounds' ratios)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="the other checkout (with its .venv)")
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--this-env", nargs="*", default=[], help="KEY=VALUE set for this checkout's server only"
    )
    parser.add_argument(
        "--base-env", nargs="*", default=[], help="KEY=VALUE set for the base's server only"
    )
    parser.add_argument(
        "--together",
        action="store_true",
        help="load both servers at the same time (each with --concurrency connections), so "
        "that both share the machine's load alike",
    )
    parser.add_argument("--port", type=int, default=8951)
    parser.add_argument(
        "--database-name", help="the benchmark database (default bench_<organizations>)"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="no servers: each checkout's application called in a process of its own, without "
        "sockets, in alternated blocks of --requests; reports the CPU time per request",
    )
    parser.add_argument(
        "--extra",
        nargs="*",
        default=[],
        help="NAME=PATH: more checkouts measured alongside (the same path again, with other "
        "--extra-env, measures a variant: BENCH_WATCH_OFF=... switches parts of watching off, "
        "bench/watch_off.py)",
    )
    parser.add_argument(
        "--extra-env", nargs="*", default=[], help="NAME:KEY=VALUE set for an --extra checkout"
    )
    parser.add_argument(
        "--callgrind",
        action="store_true",
        help="(--in-process) count the instructions per request under valgrind's callgrind "
        "instead of timing them: the same count whatever else the machine runs, but each "
        "worker starts in minutes (keep --requests and --rounds small)",
    )
    parser.add_argument(
        "--strace",
        action="store_true",
        help="(servers) count each server's system calls a request with strace -c during the "
        "measured windows (slows the servers: read the counts, not the times)",
    )
    parser.add_argument("--requests", type=int, default=2000, help="per block (--in-process)")
    parser.add_argument("--only", nargs="*", default=["portal", "directory"])
    args = parser.parse_args()
    args.base = Path(args.base).resolve()
    args.extra = {
        name: Path(path).resolve() for name, path in (pair.split("=", 1) for pair in args.extra)
    }
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
