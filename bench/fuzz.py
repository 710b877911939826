"""A long fuzzing run of the API (tests/schema/test_fuzz.py with many random examples), summarised.

    uv run python -m bench.fuzz --examples 2000 [--backend sqlite|postgresql] [--out DIR]

Every bad answer goes on as a line of `DIR/findings.jsonl` (the role, the document, the answer)
instead of stopping the run; `DIR/findings.jsonl.tally` holds one line per example. At the end
the examples, the answers by code and the findings by root field and problem are printed.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["main"]


def _root_field(document: str) -> str:
    found = re.search(r"(?:mutation|query)?\s*\{\s*(\w+)", document)
    return found.group(1) if found else "?"


def summarise(findings: Path) -> str:
    tally = Path(f"{findings}.tally")
    lines = []
    answered: collections.Counter[str] = collections.Counter()
    examples = 0
    if tally.exists():
        for line in tally.read_text(encoding="utf-8").splitlines():
            example = json.loads(line)
            examples += 1
            codes = ",".join(example["codes"]) or ("data" if example["data"] else "empty")
            if example.get("userErrors"):
                codes += " userErrors:" + ",".join(example["userErrors"])
            answered[f"{example['backend']} {example['kind']} {codes}"] += 1
    lines.append(f"{examples} examples")
    lines.extend(f"  {count:6d}  {what}" for what, count in answered.most_common())
    found: collections.Counter[str] = collections.Counter()
    count = 0
    if findings.exists():
        for line in findings.read_text(encoding="utf-8").splitlines():
            finding = json.loads(line)
            count += 1
            key = (
                f"{finding['backend']} {finding['role']} {_root_field(finding['document'])}: "
                f"{'; '.join(finding['problems'])}"
            )
            found[key] += 1
    lines.append(f"{count} bad answers")
    lines.extend(f"  {n:6d}  {what}" for what, n in found.most_common())
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=2000, help="per database")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--out", type=Path, default=None)
    arguments = parser.parse_args()
    out = arguments.out or Path(tempfile.mkdtemp(prefix="partnergraph-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    findings = out / "findings.jsonl"
    env = dict(
        os.environ,
        PARTNERGRAPH_FUZZ_EXAMPLES=str(arguments.examples),
        PARTNERGRAPH_FUZZ_FINDINGS=str(findings),
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        "tests/schema/test_fuzz.py",
    ]
    if arguments.backend:
        command += ["-k", arguments.backend]
    completed = subprocess.run(command, env=env, check=False)
    print(summarise(findings))
    print(f"findings in {findings}")
    return completed.returncode


if __name__ == "__main__":
    raise SystemExit(main())
