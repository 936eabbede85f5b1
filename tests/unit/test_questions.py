"""A reader's questions (tests/quality/questions.json) answered as a reader needs.

Each question was written from the seeds: people, organisations, places, numbers, events,
prices, dates, Spanish, typos and questions the catalog has nothing on. The suite reports
how many are answered right and requires every one (issue 18).
"""

from __future__ import annotations

import pytest

from bot.conversation.answers import Answers
from briefings.model import Catalog
from tests.quality.questions import ReaderQuestion, judge, load_questions

QUESTIONS = load_questions()
KINDS_WANTED = ("person", "organisation", "place", "number", "event", "price", "Spanish")


def test_the_question_set_covers_what_readers_ask() -> None:
    assert len(QUESTIONS) >= 30
    abouts = " ".join(q.about for q in QUESTIONS)
    for kind in (*KINDS_WANTED, "typo", "off-topic"):
        assert kind in abouts, kind
    assert {q.expect for q in QUESTIONS} == {"search", "topic", "nothing"}


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.ask)
def test_each_question_is_answered_right(catalog: Catalog, question: ReaderQuestion) -> None:
    verdict = judge(Answers(catalog), question)
    assert verdict.right, verdict.problems


def test_how_many_questions_are_answered_right(
    catalog: Catalog, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = Answers(catalog)
    verdicts = [judge(answers, q) for q in QUESTIONS]
    right = sum(v.right for v in verdicts)
    with capsys.disabled():
        print(f"\nreader's questions answered right: {right}/{len(verdicts)}")
    assert right == len(verdicts), [(v.question.ask, v.problems) for v in verdicts if not v.right]
