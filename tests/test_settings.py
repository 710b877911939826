"""Settings: read from the environment as declared, and documented from the same declarations."""

import dataclasses
from pathlib import Path

import pytest

from settings import (
    ENVIRONMENT,
    FailureMode,
    Introspection,
    Settings,
    configuration_page,
    load_settings,
)

PAGE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_docs_configuration_is_generated_from_the_declarations() -> None:
    assert PAGE.read_text() == configuration_page(), (
        "docs/configuration.md is out of date: uv run python -m settings > docs/configuration.md"
    )


def test_without_the_environment_the_settings_are_the_declared_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENVIRONMENT.env, raising=False)
    for field in dataclasses.fields(Settings):
        if "env" in field.metadata:
            monkeypatch.delenv(field.metadata["env"], raising=False)
    assert load_settings() == Settings()


def test_production_changes_three_defaults_and_set_variables_still_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARTNERGRAPH_ENV", "production")
    production = load_settings()
    assert (production.graphiql, production.introspection, production.suggestions) == (
        False,
        Introspection.AUTHENTICATED,
        False,
    )
    monkeypatch.setenv("PARTNERGRAPH_GRAPHIQL", "yes")
    monkeypatch.setenv("PARTNERGRAPH_INTROSPECTION", " off ")
    assert load_settings().graphiql is True
    assert load_settings().introspection is Introspection.OFF


def test_variables_are_read_as_their_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERGRAPH_MAX_COST", "1000")
    monkeypatch.setenv("PARTNERGRAPH_MAX_DEPTH", " ")
    monkeypatch.setenv("PARTNERGRAPH_ANALYTICS_TIMEOUT_S", "0.5")
    monkeypatch.setenv("PARTNERGRAPH_RATE_LIMIT_ON_REDIS_FAILURE", "Closed")
    monkeypatch.setenv("PARTNERGRAPH_COMPILED_READS", "no")
    found = load_settings()
    assert found.max_cost == 1000
    assert found.max_depth == Settings().max_depth
    assert found.analytics_timeout_s == 0.5
    assert found.rate_limit_on_redis_failure is FailureMode.CLOSED
    assert found.compiled_reads is False


def test_a_value_that_is_not_its_type_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARTNERGRAPH_POOL_SIZE", "twenty")
    with pytest.raises(ValueError, match="PARTNERGRAPH_POOL_SIZE"):
        load_settings()
