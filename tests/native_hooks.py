"""Kernels that misbehave, for the isolation tests: they run in the analytics pool's processes,
which import them from here."""

import os
import signal
import time

from graph.analytics import Graphs

__all__ = ["pid", "segfault", "sleep"]


def segfault(_: Graphs) -> None:
    """Dies as a crash in native code would."""
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(60)


def sleep(_: Graphs) -> None:
    """Runs far past any budget a test gives."""
    time.sleep(600)


def pid(_: Graphs) -> int:
    return os.getpid()
