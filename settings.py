"""Configuration read from the environment, each variable declared once (docs/configuration.md).

A field of `Settings` that the environment can set is declared with `setting(...)`: its default,
its variable's name, what it means and, where production differs, its production default. The
parsing in `load_settings` and the page `docs/configuration.md` (`uv run python -m settings >
docs/configuration.md`) are both read from those declarations; a test keeps the page in step.
`Settings()` itself is the defaults, without reading the environment.
"""

import dataclasses
import os
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from starlette.config import Config

__all__ = [
    "DEFAULT_DATABASE_URL",
    "ENVIRONMENT",
    "TEST_VARIABLES",
    "FailureMode",
    "Introspection",
    "LogFormat",
    "Settings",
    "Variable",
    "configuration_page",
    "load_settings",
]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./partnergraph.db"

T = TypeVar("T")

_SAME: Any = object()
"""A production default that is the ordinary default."""


class Introspection(StrEnum):
    ON = "on"
    AUTHENTICATED = "authenticated"
    """Off for anonymous callers."""
    OFF = "off"


class LogFormat(StrEnum):
    JSON = "json"
    """One JSON object a line (for a log collector)."""
    TEXT = "text"
    """`key=value` pairs after the time, level and logger (for a terminal)."""


class FailureMode(StrEnum):
    """What the rate limiter does while Redis cannot be reached."""

    OPEN = "open"
    """Let requests through uncounted (and log it)."""
    CLOSED = "closed"
    """Refuse them: HTTP 503, code `RATE_LIMIT_UNAVAILABLE`."""


@dataclass(frozen=True, slots=True)
class Variable:
    """An environment variable read outside `Settings` (the environment's name, the tests'),
    declared for the documentation."""

    env: str
    default: str | None
    meaning: str


ENVIRONMENT = Variable(
    "PARTNERGRAPH_ENV",
    "development",
    "`production` turns GraphiQL off, introspection off for anonymous callers, "
    '"Did you mean ...?" suggestions off, logs in JSON and `/metrics` off without a token '
    "(unless set below)",
)

TEST_VARIABLES = (
    Variable(
        "PARTNERGRAPH_TEST_POSTGRES",
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        "The server to create test databases on",
    ),
    Variable(
        "PARTNERGRAPH_REQUIRE_POSTGRES",
        None,
        "`1` fails the run when PostgreSQL is unreachable",
    ),
    Variable(
        "PARTNERGRAPH_COST_EXAMPLES",
        "25",
        "Documents generated per backend by the cost property test "
        "(`tests/schema/test_cost_property.py`); more for a longer run",
    ),
)
"""Read by the test suite (tests/conftest.py, tests/schema/test_cost_property.py), not the
server."""


def setting(default: T, env: str, meaning: str, *, production: T = _SAME) -> T:
    """A field of `Settings` read from the variable `env`: `default` unless it is set (or, when
    `PARTNERGRAPH_ENV=production`, `production` if given)."""
    metadata = {"env": env, "meaning": meaning, "production": production}
    return dataclasses.field(default=default, metadata=metadata)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = setting(
        DEFAULT_DATABASE_URL,
        "DATABASE_URL",
        "The database; `postgresql+asyncpg://user@host:5432/db` for PostgreSQL",
    )
    database_replica_urls: str = setting(
        "",
        "DATABASE_REPLICA_URLS",
        "Comma-separated PostgreSQL streaming replicas of `DATABASE_URL` that read-only GraphQL "
        'queries are answered from, round-robin (docs/operations.md, "Read replicas"); none '
        "by default",
    )
    """Read with `Settings.replica_urls`; routed by `resolvers.read_routing`."""
    replica_max_lag_ms: int = setting(
        5_000,
        "PARTNERGRAPH_REPLICA_MAX_LAG_MS",
        "A replica further behind the primary than this is taken out of rotation until it "
        "catches up",
    )
    replica_check_ms: int = setting(
        1_000,
        "PARTNERGRAPH_REPLICA_CHECK_MS",
        "How often each worker asks every replica for its state (reachable, a standby, its "
        "lag); a replica out of rotation is tried again at each check",
    )
    replica_wait_ms: int = setting(
        50,
        "PARTNERGRAPH_REPLICA_WAIT_MS",
        "How long a caller's read waits for a replica to replay the caller's last write before "
        "the primary answers it instead",
    )
    replica_remember_ms: int = setting(
        60_000,
        "PARTNERGRAPH_REPLICA_REMEMBER_MS",
        "How long a token's last write is remembered (in Redis when `REDIS_URL` is set, else "
        "in the worker) for its reads to see it",
    )
    graphiql: bool = setting(
        True, "PARTNERGRAPH_GRAPHIQL", "Serve GraphiQL on `GET /graphql`", production=False
    )
    introspection: Introspection = setting(
        Introspection.ON,
        "PARTNERGRAPH_INTROSPECTION",
        "`on`, `authenticated` (refused to anonymous callers) or `off`",
        production=Introspection.AUTHENTICATED,
    )
    sql_echo: bool = setting(False, "PARTNERGRAPH_SQL_ECHO", "Log every SQL statement")
    private: bool = setting(
        False, "PARTNERGRAPH_PRIVATE", "`1` refuses anonymous callers altogether (HTTP 401)"
    )
    max_cost: int = setting(
        50_000, "PARTNERGRAPH_MAX_COST", "The most cost points one request may ask for"
    )
    max_depth: int = setting(15, "PARTNERGRAPH_MAX_DEPTH", "The deepest field nesting of a request")
    max_aliases: int = setting(30, "PARTNERGRAPH_MAX_ALIASES", "Aliases per request")
    max_tokens: int = setting(
        5_000, "PARTNERGRAPH_MAX_TOKENS", "Lexical tokens per document (checked while parsing)"
    )
    max_body_bytes: int = setting(
        200_000, "PARTNERGRAPH_MAX_BODY_BYTES", "Request body size (HTTP 413 above it)"
    )
    max_string_length: int = setting(
        10_000,
        "PARTNERGRAPH_MAX_STRING_LENGTH",
        "Characters in any one string of arguments, variables or query parameters "
        "(`BAD_USER_INPUT` above it)",
    )
    """Checked by `schema.input_hygiene`."""
    max_search_length: int = setting(
        1_000,
        "PARTNERGRAPH_MAX_SEARCH_LENGTH",
        "Characters in a free-text search (`text` of a filter)",
    )
    rate_limit_per_minute: int = setting(
        500_000,
        "PARTNERGRAPH_RATE_LIMIT",
        "Cost points per caller per minute, counted in Redis; `0` turns it off",
    )
    """A caller is its token, or its client address when anonymous."""
    max_failed_authentications: int = setting(
        20,
        "PARTNERGRAPH_MAX_FAILED_AUTHENTICATIONS",
        "Failed authentications per client address per minute before it is refused (HTTP 429, "
        "`TOO_MANY_FAILED_AUTHENTICATIONS`), counted in Redis with the rate limit (off when it "
        "is off); `0` turns it off",
    )
    suggestions: bool = setting(
        True,
        "PARTNERGRAPH_SUGGESTIONS",
        '"Did you mean ...?" suggestions in error messages',
        production=False,
    )
    redis_url: str = setting(
        "redis://127.0.0.1:6379/0",
        "REDIS_URL",
        "Where the rate limit is counted (shared by every worker)",
    )
    redis_prefix: str = "partnergraph"
    redis_timeout_ms: int = setting(
        200,
        "PARTNERGRAPH_REDIS_TIMEOUT_MS",
        "Deadline for connecting to Redis and for each reply; a call is never retried",
    )
    """What a slow Redis may add to a request."""
    redis_breaker_failures: int = setting(
        3,
        "PARTNERGRAPH_REDIS_BREAKER_FAILURES",
        "Consecutive Redis failures after which Redis is skipped for a while (the circuit "
        "breaker opens)",
    )
    redis_breaker_seconds: float = setting(
        10.0,
        "PARTNERGRAPH_REDIS_BREAKER_SECONDS",
        "How long Redis is skipped once the breaker opens; then one request probes it again",
    )
    rate_limit_on_redis_failure: FailureMode = setting(
        FailureMode.OPEN,
        "PARTNERGRAPH_RATE_LIMIT_ON_REDIS_FAILURE",
        "While Redis cannot be reached: `open` lets requests through uncounted (logged), "
        "`closed` refuses them (HTTP 503, `RATE_LIMIT_UNAVAILABLE`)",
    )
    max_batch: int = setting(
        10,
        "PARTNERGRAPH_MAX_BATCH",
        "Operations in one batched request (a JSON array of requests, as Apollo's "
        "BatchHttpLink sends); more is refused with 400 `BATCH_TOO_LARGE`; `0` refuses batches",
    )
    """A batch is admitted once, for the sum of its operations' costs (docs/api.md)."""
    cors_origins: str = setting(
        "",
        "PARTNERGRAPH_CORS_ORIGINS",
        "Comma-separated origins whose browser pages may call the API "
        "(`https://portal.example.edu,https://reports.example.org`), or `*` for any; "
        "none by default",
    )
    """Read with `Settings.allowed_origins`; served by `web.cors`."""
    max_json_depth: int = setting(
        64,
        "PARTNERGRAPH_MAX_JSON_DEPTH",
        "Deepest nesting of arrays and objects in a request body (or the `variables` / "
        "`extensions` of a GET); deeper is refused with 400",
    )
    """Checked before the body is decoded by anything that recurses (`web.graphql_request`)."""
    database_connect_timeout_ms: int = setting(
        5_000,
        "PARTNERGRAPH_DB_CONNECT_TIMEOUT_MS",
        "Deadline for opening a PostgreSQL connection",
    )
    """asyncpg waits a minute by default."""
    worker_healthcheck_timeout_s: int = setting(
        120,
        "PARTNERGRAPH_WORKER_HEALTHCHECK_TIMEOUT_S",
        "`serve --workers N`: how long a worker may take to answer uvicorn's health check "
        "before it is killed and replaced (uvicorn's 5 s is shorter than a worker's start-up "
        "on a busy machine)",
    )
    statement_timeout_ms: int = setting(
        10_000,
        "PARTNERGRAPH_STATEMENT_TIMEOUT_MS",
        "PostgreSQL `statement_timeout` per connection; `0` turns it off",
    )
    pool_size: int = setting(
        20,
        "PARTNERGRAPH_POOL_SIZE",
        "PostgreSQL connections each worker keeps open (a read holds one only while its "
        "statement runs)",
    )
    """Past `pool_size` reads at once, up to `pool_overflow` more connections are opened and
    closed again after use, and opening one costs more than most reads (bench/RESULTS.md)."""
    pool_overflow: int = setting(
        20,
        "PARTNERGRAPH_POOL_OVERFLOW",
        "Connections opened beyond the pool at busy moments and closed after use",
    )
    compiled_reads: bool = setting(
        True,
        "PARTNERGRAPH_COMPILED_READS",
        "On PostgreSQL, answer a query whose selection is plain data with one SQL statement "
        '(see "Performance"); `0` sends every field through graphql-core',
    )
    analytics_processes: int = setting(
        2,
        "PARTNERGRAPH_ANALYTICS_PROCESSES",
        "Processes per worker that run the network analytics (centrality, communities, "
        "components); started on first use",
    )
    """See `graph.isolation`."""
    analytics_timeout_s: float = setting(
        60.0,
        "PARTNERGRAPH_ANALYTICS_TIMEOUT_S",
        "How long one network analytic may run; past it, it is stopped and answered "
        "`ANALYTICS_TIMEOUT`",
    )
    change_retention_days: int = setting(
        90,
        "PARTNERGRAPH_CHANGE_RETENTION_DAYS",
        "Days the change feed keeps its events; `partnergraph changes prune` deletes older "
        "ones, and a reader with an older cursor is told `CURSOR_EXPIRED`",
    )
    max_subscriptions_per_token: int = setting(
        20,
        "PARTNERGRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN",
        "Subscriptions one token (or, for anonymous callers, one client address) may hold open "
        "at once in one worker process; one more is refused with `TOO_MANY_SUBSCRIPTIONS`",
    )
    max_queued_events: int = setting(
        100,
        "PARTNERGRAPH_MAX_QUEUED_EVENTS",
        "Change events read for one subscription and not yet sent; a subscriber that stops "
        "reading past it is disconnected (close code 4008) and resumes from its last cursor",
    )
    subscription_poll_seconds: float = setting(
        5.0,
        "PARTNERGRAPH_SUBSCRIPTION_POLL_SECONDS",
        "How often a subscription reads the change feed when no wakeup came (a missed "
        "notification, a write made outside the API)",
    )
    webhook_allow_private: bool = setting(
        False,
        "PARTNERGRAPH_WEBHOOK_ALLOW_PRIVATE",
        "Let webhook URLs resolve to loopback, private, link-local or reserved addresses "
        "(refused by default against SSRF; tests and a single-machine setup allow them)",
    )
    webhook_require_https: bool = setting(
        False,
        "PARTNERGRAPH_WEBHOOK_REQUIRE_HTTPS",
        "Refuse webhook URLs that are not `https://`",
        production=True,
    )
    webhook_timeout_s: float = setting(
        10.0,
        "PARTNERGRAPH_WEBHOOK_TIMEOUT_S",
        "Seconds a webhook receiver has to answer a delivery; past it the attempt fails and is "
        "retried",
    )
    webhook_retry_base_s: float = setting(
        5.0,
        "PARTNERGRAPH_WEBHOOK_RETRY_BASE_S",
        "The first retry delay of a failed delivery; each further attempt waits twice as long",
    )
    webhook_retry_max_s: float = setting(
        3600.0,
        "PARTNERGRAPH_WEBHOOK_RETRY_MAX_S",
        "The longest wait between two attempts of a delivery",
    )
    webhook_disable_after_s: float = setting(
        259200.0,
        "PARTNERGRAPH_WEBHOOK_DISABLE_AFTER_S",
        "Seconds an endpoint may fail without a success before it is disabled (its "
        "`disabledReason` says why); 3 days by default",
    )
    webhook_poll_s: float = setting(
        1.0,
        "PARTNERGRAPH_WEBHOOK_POLL_S",
        "Seconds the delivery worker sleeps when it found nothing to send",
    )
    webhooks_in_serve: bool = setting(
        True,
        "PARTNERGRAPH_WEBHOOKS_IN_SERVE",
        "Run the webhook delivery worker inside `partnergraph serve` (convenient with the "
        "embedded SQLite; with several API processes run `partnergraph worker` instead)",
    )
    reminder_lead_days: str = setting(
        "90,30,7",
        "PARTNERGRAPH_REMINDER_LEAD_DAYS",
        "Days before a deadline (an agreement's end or notice deadline, a commitment's due "
        "date) that reminders go out, comma-separated, for agreements none of whose parties "
        "or their alliances set `reminderLeadDays`",
    )
    reminder_interval_s: float = setting(
        3600.0,
        "PARTNERGRAPH_REMINDER_INTERVAL_S",
        "Seconds between two runs of the reminder job in `partnergraph worker` (and in `serve`); "
        "each reminder is recorded once however often it runs",
    )
    reminders_in_serve: bool = setting(
        True,
        "PARTNERGRAPH_REMINDERS_IN_SERVE",
        "Run the reminder job inside `partnergraph serve` (several processes may run it at "
        "once: a reminder is still recorded once)",
    )
    rollups_in_serve: bool = setting(
        True,
        "PARTNERGRAPH_ROLLUPS_IN_SERVE",
        "Run the job that moves the summary rollups' window of days (rebuilds them every "
        "`PARTNERGRAPH_ROLLUP_REFRESH_DAYS`) inside `partnergraph serve`; `partnergraph worker` "
        "runs it too, and one process at a time does the work (docs/reports.md)",
    )
    rollup_refresh_days: int = setting(
        30,
        "PARTNERGRAPH_ROLLUP_REFRESH_DAYS",
        "Days after which the summary rollups are rebuilt with their window from today (1 to "
        "91: the window is 92 days; past it summaries are scanned until the rebuild)",
    )
    registered_only: bool = setting(
        False,
        "PARTNERGRAPH_REGISTERED_ONLY",
        "Accept only registered operations: persisted query hashes the store knows, and saved "
        "views; any other document is refused `OPERATION_NOT_REGISTERED` (admins excepted, "
        "and only admins register new hashes). See docs/views.md",
    )
    view_max_age_s: int = setting(
        5,
        "PARTNERGRAPH_VIEW_MAX_AGE_S",
        "`Cache-Control: public, max-age` of an anonymous caller's `GET /views/<name>` answer "
        "(others are `private, no-cache`)",
    )
    ready_timeout_ms: int = setting(
        1_000,
        "PARTNERGRAPH_READY_TIMEOUT_MS",
        "Deadline of `/health/ready` for the database's answer (503 past it)",
    )
    pages: bool = setting(
        True, "PARTNERGRAPH_PAGES", "Serve the web pages at `/app/` (docs/pages.md)"
    )
    pages_secret_key: str = setting(
        "",
        "PARTNERGRAPH_PAGES_SECRET_KEY",
        "Signs the pages' session cookie (which holds the token entered); set the same long "
        "random value on every worker. Empty: a random key per process (sessions end when it "
        "restarts, and do not pass between workers)",
    )
    pages_secure_cookie: bool = setting(
        False,
        "PARTNERGRAPH_PAGES_SECURE_COOKIE",
        "Send the pages' session cookie over HTTPS only",
        production=True,
    )
    document_storage: str = setting(
        "local",
        "PARTNERGRAPH_DOCUMENT_STORAGE",
        "Where uploaded documents are kept: `local` (a directory) or `s3` (S3-compatible "
        "object storage)",
    )
    document_dir: str = setting(
        "documents",
        "PARTNERGRAPH_DOCUMENT_DIR",
        "The directory of the `local` document storage (made when first written); "
        "`partnergraph backup` copies it",
    )
    max_upload_bytes: int = setting(
        25_000_000,
        "PARTNERGRAPH_MAX_UPLOAD_BYTES",
        "Largest document version accepted (`FILE_TOO_LARGE` above it); a multipart body may "
        "be twice this plus 1 MB before HTTP 413",
    )
    document_url_seconds: int = setting(
        300, "PARTNERGRAPH_DOCUMENT_URL_SECONDS", "How long a signed download URL stays valid"
    )
    document_signing_key: str = setting(
        "",
        "PARTNERGRAPH_DOCUMENT_SIGNING_KEY",
        "The HMAC key of `local` download URLs; every worker must share it (when empty, a "
        "random key is kept in `document_dir`/.signing-key)",
    )
    s3_bucket: str = setting("", "PARTNERGRAPH_S3_BUCKET", "The bucket of the `s3` storage")
    s3_endpoint_url: str = setting(
        "",
        "PARTNERGRAPH_S3_ENDPOINT_URL",
        "The S3-compatible endpoint (MinIO, Ceph...); AWS when empty. Credentials are boto3's "
        "usual ones (`AWS_ACCESS_KEY_ID`...)",
    )
    s3_region: str = setting("us-east-1", "PARTNERGRAPH_S3_REGION", "The region of the bucket")
    credentials_base_url: str = setting(
        "http://127.0.0.1:8000",
        "PARTNERGRAPH_CREDENTIALS_BASE_URL",
        "The public origin written into issued Open Badges credentials: issuer profiles, "
        "keys and status lists are at `<this>/credentials/...` (docs/credentials.md); set it "
        "once, before the first credential, since issued credentials keep it",
    )
    credentials_key_secret: str = setting(
        "",
        "PARTNERGRAPH_CREDENTIALS_KEY_SECRET",
        "The key-encryption secret (32 characters or more, the same on every worker) that "
        "issuers' private signing keys are encrypted under (AES-256-GCM); empty: no "
        "credential can be issued and no key made (`CREDENTIALS_NOT_CONFIGURED`), while "
        "verification and the published keys still work. Losing it loses the keys: rotate "
        "(`rotateIssuerKey`) to sign again, old credentials stay verifiable",
    )

    @property
    def max_multipart_bytes(self) -> int:
        """The body limit of a multipart (upload) request: room for a file a little over
        `max_upload_bytes`, so that it is refused as a user error rather than cut off."""
        return 2 * self.max_upload_bytes + 1_000_000

    log_level: str = setting(
        "info",
        "PARTNERGRAPH_LOG_LEVEL",
        "Level of the server's own log (`debug`, `info`, `warning`, `error`); `info` writes one "
        "line per request",
    )
    log_format: LogFormat = setting(
        LogFormat.TEXT,
        "PARTNERGRAPH_LOG_FORMAT",
        "`json` (one object a line) or `text`",
        production=LogFormat.JSON,
    )
    metrics_token: str = setting(
        "",
        "PARTNERGRAPH_METRICS_TOKEN",
        "A secret that `GET /metrics` must send as `Authorization: Bearer <secret>`; none by "
        "default",
    )
    metrics_open: bool = setting(
        True,
        "PARTNERGRAPH_METRICS_OPEN",
        "Serve `/metrics` to anyone when no `PARTNERGRAPH_METRICS_TOKEN` is set (else it "
        "answers 404)",
        production=False,
    )
    metrics_max_operations: int = setting(
        100,
        "PARTNERGRAPH_METRICS_MAX_OPERATIONS",
        "Distinct GraphQL operation names each worker labels metrics with; names past it, and "
        "names that are not GraphQL names, are counted as `other`",
    )
    """Bounds the metrics' cardinality whatever names callers send (`telemetry.metrics`)."""
    otlp_endpoint: str = setting(
        "",
        "PARTNERGRAPH_OTLP_ENDPOINT",
        "OpenTelemetry collector to send traces to over OTLP/HTTP "
        "(`http://collector:4318`); tracing is off, and costs nothing, when unset",
    )
    trace_sample_ratio: float = setting(
        1.0,
        "PARTNERGRAPH_TRACE_SAMPLE_RATIO",
        "Share of requests traced when tracing is on (a trace started upstream is followed)",
    )
    service_name: str = setting(
        "partnergraph",
        "PARTNERGRAPH_SERVICE_NAME",
        "The `service.name` of the traces",
    )

    @property
    def replica_urls(self) -> tuple[str, ...]:
        """`database_replica_urls`, split."""
        return tuple(u.strip() for u in self.database_replica_urls.split(",") if u.strip())

    @property
    def reminder_leads(self) -> tuple[int, ...]:
        """`reminder_lead_days` as numbers, longest first; a `ValueError` when one is not a
        whole number of days from 0 to 3650."""
        parts = [part.strip() for part in self.reminder_lead_days.split(",") if part.strip()]
        leads = sorted({int(part) for part in parts}, reverse=True)
        if not leads or any(not 0 <= lead <= 3650 for lead in leads):
            raise ValueError(
                "PARTNERGRAPH_REMINDER_LEAD_DAYS is one or more numbers of days from 0 to 3650"
            )
        return tuple(leads)

    @property
    def rollup_refresh(self) -> int:
        """`rollup_refresh_days`; a `ValueError` outside 1 to 91."""
        if not 1 <= self.rollup_refresh_days <= 91:
            raise ValueError("PARTNERGRAPH_ROLLUP_REFRESH_DAYS is a number of days from 1 to 91")
        return self.rollup_refresh_days

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """`cors_origins` as a list, without blanks or a trailing `/` (a browser's `Origin`
        never has one)."""
        found = (part.strip().rstrip("/") for part in self.cors_origins.split(","))
        return tuple(origin for origin in found if origin)


_TRUE = frozenset({"1", "true", "yes", "on"})


def _parser(kind: type[Any], default: Any) -> Callable[[Any], Any]:
    """How a variable of `kind` is read: a flag is on only for 1/true/yes/on (any case); an
    empty number or choice is its default; a choice is read in any case; text is kept as is.
    Anything else is a `ValueError` naming the variable (`starlette.config.Config`)."""

    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            return value  # the default, which Config also passes through the cast
        if kind is bool:
            return value.strip().lower() in _TRUE
        if kind is str:
            return value
        if not value.strip():
            return default
        return kind(value.strip().lower()) if issubclass(kind, StrEnum) else kind(value)

    parse.__name__ = kind.__name__
    return parse


def _declared() -> list[tuple[dataclasses.Field[Any], type[Any]]]:
    """The fields of `Settings` that the environment sets, with their types."""
    hints = typing.get_type_hints(Settings)
    return [(f, hints[f.name]) for f in dataclasses.fields(Settings) if "env" in f.metadata]


def _production_default(field: dataclasses.Field[Any]) -> Any:
    given = field.metadata["production"]
    return field.default if given is _SAME else given


def load_settings() -> Settings:
    """Settings from the environment; `PARTNERGRAPH_ENV=production` changes the defaults
    declared with a `production` value: GraphiQL off, introspection only for authenticated
    callers, no "Did you mean ...?" suggestions in error messages, JSON logs, `/metrics` only
    with a token."""
    config = Config(environ=os.environ)
    production = config(ENVIRONMENT.env, default="development").strip() == "production"
    values: dict[str, Any] = {}
    for field, kind in _declared():
        default = _production_default(field) if production else field.default
        values[field.name] = config(
            field.metadata["env"], cast=_parser(kind, default), default=default
        )
    loaded = Settings(**values)
    loaded.reminder_leads  # noqa: B018  (refuses bad lead days when the server starts)
    loaded.rollup_refresh  # noqa: B018
    return loaded


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    return "unset" if value is None else str(value)


def _row(env: str, default: str, meaning: str) -> str:
    return f"| `{env}` | {default} | {meaning} |"


def configuration_page() -> str:
    """docs/configuration.md, generated from the declarations above."""
    rows = [_row(ENVIRONMENT.env, f"`{ENVIRONMENT.default}`", ENVIRONMENT.meaning)]
    for field, _ in _declared():
        default = f"`{_shown(field.default)}`" if field.default != "" else "none"
        if field.metadata["production"] is not _SAME:
            default += f" (`{_shown(field.metadata['production'])}` in production)"
        rows.append(_row(field.metadata["env"], default, field.metadata["meaning"]))
    tests = [
        _row(v.env, "unset" if v.default is None else f"`{v.default}`", v.meaning)
        for v in TEST_VARIABLES
    ]
    header = ["| Variable | Default | Meaning |", "|---|---|---|"]
    return "\n".join(
        [
            "# Configuration",
            "",
            "<!-- Generated from settings.py by `uv run python -m settings > "
            "docs/configuration.md`; do not edit by hand. -->",
            "",
            "The server reads these environment variables when it starts (`settings.py`).",
            "",
            *header,
            *rows,
            "",
            "## Tests",
            "",
            "Read by the test suite, not by the server.",
            "",
            *header,
            *tests,
            "",
        ]
    )


if __name__ == "__main__":
    sys.stdout.write(configuration_page())
