"""A reader's questions and what a right answer to each must contain (issue 18).

``questions.json`` next to this module was written by reading the seeds: people,
organisations, places, numbers, events, prices, dates, Spanish, typos and questions the
catalog has nothing on. :func:`judge` asks the bot's own ``Answers`` (as ``briefbot ask``
does) and says what is wrong with the answer, or nothing when it is right. Used by
tests/unit/test_questions.py and bench/quality.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.conversation.answers import Answers
from bot.conversation.render import to_plain
from bot.conversation.reply import Reply
from tests.quality.facts import fold

QUESTIONS = Path(__file__).with_name("questions.json")
# The day the questions are asked: after every listing in the seeds, so "next" is by rule.
ASKED = dt.datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))
CITATION = re.compile(r"\[\d+(?: ¶\d+)?\]")
# A date as an answer shows it: "2 Feb 2026", "Feb 2026", "2026", "sin fecha"/"undated".
_DATED = re.compile(r"· (?:\d{1,2} )?(?:[A-Za-z]{3} )?\d{4}$|· (?:undated|sin fecha)$")
HEADS = {"en": "What the sources say about", "es": "Lo que dicen las fuentes sobre"}
NOTHING = {"en": "I have nothing on", "es": "No tengo nada sobre"}
MAX_SENTENCES = 5


@dataclass(frozen=True)
class ReaderQuestion:
    ask: str
    about: str
    expect: str
    contains: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    lang: str = "en"
    answer_lang: str | None = None


@dataclass
class Verdict:
    question: ReaderQuestion
    problems: list[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        return not self.problems


def load_questions(path: Path = QUESTIONS) -> list[ReaderQuestion]:
    data = json.loads(path.read_text("utf-8"))
    return [
        ReaderQuestion(
            ask=q["ask"],
            about=q["about"],
            expect=q["expect"],
            contains=tuple(q.get("contains", ())),
            buttons=tuple(q.get("buttons", ())),
            lang=q.get("lang", "en"),
            answer_lang=q.get("answer_lang"),
        )
        for q in data["questions"]
    ]


def seen(reply: Reply) -> str:
    """What the reader sees: every message as plain text."""
    return "\n\n".join(to_plain(m) for m in reply.messages)


def found_parts(text: str) -> tuple[list[str], str]:
    """A search answer's found sentences (its bullets before the listings and sources),
    and its listings section ("" when it has none)."""
    body = re.split(r"\n(?:Sources|Fuentes)\n", text)[0]
    parts = re.split(r"\n(?:Listings|Eventos)\n", body, maxsplit=1)
    found = [line for line in parts[0].split("\n") if line.startswith("• ")]
    return found, parts[1] if len(parts) > 1 else ""


def judge(answers: Answers, question: ReaderQuestion, now: dt.datetime = ASKED) -> Verdict:
    """Ask as a reader would (free text), and list what the answer gets wrong."""
    reply = answers.free_text(question.ask, now=now, lang=question.lang)
    text = seen(reply)
    verdict = Verdict(question)
    lang = question.answer_lang or question.lang
    if question.expect == "search":
        if HEADS[lang] not in text:
            verdict.problems.append(f"not a search answer in {lang!r}")
        lines, listings = found_parts(text)
        if not (lines or listings) or len(lines) > MAX_SENTENCES:
            verdict.problems.append(f"{len(lines)} found sentences (1 to {MAX_SENTENCES} wanted)")
        for line in lines:
            if not CITATION.search(line) or not _DATED.search(line):
                verdict.problems.append(f"no citation or no date: {line[:60]}…")
        if listings and not CITATION.search(listings):
            verdict.problems.append("a listing without its citation")
    elif question.expect == "topic":
        if not reply.understood or HEADS["en"] in text or HEADS["es"] in text:
            verdict.problems.append("the topic's briefing did not open")
    elif question.expect == "nothing" and (reply.understood or NOTHING[lang] not in text):
        verdict.problems.append(f"not an honest nothing in {lang!r}")
    folded = fold(text)
    verdict.problems.extend(
        f"missing: {want}" for want in question.contains if fold(want) not in folded
    )
    labels = [fold(b.text) for row in reply.buttons for b in row]
    verdict.problems.extend(
        f"no button: {want}"
        for want in question.buttons
        if not any(fold(want) in b for b in labels)
    )
    return verdict
