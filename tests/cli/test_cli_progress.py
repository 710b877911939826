"""Loads report progress: on a terminal as a bar, elsewhere (a log) as lines of text, every tenth
of a stage or every ten seconds, and at its end."""

import pytest
from typer.testing import CliRunner

from cli import app
from cli.progress import EVERY_SECONDS, ProgressLines
from tests.registries import CORDIS


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_line_every_tenth_and_at_the_end(clock):
    lines: list[str] = []
    progress = ProgressLines(lines.append, clock)

    for done in range(0, 1000, 7):
        progress("ror organizations", done, 1000)
    progress("ror organizations", 1000, 1000)
    progress("ror organizations", 1000, 1000)

    assert lines[0] == "ror organizations: 105 of 1000 (10%), 0 s"
    assert len(lines) == 10
    assert lines[-1] == "ror organizations: 1000 of 1000 (100%), 0 s"


def test_a_line_after_ten_seconds_however_little_was_done(clock):
    lines: list[str] = []
    progress = ProgressLines(lines.append, clock)

    progress("cordis projects", 0, 1000)
    clock.now += EVERY_SECONDS - 1
    progress("cordis projects", 1, 1000)
    clock.now += 1
    progress("cordis projects", 2, 1000)

    assert lines == ["cordis projects: 2 of 1000 (0%), 10 s"]


def test_a_stage_of_one_step_says_done_and_nothing_while_it_starts(clock):
    lines: list[str] = []
    progress = ProgressLines(lines.append, clock)

    progress("cordis reading", 0, 1)
    clock.now += 3
    progress("cordis reading", 1, 1)

    assert lines == ["cordis reading: done, 3 s"]


def test_a_load_into_a_log_prints_progress_lines(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"}

    result = CliRunner().invoke(app, ["load", "cordis", str(CORDIS)], env=env)

    assert result.exit_code == 0, result.output
    assert "cordis organizations: 31 of 31 (100%)" in result.stderr
    assert "cordis projects: 13 of 13 (100%)" in result.stderr
    assert "projects: read 18, created 13" in result.stdout
