"""Remove each protection in turn and run its tests: every mutation must be killed.

    .venv/bin/python scripts/mutations.py [--only WORD] [--list]

The protections are data (``scripts/mutations.yaml``). Each mutation is applied to a
fresh copy of the working tree under a temporary folder (the checkout is never
touched), the tests named for it run there with ``pytest -x``, and a table says which
mutations the tests killed and which survived (a survivor is a protection no test
guards). Exit 1 when any survived.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(
    ".venv",
    ".git",
    "artifacts",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "*.egg-info",
)


@dataclass(frozen=True)
class Mutation:
    protection: str
    path: str
    line: int
    old: str
    new: str
    tests: list[str]


def mutations(spec: list[dict[str, object]]) -> list[Mutation]:
    """Every single edit the spec describes, in order."""
    out: list[Mutation] = []
    for item in spec:
        tests = [str(t) for t in item["tests"]]  # type: ignore[attr-defined]
        name = str(item["protection"])
        if "each" in item:
            pattern = re.compile(str(item["each"]))
            skip = re.compile(str(item.get("skip_line", r"(?!)")))
            for pat in item["files"]:  # type: ignore[attr-defined]
                for path in sorted(glob.glob(str(ROOT / pat))):
                    rel = str(Path(path).relative_to(ROOT))
                    text = Path(path).read_text(encoding="utf-8")
                    for m in pattern.finditer(text):
                        line_no = text.count("\n", 0, m.start()) + 1
                        line = text.splitlines()[line_no - 1]
                        if skip.search(line):
                            continue
                        new = text[: m.start()] + str(item["replace"]) + text[m.end() :]
                        out.append(Mutation(name, rel, line_no, text, new, tests))
            continue
        rel = str(item["file"])
        text = (ROOT / rel).read_text(encoding="utf-8")
        find = str(item["find"])
        if text.count(find) != 1:
            raise SystemExit(
                f"mutations.yaml: {name}: the text to find occurs "
                f"{text.count(find)} times in {rel} (must be once)"
            )
        line_no = text.count("\n", 0, text.index(find)) + 1
        out.append(
            Mutation(name, rel, line_no, text, text.replace(find, str(item["replace"])), tests)
        )
    return out


def run(mutation: Mutation, tree: Path) -> tuple[bool, str, float]:
    """Apply ``mutation`` in ``tree``, run its tests, restore; (killed, first failure, s).

    A test process that dies of a signal (not a failing test) is run again, twice at
    most; one that keeps dying is reported, not counted as a kill.
    """
    target = tree / mutation.path
    target.write_text(mutation.new, encoding="utf-8")
    started = time.perf_counter()
    try:
        env = dict(os.environ, PYTHONPATH=str(tree))
        for _ in range(3):
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-x",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    *mutation.tests,
                ],
                cwd=tree,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            if proc.returncode >= 0:
                break
    except subprocess.TimeoutExpired:
        return True, "timed out (counted as killed)", time.perf_counter() - started
    finally:
        target.write_text(mutation.old, encoding="utf-8")
    seconds = time.perf_counter() - started
    if proc.returncode < 0:
        return False, f"CRASHED (signal {-proc.returncode}, 3 tries)", seconds
    failed = [
        ln.split(" ")[1] for ln in proc.stdout.splitlines() if ln.startswith(("FAILED ", "ERROR "))
    ]
    return proc.returncode != 0, (failed[0] if failed else f"exit {proc.returncode}"), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="only protections whose name has this word")
    parser.add_argument("--list", action="store_true", help="list the mutations, run nothing")
    args = parser.parse_args()
    spec = yaml.safe_load((ROOT / "scripts" / "mutations.yaml").read_text(encoding="utf-8"))
    todo = [m for m in mutations(spec) if args.only.lower() in m.protection.lower()]
    if args.list:
        for m in todo:
            print(f"{m.protection} | {m.path}:{m.line}")
        return 0
    survivors = 0
    print("| protection | mutated line | killed by (first failing test) | s |")
    print("| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="skillcheck-mutants-") as tmp:
        tree = Path(tmp) / "tree"
        shutil.copytree(ROOT, tree, ignore=IGNORE)
        for m in todo:
            killed, first, seconds = run(m, tree)
            survivors += not killed
            verdict = (
                first if killed else (first if first.startswith("CRASHED") else "**SURVIVED**")
            )
            print(f"| {m.protection} | {m.path}:{m.line} | {verdict} | {seconds:.0f} |", flush=True)
    print(f"\n{len(todo)} mutations, {len(todo) - survivors} killed, {survivors} survived")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
