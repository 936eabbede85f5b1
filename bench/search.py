"""Search latency over the catalog: the index's answer, and the whole reply a reader gets.

The questions are the reader's set (tests/quality/questions.json) plus their variants
(lower case, typos, Spanish), asked in turn. Two figures, each a p50/p99 over every ask:
the index alone (reading the question, typo fixes, FTS5 bm25, picking the best 3–5), and
the whole answer from free text (topic match first, then the search, the HTML, the
buttons), as the bot computes it before any memo (each ask is a new question to it). The
index is built once, as the bot does when it loads the catalog; its build time and size
are reported too.

    python bench/search.py            # 20 rounds over the questions
    python bench/search.py --quick    # 3 rounds

Goal: search p99 <= 5 ms for the catalog (the index alone, and the whole answer).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import Figure, percentile, show  # noqa: E402
from bot.conversation.answers import Answers  # noqa: E402
from bot.conversation.fulltext import index_for  # noqa: E402
from bot.conversation.question import read_question  # noqa: E402
from briefings.catalog import DEFAULT_CATALOG, load_catalog  # noqa: E402
from tests.quality.questions import ASKED, load_questions  # noqa: E402

GOAL_P99_MS = 5.0
EXTRA = [
    "sheinbuam",
    "garcia harfuch",
    "¿qué pasó con Pemex?",
    "mining company kidnapped",
    "when is the next via recreactiva",
    "Cuba Mexico oil Trump tariffs humanitarian aid",
    "quantum chromodynamics",
    "2026",
]


def questions() -> list[str]:
    asked = [q.ask for q in load_questions()]
    # Each once: a repeat within a round would be a memo hit, not a search.
    return list(dict.fromkeys([*asked, *(q.lower() for q in asked), *EXTRA]))


@dataclass(frozen=True)
class Measured:
    """Seconds to build the index, its records and bytes, and every ask's seconds."""

    built: float
    records: int
    size: int
    index_times: list[float]
    answer_times: list[float]


def measure(rounds: int) -> Measured:
    catalog = load_catalog(DEFAULT_CATALOG)
    started = time.perf_counter()
    index = index_for(catalog)  # built once, kept for the catalog, as the bot does
    built = time.perf_counter() - started
    asks = questions()
    index_times: list[float] = []
    answer_times: list[float] = []
    for _ in range(rounds):
        answers = Answers(catalog)  # no memo across rounds: every ask is computed
        for text in asks:
            started = time.perf_counter()
            index.search(read_question(text))
            index_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            answers.free_text(text, now=ASKED, lang="en")
            answer_times.append(time.perf_counter() - started)
    return Measured(built, len(index.records), index.size(), index_times, answer_times)


def figures(measured: Measured) -> list[Figure]:
    found = [
        Figure(
            "search index over the catalog",
            f"built in {measured.built * 1000:.1f} ms at load, {measured.records:,} records, "
            f"{measured.size / 1024:.0f} KiB in memory",
        )
    ]
    for name, times in (
        ("search p99, index", measured.index_times),
        ("search p99, answer", measured.answer_times),
    ):
        p99 = percentile(times, 0.99) * 1000
        found.append(
            Figure(
                name,
                f"{p99:.2f} ms (p50 {percentile(times, 0.5) * 1000:.2f} ms, {len(times):,} asks)",
                f"≤ {GOAL_P99_MS:.0f} ms",
                p99 <= GOAL_P99_MS,
            )
        )
    return found


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    parser.add_argument("--json", action="store_true", help="the figures as JSON, for the report")
    return parser


def main() -> int:
    args = parser().parse_args()
    show(figures(measure(3 if args.quick else 20)), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
