"""How the compiler's cost grows with the corpus: 1,000 vs 10,000 synthetic articles.

Synthetic articles look like the seeds: a photo caption with a credit, paragraphs with
figures, years, dates and quotes, and now and then a listing block (When/Where/Cost).
Consecutive articles are about different subjects so the segmenter has real work to do.
Twenty articles make one seed document.

Each size is built in a fresh subprocess so that its peak resident memory (ru_maxrss) is
its own; time is the wall-clock of ``compile_catalog`` alone (generation excluded).

    python bench/build_scale.py              # 1,000 and 10,000 articles
    python bench/build_scale.py --quick      # 200 and 2,000
    python bench/build_scale.py --sizes 500,5000

Goals: 10,000 articles in 60 s or less on a 2-core machine, cost growing about linearly
(the time ratio at most 1.25 times the size ratio). Also reported, without a goal: the
search index the bot builds from each catalog when it loads it (time, records, memory) and
the catalog file's size.

    python bench/build_scale.py --incremental   # 10 articles added to 10,000

The incremental figure builds the largest size with a StageCache, adds a document of 10
new articles and builds again with the warm cache (what the running bot does after a feed
brings news): goal 5 s or less. It then builds the same inputs without a cache and checks
the two catalogs are the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import Figure, show  # noqa: E402

GOAL_ARTICLES = 10_000
GOAL_SECONDS = 60.0
GOAL_LINEARITY = 1.25  # time ratio / size ratio: "about linear" allows a quarter more
GOAL_INCREMENTAL_SECONDS = 5.0
ADDED_ARTICLES = 10
ARTICLES_PER_DOCUMENT = 20

# Real articles on different subjects share function words, not content words. Each
# synthetic subject gets its own vocabulary of pseudo-words, plus, for a few, the words
# that route an article to one of the catalog's topics.
TOPIC_WORDS = [
    ["missing", "disappeared", "search", "registry", "relatives", "collective"],
    ["Toluca", "interurban", "train", "station", "commuters", "viaduct"],
    ["Sinaloa", "cartel", "police", "army", "homicide", "gunfire"],
    ["Cuba", "Havana", "embargo", "oil", "diplomatic", "Pemex"],
    ["concert", "festival", "tickets", "museum", "exhibit", "jazz"],
]
SUBJECT_COUNT = 40
NAMES = ["Ana Ruiz", "Luis Ortega", "María Salazar", "Jorge Peña", "Rosa Garza", "Pedro Lima"]
CREDITS = ["Cuartoscuro", "Presidencia/Cuartoscuro", "@Agency/X", "Gobierno de Mexico", "AP"]
MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct."]
GLUE = ["the", "of", "and", "in", "to", "a", "for", "with", "on", "by", "from", "that"]


def _pseudo_word(rng: random.Random) -> str:
    syllables = ["ka", "lo", "mi", "ra", "te", "su", "no", "vi", "da", "ze", "po", "lu", "ce"]
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def subject_vocabularies(rng: random.Random) -> list[list[str]]:
    vocabularies = []
    for index in range(SUBJECT_COUNT):
        words = [_pseudo_word(rng) for _ in range(40)]
        if index < len(TOPIC_WORDS):
            words += TOPIC_WORDS[index] * 3
        vocabularies.append(words)
    return vocabularies


def _sentence(rng: random.Random, words: list[str]) -> str:
    body = []
    for _ in range(rng.randint(12, 22)):
        body.append(rng.choice(words) if rng.random() < 0.45 else rng.choice(GLUE))
    kind = rng.random()
    if kind < 0.15:
        body.insert(3, f"more than {rng.randint(2, 999)},{rng.randint(100, 999)} people")
    elif kind < 0.25:
        body.insert(2, f"in {rng.randint(1990, 2025)}")
    elif kind < 0.32:
        body.insert(1, f"on {rng.choice(MONTHS)} {rng.randint(1, 28)}")
    text = " ".join(body)
    if kind > 0.9:
        return f"“{text.capitalize()},” said {rng.choice(NAMES)}."
    return text.capitalize() + "."


def synthetic_article(rng: random.Random, words: list[str], serial: int) -> str:
    """One article in one subject's vocabulary, with a caption line first."""
    caption = " ".join(rng.choice(words) for _ in range(8)).capitalize()
    lines = [f"{caption}. ({rng.choice(CREDITS)})"]
    for _ in range(rng.randint(6, 12)):
        lines.append(" ".join(_sentence(rng, words) for _ in range(rng.randint(1, 3))))
    if rng.random() < 0.15:
        lines += [
            f"{rng.choice(words).capitalize()} night at the plaza",
            f"A free evening of {words[0]} and {words[1]} for families in Guadalajara.",
            f"When: {rng.choice(MONTHS)} {rng.randint(1, 28)} at {rng.randint(5, 9)} p.m.",
            "Where: Teatro Diana, Av. 16 de Septiembre 710, Guadalajara",
            f"Cost: Tickets from {rng.randint(100, 900)} pesos.",
        ]
    return "\n".join(lines)


def synthetic_seeds(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """``count`` articles packed into documents; neighbours never share a subject."""
    rng = random.Random(seed)
    vocabularies = subject_vocabularies(rng)
    documents = []
    subject = 0
    for start in range(0, count, ARTICLES_PER_DOCUMENT):
        articles = []
        for serial in range(start, min(start + ARTICLES_PER_DOCUMENT, count)):
            subject = (subject + rng.randint(1, SUBJECT_COUNT - 1)) % SUBJECT_COUNT
            articles.append(synthetic_article(rng, vocabularies[subject], serial))
        documents.append((f"bench_{start // ARTICLES_PER_DOCUMENT:05d}.txt", "\n".join(articles)))
    return documents


def measure(count: int) -> dict[str, float]:
    """Build one catalog in this process; report time, memory and what was found."""
    from briefings.catalog import Seed, compile_catalog

    seeds = [
        Seed(name, text, hashlib.sha256(text.encode()).hexdigest())
        for name, text in synthetic_seeds(count)
    ]
    from bot.conversation.fulltext import SearchIndex
    from briefings.catalog import render_catalog

    started = time.perf_counter()
    catalog = compile_catalog(seeds)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The search index, as the bot builds it when it loads the catalog (bot/conversation/
    # fulltext.py): its records, the FTS5 table and the vocabulary for typos.
    started = time.perf_counter()
    index = SearchIndex.of(catalog)
    index_seconds = time.perf_counter() - started
    return {
        "articles": count,
        "found": len(catalog.articles),
        "seconds": seconds,
        "peak_mb": peak_kib / 1024,
        "index_seconds": index_seconds,
        "index_mb": index.size() / 1e6,
        "index_records": len(index.records),
        "catalog_mb": len(render_catalog(catalog).encode()) / 1e6,
    }


def measure_incremental(count: int) -> dict[str, float]:
    """Full build with a cache, then 10 more articles with the warm cache; same bytes?"""
    from briefings.catalog import Seed, StageCache, compile_catalog, render_catalog

    def seeds_of(documents: list[tuple[str, str]]) -> list[Seed]:
        return [Seed(n, t, hashlib.sha256(t.encode()).hexdigest()) for n, t in documents]

    base = seeds_of(synthetic_seeds(count))
    added = seeds_of(
        [("bench_zz_new.txt", text) for _, text in synthetic_seeds(ADDED_ARTICLES, seed=11)]
    )
    cache = StageCache()
    started = time.perf_counter()
    compile_catalog(base, cache=cache)
    full = time.perf_counter() - started
    started = time.perf_counter()
    incremental = compile_catalog([*base, *added], cache=cache)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    text = render_catalog(incremental)
    render = time.perf_counter() - started
    fresh = render_catalog(compile_catalog([*base, *added]))
    return {
        "articles": count,
        "full": full,
        "incremental": seconds,
        "render": render,
        "equal": float(fresh == text),
    }


def incremental_figures(row: dict[str, float]) -> list[Figure]:
    seconds = row["incremental"]
    return [
        Figure(
            f"add {ADDED_ARTICLES} articles to {row['articles']:,.0f} (warm StageCache)",
            f"{seconds:.1f} s compile + {row['render']:.1f} s to write the file; "
            f"the same bytes as a full build: {'yes' if row['equal'] else 'NO'}",
            f"≤ {GOAL_INCREMENTAL_SECONDS:.0f} s, same bytes",
            seconds <= GOAL_INCREMENTAL_SECONDS and bool(row["equal"]),
            f"full build {row['full']:.1f} s, same run",
        )
    ]


def measure_in_subprocess(count: int, incremental: bool = False) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--one-incremental" if incremental else "--one", str(count)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def figures(rows: list[dict[str, float]]) -> list[Figure]:
    """Each size's build, and how the time grew from the smallest size to the largest."""
    found = []
    for row in rows:
        seconds, count = row["seconds"], row["articles"]
        goal = count == GOAL_ARTICLES
        found.append(
            Figure(
                f"compile {count:,.0f} articles",
                f"{seconds:.1f} s, {count / seconds:,.0f} articles/s, "
                f"peak {row['peak_mb']:.0f} MB, {row['found']:,.0f} found",
                f"≤ {GOAL_SECONDS:.0f} s" if goal else "",
                seconds <= GOAL_SECONDS if goal else None,
            )
        )
    for row in rows:
        if "index_seconds" not in row:
            continue
        found.append(
            Figure(
                f"search index, {row['articles']:,.0f} articles",
                f"built in {row['index_seconds']:.2f} s at load, {row['index_records']:,.0f} "
                f"records, {row['index_mb']:.1f} MB in memory (catalog file "
                f"{row['catalog_mb']:.1f} MB)",
            )
        )
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        size_ratio = large["articles"] / small["articles"]
        time_ratio = large["seconds"] / small["seconds"]
        found.append(
            Figure(
                f"time growth, {size_ratio:.0f}× the articles",
                f"{time_ratio:.1f}× the time, {time_ratio / size_ratio:.2f} of linear",
                f"≤ {GOAL_LINEARITY} of linear",
                time_ratio / size_ratio <= GOAL_LINEARITY,
                f"{small['articles']:,.0f} articles, same run",
            )
        )
    return found


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--quick", action="store_true", help="sizes 200 and 2000")
    parser.add_argument("--json", action="store_true", help="the figures as JSON, for the report")
    parser.add_argument(
        "--incremental", action="store_true", help="10 articles added to the largest size"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one-incremental", type=int, help=argparse.SUPPRESS)
    return parser


def main() -> int:
    args = parser().parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return 0
    if args.one_incremental:
        print(json.dumps(measure_incremental(args.one_incremental)))
        return 0
    sizes = [200, 2000] if args.quick else [int(s) for s in args.sizes.split(",")]
    if args.incremental:
        found = incremental_figures(measure_in_subprocess(sizes[-1], incremental=True))
    else:
        found = figures([measure_in_subprocess(n) for n in sizes])
        found += incremental_figures(measure_in_subprocess(sizes[-1], incremental=True))
    show(found, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
