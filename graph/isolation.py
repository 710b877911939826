"""networkit computations in separate processes, each with a deadline.

A crash in native code (networkit is C++ with OpenMP) would otherwise take the whole server
process down with every request it was serving, and a long computation could not be stopped.
So the API runs every `analytics.Measure` in a small pool of processes (fresh interpreters,
started on first use and reused): each runs one computation at a time, keeps the networkit
graphs of the last few views it was sent (the edges travel once per view and process), and
answers with the kernel's raw result, which the caller finishes with its view. When a process
dies (a segmentation fault, the OOM killer) its computation fails with `AnalyticsFailed`; when
one runs past its budget it is killed and the computation fails with `AnalyticsTimeout`;
either way a fresh process takes its place, and the caller lives on.

Every view's result is computed once: concurrent callers wanting the same measure of the same
view wait for the one computation in progress.
"""

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from graph.analytics import Edges, Graphs, Measure
from graph.network import View

__all__ = [
    "AnalyticsFailed",
    "AnalyticsPool",
    "AnalyticsTimeout",
    "analytics_pool",
    "serve",
]

T = TypeVar("T")
VIEWS_PER_PROCESS = 4
"""Views whose networkit graphs a process keeps (CORDIS's whole view: about 40 MB)."""
START_S = 60
"""How long a new process may take to import networkit and say it is ready (a second or two;
it counts in the budget of the computation that waits for it)."""
_KEY = "isolation.key"
_PENDING = "isolation.pending."
_keys = itertools.count(1)


class AnalyticsFailed(Exception):
    """The computation's process died or the computation raised."""


class AnalyticsTimeout(Exception):
    """The computation ran past its deadline and was stopped."""


def serve(descriptor: int, views: int) -> None:
    """A pool process's main: answer on the socket `descriptor` until the server goes away."""
    connection = Connection(descriptor)
    threading.Thread(target=_orphaned, args=(os.getppid(),), daemon=True).start()
    connection.send(("ready", os.getpid()))
    _serve(connection, views)


def _orphaned(server: int) -> None:
    """Ends this process when its server is gone, even in the middle of a computation."""
    while os.getppid() == server:
        time.sleep(1)
    os._exit(0)


def _serve(connection: Connection, views: int) -> None:
    """A pool process: (key, edges or None, kernel) in, ("ok", raw) or ("missing"|"error", ...)
    out, until the server goes away."""
    graphs: OrderedDict[int, Graphs] = OrderedDict()
    while True:
        try:
            key, edges, kernel = connection.recv()
        except (EOFError, OSError):
            return
        if edges is not None:
            graphs[key] = Graphs(edges)
            while len(graphs) > views:
                graphs.popitem(last=False)
        found = graphs.get(key)
        if found is None:
            connection.send(("missing", None))
            continue
        graphs.move_to_end(key)
        try:
            answer = ("ok", kernel(found))
        except Exception as error:  # a bug in a kernel: told to the caller, the process lives
            answer = ("error", f"{type(error).__name__}: {error}")
        connection.send(answer)


@dataclass(eq=False)
class _Process:
    process: subprocess.Popen[bytes]
    connection: Connection
    views: OrderedDict[int, None] = field(default_factory=OrderedDict)
    """The views this process holds, in its own order (it drops the oldest past its limit)."""

    def sent(self, key: int, limit: int) -> None:
        self.views[key] = None
        self.views.move_to_end(key)
        while len(self.views) > limit:
            self.views.popitem(last=False)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.connection.close()
        if self.alive():
            self.process.kill()
        self.process.wait(5)


class AnalyticsPool:
    """Up to `processes` processes, started on first use; `run` waits for a free one."""

    def __init__(self, processes: int, *, views: int = VIEWS_PER_PROCESS) -> None:
        if processes < 1:
            raise ValueError("an analytics pool needs at least one process")
        self.processes = processes
        self._views = views
        self._idle: list[_Process] = []
        self._started = 0
        self._waiting: list[asyncio.Future[None]] = []
        self._threads = ThreadPoolExecutor(processes, thread_name_prefix="analytics")
        """One thread per process, each waiting for its process's answer."""
        self.replaced = 0
        """Processes killed or found dead and replaced (for tests and the benchmark)."""
        self.computations = 0
        """Computations sent to a process (for tests and the benchmark)."""

    async def run(self, view: View, measure: Measure[T], *, budget: float) -> T:
        """`measure` of `view`, computed once per view in a pool process within `budget`
        seconds (waiting for a free process included); `AnalyticsTimeout` or `AnalyticsFailed`
        otherwise (and nothing is kept).
        A caller that goes away (cancelled) leaves the computation running for the others and
        for the memo: only the budget stops it."""
        found = view.memo.get(measure.name)
        if found is not None:
            result: T = found
            return result
        loop = asyncio.get_running_loop()
        pending = view.memo.get(_PENDING + measure.name)
        if not isinstance(pending, asyncio.Task) or pending.get_loop() is not loop:
            pending = loop.create_task(self._settle(view, measure, budget))
            pending.add_done_callback(_retrieve)
            view.memo[_PENDING + measure.name] = pending
        answer: T = await asyncio.shield(pending)
        return answer

    async def _settle(self, view: View, measure: Measure[T], budget: float) -> T:
        try:
            raw = await self._compute(view, measure.kernel, budget)
            result = await asyncio.to_thread(measure.finish, view, raw)
            view.memo[measure.name] = result
            return result
        finally:
            if view.memo.get(_PENDING + measure.name) is asyncio.current_task():
                del view.memo[_PENDING + measure.name]

    async def _compute(self, view: View, kernel: Callable[[Graphs], Any], budget: float) -> Any:
        key = view.memo.get(_KEY)
        if not isinstance(key, int):
            key = view.memo[_KEY] = next(_keys)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget
        try:
            process = await asyncio.wait_for(self._acquire(), budget)
        except TimeoutError:
            raise AnalyticsTimeout(
                f"no analytics process was free within the {budget:g} s budget"
            ) from None
        self.computations += 1
        healthy = False
        try:
            status, value = await self._exchange(
                process, key, view, kernel, max(deadline - loop.time(), 0.0)
            )
            if status == "missing":
                process.views.pop(key, None)
                status, value = await self._exchange(
                    process, key, view, kernel, max(deadline - loop.time(), 0.0)
                )
            healthy = True
        finally:
            self._release(process, healthy)
        if status != "ok":
            raise AnalyticsFailed(f"the computation failed: {value}")
        return value

    async def _exchange(
        self,
        process: _Process,
        key: int,
        view: View,
        kernel: Callable[[Graphs], Any],
        budget: float,
    ) -> tuple[str, Any]:
        edges = None if key in process.views else Edges.of(view)
        message = (key, edges, kernel)
        try:
            answer = await asyncio.get_running_loop().run_in_executor(
                self._threads, _ask, process.connection, message, budget
            )
        except TimeoutError:
            raise AnalyticsTimeout("the computation ran past its budget") from None
        except (EOFError, OSError) as error:
            raise AnalyticsFailed(
                f"the computation's process ended ({_ended(process)}; {error!r})"
            ) from error
        process.sent(key, self._views)
        return answer

    async def _acquire(self) -> _Process:
        while True:
            while self._idle:
                process = self._idle.pop()
                if process.alive():
                    return process
                self._discard(process)
            if self._started < self.processes:
                self._started += 1
                try:
                    return await asyncio.get_running_loop().run_in_executor(None, self._start)
                except BaseException:
                    self._started -= 1
                    raise
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiting:
                    self._waiting.remove(waiter)

    def _start(self) -> _Process:
        """A new process, running `serve` from this code with this interpreter and path (its
        own session, so a terminal's Ctrl+C reaches the server only; it ends when the server
        closes its socket)."""
        parent, child = socket.socketpair()
        path = os.pathsep.join(p or os.getcwd() for p in sys.path)
        command = [
            sys.executable,
            "-c",
            f"from graph.isolation import serve; serve({child.fileno()}, {self._views})",
        ]
        process = subprocess.Popen(
            command,
            pass_fds=[child.fileno()],
            env={**os.environ, "PYTHONPATH": path},
            start_new_session=True,
        )
        child.close()
        started = _Process(process, Connection(parent.detach()))
        try:
            if not started.connection.poll(START_S):
                raise AnalyticsFailed(f"an analytics process did not start in {START_S} s")
            started.connection.recv()
        except (EOFError, OSError, AnalyticsFailed) as error:
            started.kill()
            raise AnalyticsFailed(f"an analytics process did not start: {error}") from error
        return started

    def _release(self, process: _Process, healthy: bool) -> None:
        if healthy:
            self._idle.append(process)
        else:
            self._discard(process)
            self.replaced += 1
        while self._waiting:
            waiter = self._waiting.pop(0)
            if not waiter.done():
                waiter.get_loop().call_soon_threadsafe(_wake, waiter)
                break

    def _discard(self, process: _Process) -> None:
        self._started -= 1
        process.kill()

    def close(self) -> None:
        """Stops the idle processes (busy ones stop when their server process ends)."""
        for process in self._idle:
            process.kill()
        self._started -= len(self._idle)
        self._idle.clear()

    def pids(self) -> list[int]:
        """The idle processes' ids (for tests)."""
        return [p.process.pid for p in self._idle if p.process.pid is not None]


def _ask(connection: Connection, message: Any, budget: float) -> tuple[str, Any]:
    """Sends `message` and waits up to `budget` seconds for the answer (in a thread: waiting on
    the event loop would need the socket non-blocking, which `recv` cannot read)."""
    connection.send(message)
    if not connection.poll(budget):
        raise TimeoutError
    answer: tuple[str, Any] = connection.recv()
    return answer


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Marks a computation's error as seen (its callers may all have gone away)."""
    if not task.cancelled():
        task.exception()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _ended(process: _Process) -> str:
    try:
        code: int | None = process.process.wait(1)
    except subprocess.TimeoutExpired:
        code = None
    if code is None:
        return "it stopped answering"
    if code < 0:
        return f"killed by signal {-code}"
    return f"exit code {code}"


_POOLS: dict[tuple[int, int], AnalyticsPool] = {}


def analytics_pool(processes: int) -> AnalyticsPool:
    """This server process's pool of `processes` processes (one per size asked for)."""
    key = (os.getpid(), processes)
    found = _POOLS.get(key)
    if found is None:
        found = _POOLS[key] = AnalyticsPool(processes)
    return found
