"""The quality instrument: key facts true to the seeds, detectors that catch what they name.

The briefings are measured, not judged, here: bench/quality.py prints how far they are
from the goals (issue 17, point 8), and these tests keep its yardstick straight.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench import quality
from bench.report import Figure
from briefings.topics import load_registry
from tests.conftest import SEEDS
from tests.quality.checks import (
    briefing_defects,
    cut_mid_clause,
    dangling_opener,
    file_name_sources,
    repeated_sentences,
    shown_sentences,
    unresolved_relative_dates,
    unterminated,
)
from tests.quality.facts import REGEX_PREFIX, KeyFact, facts_found, fold, load_key_facts

FACTS = load_key_facts()
ALL_FACTS = [fact for rows in FACTS.values() for fact in rows]
SEED_TEXT = "\n".join(path.read_text("utf-8") for path in sorted(Path(SEEDS).glob("*.txt")))


# --- the key facts --------------------------------------------------------------------


def test_every_topic_has_the_facts_an_editor_leads_with() -> None:
    topics = {t.id for t in load_registry().all} - {"more"}
    assert set(FACTS) == topics
    for topic, rows in FACTS.items():
        assert 6 <= len(rows) <= 12, topic
        labels = [fact.label for fact in rows]
        assert len(set(labels)) == len(labels), topic


@pytest.mark.parametrize("fact", ALL_FACTS, ids=lambda f: f"{f.topic}: {f.label}")
def test_every_pattern_is_valid_for_folded_text(fact: KeyFact) -> None:
    assert fact.patterns
    for pattern in fact.patterns:
        body = pattern.removeprefix(REGEX_PREFIX)
        assert body.strip() and re.compile(body)
        if pattern.startswith(REGEX_PREFIX):  # folded text has no capitals or accents
            assert fold(body) == body, pattern


@pytest.mark.parametrize("fact", ALL_FACTS, ids=lambda f: f"{f.topic}: {f.label}")
def test_every_fact_is_in_the_seeds(fact: KeyFact) -> None:
    """A fact the seeds do not say is a wrong fact."""
    assert facts_found(SEED_TEXT, [fact]) == [fact]


def test_a_fact_is_found_whatever_the_accents_quotes_dashes_and_case() -> None:
    occupancy = KeyFact("carnival", "hotel occupancy 87%", ("87%",))
    performers = KeyFact("carnival", "performers", ("eden munoz",))
    denial = KeyFact("cuba", "denial", ("re:(hasn't|never) (discussed|spoken)",))
    text = "Occupancy will reach 87 % — with ÉDEN MUÑOZ. She hasn’t discussed it."
    assert facts_found(text, [occupancy, performers, denial]) == [occupancy, performers, denial]
    assert facts_found("Occupancy will reach 78%, with Belinda.", [occupancy, performers]) == []


def test_the_fact_list_is_plain_data_with_its_reading_explained() -> None:
    data = json.loads((Path(quality.ROOT) / "tests/quality/key_facts.json").read_text("utf-8"))
    assert "folded" in data["about"] and set(data["topics"]) == set(FACTS)


# --- the detectors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Moreover, the National Action Party candidate won in 2000.",
        "It was only 30 years later, when the two countries signed the 1934 Treaty.",
        "Examples include hosting Osvaldo Dorticós for a state visit in 1960.",
        "He said the investigation was underway.",
        "This cell has been waging a violent campaign for more than two months.",
        "However, Sheinbaum asserted that the decision was not influenced by pressure.",
        "They also say they are more prone to digital extortion.",
        "In another, an image of Yordi Alejandro Cárdenas Flores says he was 21.",
    ],
)
def test_a_sentence_leaning_on_an_unseen_one_is_a_dangling_opener(sentence: str) -> None:
    assert dangling_opener(sentence) is not None
    assert dangling_opener(sentence, previous="The sentence shown right before it.") is None


@pytest.mark.parametrize(
    "sentence",
    [
        "President Claudia Sheinbaum denied that she had spoken to Trump about oil.",
        "Thereafter the line was extended.",
        "Theirs was the first collective to do so.",
        "“They just tell us they haven't heard anything,” said María Salazar.",
        "Italy sent no delegation.",
    ],
)
def test_a_sentence_that_stands_alone_has_no_dangling_opener(sentence: str) -> None:
    assert dangling_opener(sentence) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Batista's 1939 return visit used parades, ceremonies and nationalist speeches to…",
        "with 48.4 kilometers of elevated viaduct, 4.9...",
        "Sheinbaum lauded the 141 billion-peso investment (US",
        "The first time was in response to the",
        "The completed line features seven stations:",
    ],
)
def test_a_sentence_cut_mid_clause_is_caught(sentence: str) -> None:
    assert cut_mid_clause(sentence) is not None


@pytest.mark.parametrize(
    "sentence",
    [
        "The long-awaited train is now fully operational.",
        "“It is a tool for territorial justice.”",
        "Spain recognized Mexico’s independence in 1836 with the Santa María–Calatrava Treaty",
        "Tickets start at 400 pesos (not including fees).",
    ],
)
def test_a_whole_sentence_is_not_cut(sentence: str) -> None:
    assert cut_mid_clause(sentence) is None


def test_a_sentence_without_its_full_stop_is_unterminated_not_cut() -> None:
    assert unterminated("Spain recognized Mexico’s independence in 1836")
    assert not unterminated("Spain recognized Mexico’s independence in 1836.")
    assert not unterminated("“We never spoke with President Trump about it.”")


@pytest.mark.parametrize(
    ("sentence", "relative"),
    [
        ("Sheinbaum on Sunday denied that she had spoken to Trump.", "on Sunday"),
        ("The workers who disappeared last month in the Concordia mountains.", "last month"),
        ("The most recent transfer occurred just two weeks ago.", "just two weeks ago"),
        ("Two women were murdered on Saturday morning in Colima.", "on Saturday morning"),
        ("“The deployment adds 1,190 people,” he wrote yesterday.", "yesterday"),
        ("Desplas said at Thursday's presentation.", "Thursday's"),
    ],
)
def test_a_relative_date_without_an_absolute_one_is_caught(sentence: str, relative: str) -> None:
    assert unresolved_relative_dates(sentence) == [relative]


@pytest.mark.parametrize(
    "sentence",
    [
        "Sheinbaum on Sunday [1 Feb 2026] denied that she had spoken to Trump.",
        "The workers who disappeared last month [January 2026] in the Concordia mountains.",
        "The operation was reinforced on Sunday, Feb. 1.",
        "La Vía RecreActiva Nocturna runs every first Saturday of the month.",
        "The daytime rides are held every Sunday from 8 a.m. to 2 p.m.",
        "MAZ is open Tue–Sun, 10:00–18:00.",
    ],
)
def test_an_absolute_or_recurring_date_is_not_relative(sentence: str) -> None:
    assert unresolved_relative_dates(sentence) == []


def test_file_names_are_caught_and_outlets_are_not() -> None:
    text = "[1] 002_8f98b7c76cfd8295.txt, article 1 — Mexico Defies U.S. Pressure (2 Feb 2026)"
    assert file_name_sources(text) == ["002_8f98b7c76cfd8295.txt"]
    assert file_name_sources("[1] Mexico News Daily · Emily Carter · 2 Feb 2026 · U.S.") == []


def test_a_sentence_shown_twice_or_cut_from_one_shown_is_a_repeat() -> None:
    whole = "Sheinbaum lauded the 141 billion-peso investment at the Vasco de Quiroga station."
    cut = "Sheinbaum lauded the 141 billion-peso investment at the Vasco de…"
    assert repeated_sentences([whole, "Another sentence.", whole]) == [
        repeated_sentences([whole, whole])[0]
    ]
    assert len(repeated_sentences([whole, cut])) == 1
    assert repeated_sentences([whole, "Sheinbaum lauded it."]) == []


SUMMARY = (
    "Sheinbaum announced aid over the weekend. [1 ¶3] She spoke in Guaymas. [1 ¶3] "
    "This followed last month's seizure. [2 ¶4]"
)
SCREEN = f"""Cuba–Mexico relations
Mexico Defies U.S. Pressure
As of 2 Feb 2026 · 4 articles

{SUMMARY}

Key figures
• 71-year rule — Moreover, Fox's win in 2000 marked the end of the PRI’s 71-year rule [3 ¶35]

Quotes
• “This is outrageous.” — Rep. Mark Johnson [1 ¶12]

Listings
• Jazz Room — Sun 1 Feb 2026 (past)
  Escénik Teatro Bar, Zapopan · from 400 MXN · year inferred [4 ¶40]"""


def test_the_shown_sentences_are_the_cited_ones_with_their_context() -> None:
    shown = shown_sentences(SCREEN)
    assert [s.text for s in shown] == [
        "Sheinbaum announced aid over the weekend.",
        "She spoke in Guaymas.",
        "This followed last month's seizure.",
        "Moreover, Fox's win in 2000 marked the end of the PRI’s 71-year rule",
        "“This is outrageous.”",
    ]
    assert shown[1].follows == shown[0].text  # same paragraph: "She" has her antecedent
    assert shown[2].follows is None and shown[4].quote


def test_a_briefings_defects_are_counted_from_its_screens_and_sources() -> None:
    defects = briefing_defects([SCREEN], "[1] 002_8f98b7c76cfd8295.txt, article 1")
    assert defects.openers == [
        "This followed last month's seizure.",
        "Moreover, Fox's win in 2000 marked the end of the PRI’s 71-year rule",
    ]
    assert defects.relative_dates == ["last month: This followed last month's seizure."]
    assert defects.file_names == ["002_8f98b7c76cfd8295.txt"]
    assert defects.repeats == [] and defects.cut == []
    assert len(defects.unterminated) == 1


# --- the bench ------------------------------------------------------------------------


def test_lede3_is_the_first_three_body_sentences_of_each_article() -> None:
    articles = quality.seed_articles(Path(SEEDS))
    train = next(a for a in articles.values() if "Insurgente" in a.body)
    lede = quality.lede(train)
    assert len(lede) == 3
    assert lede[0].startswith("The long-awaited interurban train linking Toluca")


def test_the_bench_prints_every_topic_against_lede3(capsys: pytest.CaptureFixture[str]) -> None:
    assert quality.main([]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("topic"))
    assert header.split() == [
        "topic",
        "facts",
        "1st",
        "screen",
        "lede-3",
        "1st",
        "whole",
        "lede-3",
        "all",
        "1st",
        ">",
        "lede-3?",
    ]
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.split()}
    for topic, facts in FACTS.items():
        assert rows[topic][1] == str(len(facts)) and rows[topic][-1] in {"yes", "no"}
    for label in quality.DEFECTS.values():
        assert label in out


def test_the_bench_gives_the_report_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert quality.main(["--json", "--quick"]) == 0
    figures = [Figure(**row) for row in json.loads(capsys.readouterr().out.splitlines()[-1])]
    names = {f.name for f in figures}
    assert {f"{topic}: key facts on the first screen" for topic in FACTS} <= names
    assert {label for label in quality.DEFECTS.values()} <= names
    assert all(f.met is not None for f in figures if f.name in quality.DEFECTS.values())


def _measured(first: int, lede_first: int, repeats: int) -> quality.TopicQuality:
    facts = FACTS["train"]
    clean = briefing_defects([])
    defects = briefing_defects(["The train runs. [1 ¶2] The train runs. [2 ¶3]"] * (repeats > 0))
    return quality.TopicQuality(
        "train", facts, facts[:first], facts, facts[:lede_first], facts, 1, defects, clean
    )


def test_the_goals_are_judged_against_lede3_and_zero_defects() -> None:
    good = {f.name: f.met for f in quality.figures([_measured(5, 4, 0)])}
    bad = {f.name: f.met for f in quality.figures([_measured(4, 4, 1)])}
    first, repeats = "train: key facts on the first screen", quality.DEFECTS["repeats"]
    assert (good[first], good[repeats]) == (True, True)
    assert (bad[first], bad[repeats]) == (False, False)
