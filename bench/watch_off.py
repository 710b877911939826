"""Parts of watching switched off, for measuring what each costs (bench only, no setting).

    BENCH_WATCH_OFF=metrics,log uv run python -m bench.overhead --in-process ...
    BENCH_WATCH_OFF=all uv run uvicorn --factory bench.watch_off:create_app

`BENCH_WATCH_OFF` names the parts, comma-separated, that `apply` replaces by nothing before
`app.create_app` builds the application:

- `metrics`: `Metrics.observe` (the tuple noted per request) and what the flush adds up;
- `log`: the request's log line (`web.observe.request_line`);
- `sql`: the SQL statement counter (`telemetry.sql.count_statements`: two engine events);
- `sampler`: the metrics' sampler task, once a second;
- `observe`: the `Observe` middleware as a whole (request id, facts, header, metrics, log line);
- `writer`: the log's writer thread (the server's loggers left as they were);
- `all`: every part above.

`bench.cpu_worker` calls `apply` when the variable is set (in this checkout: older ones have no
such module and are measured whole).
"""

import os
from typing import Any

__all__ = ["PARTS", "apply", "create_app"]

PARTS = ("metrics", "log", "sql", "sampler", "observe", "writer")


def _parts(text: str) -> set[str]:
    parts = {p.strip() for p in text.split(",") if p.strip()}
    if "all" in parts:
        return set(PARTS)
    unknown = parts - set(PARTS)
    if unknown:
        raise SystemExit(f"BENCH_WATCH_OFF: unknown parts {sorted(unknown)} (know {PARTS})")
    return parts


def apply(text: str | None = None) -> set[str]:
    """Switches off the parts `text` (else `BENCH_WATCH_OFF`) names; returns them."""
    parts = _parts(os.environ.get("BENCH_WATCH_OFF", "") if text is None else text)
    import app
    import telemetry.logs
    import web.observe
    from telemetry.metrics import Metrics

    if "metrics" in parts:
        setattr(Metrics, "observe", lambda self, facts, status, seconds: None)  # noqa: B010
    if "log" in parts:
        setattr(web.observe, "request_line", lambda *args: None)  # noqa: B010
    if "sql" in parts:
        setattr(app, "count_statements", lambda engine: None)  # noqa: B010
    if "sampler" in parts:

        async def no_sampler(seconds: float, sample: Any) -> None:
            return None

        setattr(app, "sample_every", no_sampler)  # noqa: B010
    if "observe" in parts:

        class Bare:
            def __init__(self, app: Any, **kwargs: Any) -> None:
                self.app = app

            async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
                await self.app(scope, receive, send)

        setattr(app, "Observe", Bare)  # noqa: B010
    if "writer" in parts:
        setattr(app, "configure_logging", lambda settings, stream=None: None)  # noqa: B010
        telemetry.logs._route = None
    return parts


def create_app() -> Any:
    """`app.create_app` with the parts of `BENCH_WATCH_OFF` off (a factory for uvicorn)."""
    apply()
    import app

    return app.create_app()
