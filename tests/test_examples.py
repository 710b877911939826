"""Every marked example of README.md and docs/*.md (`tools/example_marks.py`) answers, on SQLite
and on PostgreSQL, exactly what its page shows: the pages cannot drift from the API, nor the two
databases from each other. `uv run python -m tools.examples` rewrites the pages from a run."""

import difflib
import json
import re
from pathlib import Path

import pytest

from tests.conftest import Databases
from tools.example_databases import copy_of, make_demo
from tools.example_marks import Example, ExampleError, find_examples, show
from tools.examples import PAGES, ROOT, page_examples, run_page

pytestmark = pytest.mark.anyio

MARKED = [page for page in PAGES if page_examples(page)]
_TEMPLATES: dict[str, tuple[str, dict[str, str]]] = {}
"""Per backend: the demo database made as `serve` makes it, and its tokens by role."""


async def _template(databases: Databases) -> tuple[str, dict[str, str]]:
    if databases.backend not in _TEMPLATES:
        url = await databases.empty()
        _TEMPLATES[databases.backend] = (url, await make_demo(url))
    return _TEMPLATES[databases.backend]


def _block(page: Path, example: Example) -> str:
    start, end = example.answer_lines
    return "\n".join(page.read_text().split("\n")[start:end])


@pytest.mark.parametrize("page", MARKED, ids=lambda page: str(page.relative_to(ROOT)))
async def test_each_example_answers_what_its_page_shows(page: Path, databases: Databases) -> None:
    template, tokens = await _template(databases)
    examples = page_examples(page)
    async with copy_of(template) as url:
        answers = await run_page(url, tokens, examples)
    differing = []
    for example, answer in zip(examples, answers, strict=True):
        shown, ran = _block(page, example), show(example, answer)
        if shown != ran:
            diff = difflib.unified_diff(
                shown.split("\n"), ran.split("\n"), "page", "run", n=1, lineterm=""
            )
            differing.append(f"{example.where}:\n" + "\n".join(diff))
    assert not differing, (
        f"on {databases.backend}, answers differ from the page "
        "(`uv run python -m tools.examples` rewrites it):\n" + "\n\n".join(differing)
    )


def test_every_answer_in_the_readme_is_a_marked_example() -> None:
    readme = ROOT / "README.md"
    lines = readme.read_text().split("\n")
    answers = {index + 1 for index, line in enumerate(lines) if line.strip() == "```json"}
    marked = {example.answer_lines[0] for example in page_examples(readme)}
    assert answers == marked
    assert len(marked) >= 3


def test_markers_are_read_strictly() -> None:
    page = Path("page.md")
    query = "```graphql\n{ alliances { totalCount } }\n```\n\n```json\n{}\n```\n"
    marker = '<!-- example: token=editor variables={"a": [1, 2]} show=data redact=data.x -->'
    (example,) = find_examples(page, f"{marker}\n\n{query}")
    assert (example.token, example.variables, example.show) == ("editor", {"a": [1, 2]}, "data")
    assert example.redact == ("data.x",)
    assert example.answer_lines == (7, 8)
    for bad, problem in [
        ("<!-- example: -->", "token= must be"),
        ("<!-- example: token=root -->", "token= must be"),
        ("<!-- example: token=admin colour=red -->", "unknown options"),
        ("<!-- example: token=admin variables=[1] -->", "must be a JSON object"),
    ]:
        with pytest.raises(ExampleError, match=re.escape(problem)):
            find_examples(page, f"{bad}\n{query}")
    with pytest.raises(ExampleError, match="expected a ```json block"):
        find_examples(page, "<!-- example: token=admin -->\n```graphql\n{ a }\n```\nprose\n")


def test_answers_are_shown_compactly_within_the_width() -> None:
    example = find_examples(
        Path("page.md"), "<!-- example: token=none -->\n```graphql\n```\n```json\n```\n"
    )[0]
    answer = {"data": {"list": {"nodes": [{"name": f"organization {n}"} for n in range(12)]}}}
    text = show(example, answer)
    assert text.startswith('{"data": {"list": {"nodes": [\n  {"name": "organization 0"}, ')
    assert max(len(line) for line in text.split("\n")) <= 100
    assert json.loads(text) == answer
