"""What one HTTP request did, gathered where each fact is known and read once it is answered.

`web.observe` makes a `RequestFacts` for each request and sets it in a context variable for
the request's task (and every task it starts: DataLoaders, the fast lane); the layers below
fill in what they learn with `current()`: the operation name (`schema.guard`, the fast lane),
the road (`web.graphql_view`, `schema.compiled.execution`, the CSV reports, the network
exports), the caller's token id and cost, or the refusal (`resolvers.admission`), the error
code (`web.graphql_view`), the SQL statements and their time (`telemetry.sql`). Outside a
request `current()` is `None` and nothing is recorded.
"""

from contextvars import ContextVar

__all__ = ["RequestFacts", "current", "facts_var", "set_operation", "set_refusal", "set_road"]


class RequestFacts:
    __slots__ = (
        "code",
        "cost",
        "database",
        "operation",
        "refusal",
        "request_id",
        "road",
        "sql_seconds",
        "statements",
        "token_id",
    )

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.operation: str | None = None
        """The GraphQL operation's name as sent (or as the document names its one operation)."""
        self.road = "other"
        """`fast_lane`, `compiled`, `ordinary`, `batch`, `csv`, `export` or `other`
        (docs/layout.md, "The roads a read takes")."""
        self.token_id: int | None = None
        self.cost: int | None = None
        """Cost points charged, once admitted."""
        self.refusal: str | None = None
        """The code of the refusal, when admission or the limits refused the request."""
        self.code: str | None = None
        """The code of the first GraphQL error of the answer, if any."""
        self.statements = 0
        self.sql_seconds = 0.0
        self.database: str | None = None
        """Which database answered, with replicas configured (`resolvers.read_routing`)."""


facts_var: ContextVar[RequestFacts | None] = ContextVar("partnergraph_request", default=None)


def current() -> RequestFacts | None:
    """The facts of the request being answered, or `None` outside one."""
    return facts_var.get()


def set_road(road: str) -> None:
    """Records the road the request being answered takes (nothing outside a request)."""
    facts = facts_var.get()
    if facts is not None:
        facts.road = road


def set_operation(name: object) -> None:
    """Records the GraphQL operation name of the request being answered, when it is text."""
    facts = facts_var.get()
    if facts is not None and isinstance(name, str) and name:
        facts.operation = name[:100]


def set_refusal(code: str) -> None:
    """Records why the request being answered was refused."""
    facts = facts_var.get()
    if facts is not None:
        facts.refusal = code
