"""``make bench``: run every benchmark in bench/ and write bench/RESULTS.md.

Every module in this folder but this one (and ``__init__``) is a benchmark: a script that
takes ``--quick`` (a short run) and ``--json`` (its figures as JSON on stdout instead of
text). The report runs each in a process of its own, one after another, so no
benchmark's memory or CPU shows in another's figures, and writes one table: each figure,
its result, its goal, whether it met it, and what a ratio is measured against (a peer
measured side by side in the same run: the echo bot for replies, the configured flood
ceiling for the fan-out). The header names the machine: CPU, cores, memory, OS, Python,
the load average before and after (a busy machine depresses every figure), the commit.

    python bench/report.py                    # the full run: about 7 minutes on 2 idle cores
    python bench/report.py --quick            # about 2 minutes
    python bench/report.py --only fanout,load

A benchmark that fails is a row that says so, and the report exits 1 after writing the
rest. A goal not met is counted in the header, not failed: a benchmark measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
NOT_BENCHMARKS = {"__init__", "report"}


@dataclass(frozen=True)
class Figure:
    """One measured figure as the table shows it; ``met`` is None when it has no goal."""

    name: str
    result: str
    goal: str = ""
    met: bool | None = None
    peer: str = ""  # what a ratio is measured against, in the same run

    def __post_init__(self) -> None:
        if bool(self.goal) != (self.met is not None):
            raise ValueError(f"a goal needs a verdict and a verdict a goal: {self}")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value ``fraction`` of the way up the sorted values (0 for none)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def show(figures: list[Figure], *, as_json: bool) -> None:
    """A benchmark's output: JSON for the report, or one line a figure for a person."""
    if as_json:
        print(json.dumps([asdict(figure) for figure in figures]))
        return
    width = max(len(figure.name) for figure in figures)
    for figure in figures:
        line = f"{figure.name:<{width}}  {figure.result}"
        if figure.peer:
            line += f"  (vs {figure.peer})"
        if figure.goal:
            line += f"  goal {figure.goal}: {'met' if figure.met else 'NOT met'}"
        print(line)


def benchmarks() -> list[str]:
    """Every benchmark in this folder, by module name: a new one is run without listing it."""
    return sorted(path.stem for path in BENCH.glob("*.py") if path.stem not in NOT_BENCHMARKS)


def run_benchmark(name: str, *, quick: bool) -> list[Figure]:
    """One benchmark in a process of its own; its figures, and the time it took."""
    command = [sys.executable, str(BENCH / f"{name}.py"), "--json"]
    if quick:
        command.append("--quick")
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    took = Figure("run time", f"{time.monotonic() - started:.0f} s")
    try:
        if done.returncode != 0:
            raise ValueError(f"exit status {done.returncode}")
        last = done.stdout.strip().splitlines()[-1]  # its figures: the last line it prints
        return [*(Figure(**row) for row in json.loads(last)), took]
    except (ValueError, TypeError, IndexError) as error:
        failed = str(error) or type(error).__name__
        return [Figure("benchmark ran", failed, "exit status 0 and its figures", False), took]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    try:
        commit = git("rev-parse", "--short", "HEAD") or "unknown"
        return f"{commit} with uncommitted changes" if git("status", "--porcelain") else commit
    except OSError:
        return "unknown"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    return {
        "CPU": f"{_cpu_model()}, {os.cpu_count()} cores",
        "RAM": _memory_gib(),
        "OS": platform.platform(),
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "commit": _commit(),
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: list[tuple[str, Figure]]) -> str:
    """One Markdown table: benchmark, figure, result, goal, met?, measured against."""
    verdicts = {True: "yes", False: "**no**", None: ""}
    lines = [
        "| benchmark | figure | result | goal | met? | measured against |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for bench, figure in rows:
        cells = [bench, figure.name, figure.result, figure.goal, verdicts[figure.met]]
        cells.append(figure.peer)
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def render(
    rows: list[tuple[str, Figure]],
    about: dict[str, str],
    *,
    quick: bool,
    started: dt.datetime,
    load: tuple[float, float],
) -> str:
    """RESULTS.md: when and where, how many goals were met, then the table."""
    goals = [figure for _, figure in rows if figure.met is not None]
    missed = [f"{bench}: {figure.name}" for bench, figure in rows if figure.met is False]
    run = "quick run (`make bench QUICK=1`)" if quick else "full run (`make bench`)"
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/report.py`, {run}, started {started:%Y-%m-%d %H:%M} UTC.",
        "",
        *(f"- {key}: {value}" for key, value in about.items()),
        f"- load average (1 min): {load[0]:.2f} before, {load[1]:.2f} after",
        "",
        f"Goals met: {len(goals) - len(missed)} of {len(goals)}"
        + (f"; not met: {'; '.join(missed)}." if missed else "."),
        "",
        table(rows),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="each benchmark's short run")
    parser.add_argument("--output", type=Path, default=RESULTS, help="default bench/RESULTS.md")
    parser.add_argument("--only", help="comma-separated benchmark names (default: all)")
    args = parser.parse_args(argv)
    names = benchmarks()
    if args.only:
        unknown = set(args.only.split(",")) - set(names)
        if unknown:
            parser.error(f"no such benchmark: {', '.join(sorted(unknown))}")
        names = [name for name in names if name in args.only.split(",")]
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    rows: list[tuple[str, Figure]] = []
    for name in names:
        print(f"bench/{name}.py ...", file=sys.stderr, flush=True)
        figures = run_benchmark(name, quick=args.quick)
        show(figures, as_json=False)
        rows.extend((name, figure) for figure in figures)
    load = (load_before, os.getloadavg()[0])
    text = render(rows, machine(), quick=args.quick, started=started, load=load)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 1 if any(figure.name == "benchmark ran" for _, figure in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
