"""A job of the server (webhook delivery, reminders) run as a task of the current event loop,
inside `serve`, and stopped with the application."""

import asyncio
from typing import Protocol

__all__ = ["Job", "RunningJob"]


class Job(Protocol):
    async def run(self) -> None:
        """Works until `stop` is called."""

    def stop(self) -> None: ...


class RunningJob:
    def __init__(self, job: Job, *, name: str) -> None:
        self.job = job
        self.task = asyncio.get_running_loop().create_task(job.run(), name=name)

    async def close(self) -> None:
        self.job.stop()
        await self.task
