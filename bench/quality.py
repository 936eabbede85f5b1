"""Key facts and defects: every briefing against a lede-3 baseline, in the same run.

A news editor's measure of what briefbot serves (issue 17, point 8). For every topic, the
briefing is rendered as ``briefbot ask`` renders it (the bot's own ``Answers``, plain
text, the clock fixed at 2 Dec 2026 in Mexico City), and the key facts of
tests/quality/key_facts.json are looked for on its first screen (the first message a
reader sees) and in the whole briefing (every "More ›" screen). The peer is lede-3: the
first three body sentences of each of the topic's articles, in the compiler's article
order and from the compiler's own segmentation and cleaning; its first screen is its first
1,800 characters, as long as a briefbot screen.

Then, over all briefings, what spoils them: a sentence shown twice in one briefing, a
sentence that opens leaning on one not shown (a connective or a pronoun), a sentence cut
mid-clause, a relative date with no absolute date beside it, a source named by its file.
Sentences merely missing their full stop are counted too, without a goal.

    python bench/quality.py             # the table, the facts missed and example defects
    python bench/quality.py --json      # the figures, for bench/report.py

Then the reader's questions (tests/quality/questions.json, issue 18): how many of them the
bot answers right, as tests/unit/test_questions.py judges them.

Goals: on every first screen more key facts than lede-3's first screen; every defect 0;
every reader's question answered right.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import Figure, show  # noqa: E402
from bot.conversation.answers import Answers  # noqa: E402
from bot.conversation.render import to_plain  # noqa: E402
from briefings.catalog import DEFAULT_CATALOG, load_catalog, read_seeds  # noqa: E402
from briefings.clean import clean_article  # noqa: E402
from briefings.model import Article, Catalog  # noqa: E402
from briefings.segment import is_listing_field, segment  # noqa: E402
from briefings.sentences import split_sentences  # noqa: E402
from tests.quality.checks import Defects, briefing_defects  # noqa: E402
from tests.quality.facts import KeyFact, facts_found, load_key_facts  # noqa: E402
from tests.quality.questions import judge, load_questions  # noqa: E402

TODAY = dt.datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))
SEEDS = ROOT / "seeds"
LEDE_SENTENCES = 3
LEDE_SCREEN = 1800  # characters: a briefbot screen is cut at about this many
DEFECTS = {
    "repeats": "sentences shown twice in one briefing",
    "openers": "dangling openers (connective or pronoun, nothing before it)",
    "cut": "sentences cut mid-clause",
    "relative_dates": "unresolved relative dates",
    "file_names": "file names shown as sources",
}
UNTERMINATED = "sentences without a full stop (no goal)"


@dataclass(frozen=True)
class TopicQuality:
    """One topic's key facts found, by briefbot and by lede-3, and its defects."""

    topic: str
    facts: list[KeyFact]
    first_screen: list[KeyFact]
    whole: list[KeyFact]
    lede_first_screen: list[KeyFact]
    lede_whole: list[KeyFact]
    screens: int
    defects: Defects
    lede_defects: Defects

    @property
    def beats_lede(self) -> bool:
        return len(self.first_screen) > len(self.lede_first_screen)


def briefing_screens(answers: Answers, catalog: Catalog, topic_id: str) -> tuple[list[str], str]:
    """A topic's screens as a reader sees them (plain text), and its sources page."""
    topic = catalog.topic(topic_id)
    if topic is None or catalog.briefing(topic_id) is None:
        return [], ""
    screens: list[str] = []
    for page in range(100):  # a page past the last gives the last again
        text = "\n\n".join(
            to_plain(m) for m in answers.briefing(topic, now=TODAY, lang="en", page=page).messages
        )
        if screens and text == screens[-1]:
            break
        screens.append(text)
    sources = answers.briefing_sources(topic, now=TODAY, lang="en", back=0)
    return screens, "\n\n".join(to_plain(m) for m in sources.messages)


def lede(article: Article, count: int = LEDE_SENTENCES) -> list[str]:
    """An article's first ``count`` body sentences: headings and listing fields skipped."""
    sentences: list[str] = []
    for paragraph in article.paragraphs:
        if paragraph.heading or is_listing_field(paragraph.text):
            continue
        sentences.extend(split_sentences(paragraph.text))
        if len(sentences) >= count:
            break
    return sentences[:count]


def seed_articles(seeds: Path) -> dict[str, Article]:
    """The compiler's own articles: segmented and cleaned as ``briefbot build`` does."""
    articles = (
        clean_article(raw) for seed in read_seeds(seeds) for raw in segment(seed.name, seed.text)
    )
    return {a.key: a for a in articles if a.paragraphs}


def topic_article_keys(catalog: Catalog, topic_id: str) -> list[str]:
    """The topic's articles in the compiler's order (the briefing's), else catalog order."""
    briefing = catalog.briefing(topic_id)
    keys = list(getattr(briefing, "articles", ()) or ())
    return keys or [a.key for a in catalog.articles if topic_id in a.topics]


def lede3(catalog: Catalog, articles: dict[str, Article], topic_id: str) -> list[str]:
    """The baseline briefing: lede-3 of every article of the topic, one after another."""
    keys = topic_article_keys(catalog, topic_id)
    return [" ".join(lede(articles[key])) for key in keys if key in articles]


def measure(
    catalog_path: Path = DEFAULT_CATALOG, seeds: Path = SEEDS, facts_path: Path | None = None
) -> list[TopicQuality]:
    """Every topic that has key facts, measured for briefbot and lede-3."""
    catalog = load_catalog(catalog_path)
    answers = Answers(catalog)
    articles = seed_articles(seeds)
    key_facts = load_key_facts(facts_path) if facts_path else load_key_facts()
    measured = []
    for topic_id, facts in key_facts.items():
        screens, sources = briefing_screens(answers, catalog, topic_id)
        baseline = lede3(catalog, articles, topic_id)
        baseline_text = "\n\n".join(baseline)
        # Marked as cited, each article one source, so the same detectors read it.
        baseline_cited = "\n\n".join(f"{text} [{n} ¶1]" for n, text in enumerate(baseline, 1))
        measured.append(
            TopicQuality(
                topic=topic_id,
                facts=facts,
                first_screen=facts_found(screens[0] if screens else "", facts),
                whole=facts_found("\n\n".join(screens), facts),
                lede_first_screen=facts_found(baseline_text[:LEDE_SCREEN], facts),
                lede_whole=facts_found(baseline_text, facts),
                screens=len(screens),
                defects=briefing_defects(screens, sources),
                lede_defects=briefing_defects([baseline_cited]),
            )
        )
    return measured


def _total(measured: Sequence[TopicQuality], name: str, *, lede: bool = False) -> int:
    return sum(len(getattr(m.lede_defects if lede else m.defects, name)) for m in measured)


def figures(measured: Sequence[TopicQuality]) -> list[Figure]:
    """Per topic its key facts against lede-3's; then every defect counted over all."""
    found: list[Figure] = []
    peer = f"lede-3, first {LEDE_SCREEN:,} characters"
    for m in measured:
        total = len(m.facts)
        found.append(
            Figure(
                f"{m.topic}: key facts on the first screen",
                f"{len(m.first_screen)} of {total} (lede-3: {len(m.lede_first_screen)})",
                "more than lede-3",
                m.beats_lede,
                peer,
            )
        )
        found.append(
            Figure(
                f"{m.topic}: key facts in the whole briefing",
                f"{len(m.whole)} of {total} in {m.screens} screens (lede-3: {len(m.lede_whole)})",
                peer="lede-3, all of it",
            )
        )
    first = sum(len(m.first_screen) for m in measured)
    lede_first = sum(len(m.lede_first_screen) for m in measured)
    facts = sum(len(m.facts) for m in measured)
    found.append(
        Figure(
            "all topics: key facts on the first screen",
            f"{first} of {facts} (lede-3: {lede_first})",
            "every topic more than lede-3",
            all(m.beats_lede for m in measured),
            peer,
        )
    )
    for name, label in DEFECTS.items():
        count = _total(measured, name)
        lede_count = _total(measured, name, lede=True)
        found.append(Figure(label, f"{count} (lede-3: {lede_count})", "0", count == 0, "lede-3"))
    count = _total(measured, "unterminated")
    lede_count = _total(measured, "unterminated", lede=True)
    found.append(Figure(UNTERMINATED, f"{count} (lede-3: {lede_count})", peer="lede-3"))
    return found


def table(measured: Sequence[TopicQuality]) -> str:
    """One row a topic: key facts on the first screen and in all, briefbot and lede-3."""
    rows = [
        ("topic", "facts", "1st screen", "lede-3 1st", "whole", "lede-3 all", "1st > lede-3?"),
    ]
    for m in measured:
        rows.append(
            (
                m.topic,
                str(len(m.facts)),
                str(len(m.first_screen)),
                str(len(m.lede_first_screen)),
                str(len(m.whole)),
                str(len(m.lede_whole)),
                "yes" if m.beats_lede else "no",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.append("")
    lines.append(f"{'defect, over all briefings':<62} briefbot  lede-3  goal 0?")
    for name, label in [*DEFECTS.items(), ("unterminated", UNTERMINATED)]:
        count, lede_count = _total(measured, name), _total(measured, name, lede=True)
        verdict = "" if name == "unterminated" else ("yes" if count == 0 else "no")
        lines.append(f"{label:<62} {count:>8}  {lede_count:>6}  {verdict}")
    return "\n".join(lines)


def details(measured: Sequence[TopicQuality], examples: int = 3) -> str:
    """The key facts each first screen misses, and a few examples of each defect."""
    lines = []
    for m in measured:
        missed = [f.label for f in m.facts if f not in m.first_screen]
        lines.append(f"{m.topic}: not on the first screen: {'; '.join(missed) or 'none'}")
    for field in fields(Defects):
        shown = [f"{m.topic}: {text}" for m in measured for text in getattr(m.defects, field.name)]
        if shown:
            lines.append(f"{field.name} ({len(shown)}), e.g.:")
            lines.extend(f"  {text[:150]}" for text in shown[:examples])
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="the figures as JSON, for the report")
    parser.add_argument("--quick", action="store_true", help="the same run (it takes a second)")
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG, help="catalog file")
    parser.add_argument("--seeds", type=Path, default=SEEDS, help="seeds, for lede-3")
    parser.add_argument("--examples", type=int, default=3, help="examples of each defect shown")
    return parser


def question_figures(catalog_path: Path = DEFAULT_CATALOG) -> tuple[list[Figure], list[str]]:
    """The reader's questions (tests/quality/questions.json): how many are answered right,
    and what is wrong with the others."""
    answers = Answers(load_catalog(catalog_path))
    verdicts = [judge(answers, q) for q in load_questions()]
    right = sum(v.right for v in verdicts)
    figure = Figure(
        "reader's questions answered right",
        f"{right} of {len(verdicts)}",
        "all",
        right == len(verdicts),
    )
    wrong = [f"{v.question.ask}: {'; '.join(v.problems)}" for v in verdicts if not v.right]
    return [figure], wrong


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    measured = measure(args.catalog, args.seeds)
    asked, wrong = question_figures(args.catalog)
    if args.json:
        show(figures(measured) + asked, as_json=True)
        return 0
    print(f"Key facts found, as of {TODAY:%d %b %Y} (tests/quality/key_facts.json)\n")
    print(table(measured))
    print()
    print(details(measured, args.examples))
    print()
    if wrong:
        print("Questions answered wrong:\n" + "\n".join(wrong) + "\n")
    show(figures(measured) + asked, as_json=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
