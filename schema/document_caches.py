"""Parsed and validated documents, kept by digest and within a byte budget.

Strawberry's `ParserCache` and `ValidationCache` are `functools.lru_cache`s keyed by the whole
document text (and the parsed document): 256 unique documents near the body limit kept each
text and syntax tree whole, tens of megabytes per worker. These keep the same results in
`resolvers.memo.Bounded` caches instead: keys are digests of the text, and the trees are
weighed against a byte budget.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from resolvers.memo import Bounded

__all__ = ["ParsedDocuments", "ValidatedDocuments", "parsed"]

_MAX_BYTES = 16 * 1024 * 1024

_parsed: Bounded[tuple[str, tuple[tuple[str, Any], ...]], Any] = Bounded(
    256, _MAX_BYTES, name="parsed_documents"
)
_validated: Bounded[tuple[str, Any, Any], list[GraphQLError]] = Bounded(
    256, 1024 * 1024, name="validated_documents"
)


def parsed(text: str, options: Mapping[str, Any]) -> DocumentNode:
    """`parse(text, **options)`, or what it gave before; `GraphQLError` when it does not
    parse."""
    key = (text, tuple(sorted(options.items())))
    document = _parsed.get(key)
    if document is None:
        document = _parsed.put(key, parse(text, **options))
    found: DocumentNode = document
    return found


class ParsedDocuments(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        assert execution.query is not None
        execution.graphql_document = parsed(execution.query, execution.parse_options)
        yield


class ValidatedDocuments(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        assert execution.query is not None and execution.graphql_document is not None
        schema = execution.schema._schema
        key = (execution.query, schema, execution.validation_rules)
        errors = _validated.get(key)
        if errors is None:
            errors = _validated.put(
                key,
                validate_document(schema, execution.graphql_document, execution.validation_rules),
            )
        execution.pre_execution_errors = errors
        yield
