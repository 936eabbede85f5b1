"""One place renders every reply: escaped, split under Telegram's limit, never mid-tag."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.conversation.render import (
    MESSAGE_LIMIT,
    Citations,
    escape,
    event_is_over,
    events_preamble,
    format_date,
    format_moment,
    listing_note,
    next_by_rule,
    render_briefing,
    render_event,
    split_message,
    to_plain,
    utf16_len,
)
from briefings.model import Catalog, Event, Occurrence, SourceRef
from tests.conftest import FEB_FIRST, MEXICO_CITY, TODAY

_TAG = re.compile(r"</?(b|i|code)>")


def _balanced(message: str) -> bool:
    stack: list[str] = []
    for match in _TAG.finditer(message):
        tag = match.group(1)
        if match.group(0).startswith("</"):
            if not stack or stack.pop() != tag:
                return False
        else:
            stack.append(tag)
    return not stack


def _entities_whole(message: str) -> bool:
    return all(re.match(r"&(amp|lt|gt|quot);", message[i:]) for i in _ampersands(message))


def _ampersands(message: str) -> list[int]:
    return [m.start() for m in re.finditer("&", message)]


def test_escape_makes_source_text_safe() -> None:
    assert escape("Fish & <Chips>") == "Fish &amp; &lt;Chips&gt;"
    assert to_plain("<b>Fish &amp; &lt;Chips&gt;</b>") == "Fish & <Chips>"


def test_utf16_counts_emoji_twice() -> None:
    assert utf16_len("🛢️a") == 4  # U+1F6E2 is two units, U+FE0F one, "a" one


def test_every_briefing_splits_into_valid_messages(catalog: Catalog) -> None:
    for briefing in catalog.briefings:
        messages = split_message(render_briefing(catalog, briefing, now=TODAY))
        for message in messages:
            assert 0 < utf16_len(message) <= MESSAGE_LIMIT
            assert _balanced(message) and _entities_whole(message)


@pytest.mark.parametrize("limit", [40, 100, 4096])
def test_oversized_blocks_are_cut_between_words_not_inside_entities(limit: int) -> None:
    block = "<b>Head</b>\n" + " ".join(["R&amp;D 🛢️ costs &lt;more&gt;"] * 400)
    messages = split_message([block, "<i>tail</i>"], limit=limit)
    assert all(utf16_len(m) <= limit for m in messages)
    assert all(_balanced(m) and _entities_whole(m) for m in messages)
    assert to_plain("".join(messages)).replace(" ", "").replace("\n", "") == to_plain(
        block + "<i>tail</i>"
    ).replace(" ", "").replace("\n", "")


def test_blocks_are_never_split_when_they_fit() -> None:
    blocks = ["a" * 3000, "b" * 1200, "c" * 100]
    assert split_message(blocks) == ["a" * 3000, "b" * 1200 + "\n\n" + "c" * 100]


def _event(start: str, end: str | None = None, rrule: str | None = None) -> Event:
    return Event(
        id="e",
        title="Test <event> & co",
        city="Guadalajara",
        area="Guadalajara",
        venue="Teatro",
        address=None,
        start=start,
        end=end,
        occurrences=(Occurrence(start, end if end and "T" in end else None),),
        timezone="America/Mexico_City",
        source=SourceRef("x.txt", 1, 1, 1),
        rrule=rrule,
    )


def test_an_event_is_over_only_after_it_ends_in_its_own_zone() -> None:
    event = _event("2026-02-17T20:30", "2026-02-17T23:00")
    assert not event_is_over(event, dt.datetime(2026, 2, 17, 22, 59, tzinfo=MEXICO_CITY))
    assert event_is_over(event, dt.datetime(2026, 2, 17, 23, 0, tzinfo=MEXICO_CITY))
    all_day = _event("2026-02-01")
    assert not event_is_over(all_day, dt.datetime(2026, 2, 1, 23, 59, tzinfo=MEXICO_CITY))
    assert event_is_over(all_day, dt.datetime(2026, 2, 2, 0, 0, tzinfo=MEXICO_CITY))


def test_recurring_event_gives_its_next_date_after_now() -> None:
    event = _event("2026-02-07T19:00", "2026-02-07T23:00", "FREQ=MONTHLY;BYDAY=1SA")
    following = next_by_rule(event, TODAY)
    assert following is not None and following.isoformat() == "2026-12-05T19:00:00-06:00"
    first = next_by_rule(event, FEB_FIRST)
    assert first is not None and first.date() == dt.date(2026, 2, 7)


def test_event_text_is_escaped(catalog: Catalog) -> None:
    from bot.conversation.render import render_event

    html = render_event(_event("2026-02-17T20:30"), now=TODAY, lang="en", cite=None)
    assert "Test &lt;event&gt; &amp; co" in html and "(past)" in html


def test_dates_are_written_with_the_readers_month_and_day_names() -> None:
    """The names come from bot/texts (every word the bot says lives there), not render.py."""
    moment = dt.datetime(2026, 2, 2, 9, 30, tzinfo=MEXICO_CITY)  # a Monday
    assert format_moment(moment, "en") == "Mon 2 Feb 2026, 09:30"
    assert format_moment(moment, "es") == "lun 2 feb 2026, 09:30"
    assert format_date("2025-01", "es") == "ene 2025" and format_date("1836", "es") == "1836"
    assert listing_note("Open Tue–Sun, 10:00–18:00", "es") == "Abierto mar–dom, 10:00–18:00"


def test_the_sources_page_names_untitled_articles_readably(catalog: Catalog) -> None:
    """No source is named by a first sentence cut mid-clause ("…spoken to … about…")."""
    cite = Citations(catalog)
    for info in catalog.articles:
        cite.mark(SourceRef(info.document, info.number, 1, info.line))
    lines = to_plain(cite.block("en")).split("\n")[1:]
    assert len(lines) == len(catalog.articles)
    for line in lines:
        name = line.split("] ", 1)[1].split(" · ")[0]
        assert name == "untitled article" or (name[0] == "“" and name[-1] == "”"), line
        assert "…" not in name, line  # whole, or cut where a clause ends
    shown = "\n".join(lines)
    # an untitled article goes by its one heading, not its lede's first words
    assert "“Sheinbaum asserts she has never spoken to Trump about oil shipments to Cuba”" in shown
    assert "“President Claudia Sheinbaum on Sunday denied" not in shown
    # "who disappeared last month…": a relative date names nothing; the outlet and date do
    assert "untitled article · no byline or outlet in the text · photo: @Defensamx1/X" in shown
    assert "2 Feb 2026 (date inferred)" in shown and "2 Feb 2026 (year inferred)" not in shown
    spanish = to_plain(cite.block("es"))
    assert "artículo sin título" in spanish and "(fecha inferida)" in spanish


def test_a_key_figure_reads_as_a_figure_with_a_short_label(catalog: Catalog) -> None:
    """ "87% hotel occupancy — <its sentence>", never "87% — <a whole sentence>" alone."""
    shown = {
        b.topic: to_plain("\n\n".join(render_briefing(catalog, b, now=TODAY)))
        for b in catalog.briefings
    }
    assert "• 87% hotel occupancy — State officials estimate" in shown["carnival"]
    assert "• 3,000 personnel — A special security operation" in shown["carnival"]
    # what the figure counts, not the verb after it; the sentence starting so is bolded
    assert "• More than 90% of cases have been recorded since 2006" in shown["missing"]
    assert "More than 90% — More than 90%" not in shown["missing"]
    # "the initial US $1.67 billion estimate" is an initial estimate, not the final price
    assert "• US $1.67 billion initial estimate — The final price tag" in shown["train"]
    for text in shown.values():
        for line in text.splitlines():
            figure = re.match(r"• (?:more than |over |nearly )?[\d$US ,.%]+\d%? — ", line)
            year = re.match(r"• (?:1[5-9]|20)\d\d — ", line)  # a timeline's year
            assert figure is None or year is not None, f"a figure with no label: {line}"


def test_past_listings_say_their_months_as_a_span_in_the_readers_language(
    catalog: Catalog,
) -> None:
    events = catalog.briefing("events")
    assert events is not None
    december = dt.datetime(2026, 12, 2, 9, 0, tzinfo=MEXICO_CITY)
    assert "from Jan – Mar 2026;" in events_preamble(events.events, now=december, lang="en")
    spanish = events_preamble(events.events, now=december, lang="es")
    assert "es de ene al mar 2026;" in spanish and "–" not in spanish


def test_a_listing_without_a_price_says_so(catalog: Catalog) -> None:
    """ "Mazatlán" alone leaves the reader asking whether it costs anything."""
    carnival = catalog.briefing("carnival")
    assert carnival is not None
    event = carnival.events[0]
    assert event.price is None
    assert "Mazatlán · price not given" in to_plain(
        render_event(event, now=TODAY, lang="en", cite=None)
    )
    assert "precio no indicado" in to_plain(render_event(event, now=TODAY, lang="es", cite=None))
