"""The answer to a batch: an array of the answers its requests would get sent alone, in order.

Each request of the batch is handed to strawberry's view as a request of its own (its body
the one object; the headers, client and path the batch's), one after the other: its own
context, loaders and viewer, and so, for a mutation, its own transaction, committed before the
next request starts, exactly as separate requests sent in that order. Strawberry's own batching
is not used: it runs a batch's operations concurrently over one shared context (one loader
cache, one admission for the first operation's cost, mutations at once).

The batch was admitted once beforehand (`schema.batch.admit_batch`): each request carries its
`Admission` in its scope, so it is neither authenticated nor charged again (a request without
one is refused on its own before it would be admitted). A request that
fails before GraphQL (an empty `query`) is answered in its place in the batch with the error
object a lone request would get; the batch itself answers 200.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive

from resolvers.admission import ADMISSION, Admission
from resolvers.errors import ApiError
from web.errors import error_response, http_exception_response, media_type, wants_graphql_response
from web.graphql_request import replay

__all__ = ["answer_batch"]


async def answer_batch(
    request: Request,
    receive: Receive,
    sent: Sequence[dict[str, Any]],
    *,
    admissions: Sequence[Admission | None],
    states: Sequence[Mapping[str, Any]],
    refusals: Sequence[ApiError | None],
    run: Callable[[Request], Awaitable[Response]],
) -> Response:
    """The batch's answer: `run` (strawberry's view) on each request of `sent`, in order, each
    with its admission and what else its scope state holds (`states`); a request refused
    before it could run (`refusals`: an unknown persisted query) is answered by its error."""
    graphql_response = wants_graphql_response(request.headers.get("accept"))
    answers: list[bytes] = []
    for one, admission, given, refused in zip(sent, admissions, states, refusals, strict=True):
        if refused is not None:
            answers.append(bytes(error_response(refused).body))
            continue
        state = {**given} if admission is None else {**given, ADMISSION: admission}
        scope = {**request.scope, "state": state}
        alone = Request(scope, replay(orjson.dumps(one), receive))
        try:
            response = await run(alone)
        except HTTPException as error:
            response = http_exception_response(
                error.status_code, error.reason, graphql_response=graphql_response, headers=None
            )
        except ApiError as error:
            response = error_response(error, graphql_response=graphql_response)
        answers.append(bytes(response.body))
    return Response(b"[" + b",".join(answers) + b"]", media_type=media_type(graphql_response))
