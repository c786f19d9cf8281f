"""The per-module table of a mutation run (``make mutate``), from mutmut's result files.

Reads ``mutants/**/*.py.meta`` (what ``mutmut run`` writes) and prints a markdown table:
per module, how many mutants were killed (a test failed, or the mutant made the tests time
out), survived (every test passed), had no test that calls the mutated function, and were
not run (yet). With ``--survivors`` it also lists the surviving mutants by name (see one
with ``mutmut show NAME``). ``--names STATUS [GLOB]`` prints only the names of the mutants
with that status (``survived``, ``not run``...), for ``mutmut run`` to (re)check just those:

    python tools/mutation_table.py [--survivors] [--mutants DIR]
    mutmut run $(python tools/mutation_table.py --names "not run" "cvat_client.core.uploading.*")
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path

#: mutmut's exit codes (``mutmut.stats.status_by_exit_code``) folded into the columns.
_STATUS_BY_CODE: dict[int | None, str] = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    None: "not run",
    2: "not run",
    34: "skipped",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
    152: "timeout",
    255: "timeout",
    37: "type check",
}
_COLUMNS = ("killed", "timeout", "survived", "no tests", "not run", "other")


def _status(code: int | None) -> str:
    status = _STATUS_BY_CODE.get(code, "other")
    return status if status in _COLUMNS else "other"


def collect(root: Path) -> dict[str, dict[str, int | None]]:
    """Exit code of every mutant, by module (``cvat_client.core.uploading``)."""
    results: dict[str, dict[str, int | None]] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text("utf-8")).get("exit_code_by_key", {})
        if not codes:
            continue
        module = next(iter(codes)).split(".x_")[0].split(".xǁ")[0]
        results[module] = codes
    return results


def table(results: dict[str, dict[str, int | None]]) -> str:
    """The markdown table: counts by status, and survivors as a share of the mutants run."""
    lines = [
        "| module | mutants | " + " | ".join(_COLUMNS) + " | survived, % of run |",
        "|---|---:|" + "---:|" * len(_COLUMNS) + "---:|",
    ]
    for module, codes in results.items():
        counts = Counter(_status(code) for code in codes.values())
        run = counts["killed"] + counts["timeout"] + counts["survived"]
        share = f"{100 * counts['survived'] / run:.1f}" if run else "-"
        cells = " | ".join(str(counts[c]) for c in _COLUMNS)
        lines.append(f"| `{module}` | {len(codes)} | {cells} | {share} |")
    return "\n".join(lines)


def survivors(results: dict[str, dict[str, int | None]]) -> list[str]:
    """Names of the surviving mutants."""
    return [
        name
        for codes in results.values()
        for name, code in sorted(codes.items())
        if _status(code) == "survived"
    ]


def names(results: dict[str, dict[str, int | None]], status: str, pattern: str) -> list[str]:
    """Names of the mutants with ``status`` whose name matches ``pattern``."""
    return [
        name
        for codes in results.values()
        for name, code in sorted(codes.items())
        if _status(code) == status and fnmatch.fnmatchcase(name, pattern)
    ]


def main(argv: list[str] | None = None) -> int:
    """Print the table (and the survivors when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    parser.add_argument(
        "--names", nargs="+", metavar=("STATUS", "GLOB"), help="print only these mutants' names"
    )
    args = parser.parse_args(argv)
    results = collect(args.mutants)
    if args.names:
        status, *pattern = args.names
        print("\n".join(names(results, status, pattern[0] if pattern else "*")))
        return 0
    if not results:
        print(f"no mutation results under {args.mutants}; run `make mutate` first")
        return 1
    print(table(results))
    if args.survivors:
        print()
        print("\n".join(survivors(results)) or "no surviving mutant")
    return 0


if __name__ == "__main__":
    sys.exit(main())
