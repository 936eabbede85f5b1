"""What a reader notices in each briefing: summary, figures, timeline, quotes, sources."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from briefings.model import Briefing, Catalog


def _briefing(catalog: Catalog, topic: str) -> Briefing:
    briefing = catalog.briefing(topic)
    assert briefing is not None, topic
    return briefing


@pytest.mark.parametrize(
    "topic", ["cuba", "missing", "events", "train", "security", "transfers", "carnival"]
)
def test_every_topic_has_a_sourced_two_to_four_sentence_summary(
    catalog: Catalog, topic: str
) -> None:
    briefing = _briefing(catalog, topic)
    assert 2 <= len(briefing.summary) <= 4
    assert len(briefing.summary_sources) == len(briefing.summary)
    for sentence in briefing.summary:
        assert sentence[0].isupper() and sentence.rstrip().endswith((".", "”", '"'))
    for a, b in zip(briefing.summary, briefing.summary[1:], strict=False):
        assert fuzz.token_set_ratio(a, b) < 72


def test_every_item_cites_a_real_paragraph(catalog: Catalog) -> None:
    known = {a.key for a in catalog.articles}
    for briefing in catalog.briefings:
        refs = [
            *briefing.summary_sources,
            *(f.source for f in briefing.facts),
            *(t.source for t in briefing.timeline),
            *(q.source for q in briefing.quotes),
            *(e.source for e in briefing.events),
        ]
        for ref in refs:
            assert f"{ref.document}#{ref.article}" in known
            assert ref.paragraph >= 1 and ref.line >= 1


def test_missing_registry_figures_say_what_they_count_and_as_of_when(catalog: Catalog) -> None:
    missing = _briefing(catalog, "missing")
    registry = next(s for s in missing.stories if s.date == "2025-03")
    assert "128,059 people as missing as of March 2025" in registry.headline
    shown = " ".join(
        [
            *(s.text for s in registry.lede),
            *(d.text for d in registry.details),
            *(f.text for f in registry.facts),
        ]
    )
    assert "More than 90% of cases" in shown and "15,300" in shown
    # the registry's sentence says what the headline (the photo caption) says: not twice
    assert "128,059" not in shown
    # one count once: "more than 125,000" (lede) and "128,059" are not both key figures
    values = [f.value for s in missing.stories for f in s.facts]
    assert "more than 125,000" not in values


def test_cuba_history_is_background_not_news(catalog: Catalog) -> None:
    cuba = _briefing(catalog, "cuba")
    history = [e for e in cuba.timeline if e.date < "2025"]
    years = [int(entry.date[:4]) for entry in history]
    assert years == sorted(years) and years[0] == 1836
    assert "Santa María–Calatrava Treaty" in history[0].text
    assert cuba.background and all("Moreover" not in s.text for s in cuba.background)
    # the news's own dated happenings are in the timeline too, resolved from the weekday
    assert any(e.date == "2026-01-29" and "executive order" in e.text for e in cuba.timeline)
    # ... and only happenings: "The Mexican president's stance introduces …, following a
    # call last Thursday" is not what happened on 29 Jan, nor a sentence that stands alone
    assert all("stance" not in e.text for e in cuba.timeline)


def test_quotes_name_their_speakers_with_roles(catalog: Catalog) -> None:
    quotes = {q.speaker: q for b in catalog.briefings for s in b.stories for q in s.quotes}
    assert quotes["Claudia Sheinbaum"].role == "President"
    assert quotes["Clara Brugada"].role == "Mexico City Mayor"
    assert quotes["Nathalie Desplas Puel"].role == "Deputy Tourism Minister"
    assert quotes["María Salazar"].role == "wife of missing geologist Ignacio Aurelio Salazar"
    assert "Estrella Palacios Domínguez" in quotes


def test_as_of_is_the_newest_date_the_sources_support(catalog: Catalog) -> None:
    assert _briefing(catalog, "cuba").as_of == "2026-02-02"
    assert _briefing(catalog, "transfers").as_of == "2026-01-26"
    for briefing in catalog.briefings:
        assert briefing.as_of is not None and briefing.as_of.startswith("2026")


def test_cuba_leads_with_the_reported_news_of_seed_001(catalog: Catalog) -> None:
    """Trump's order, Pemex's cancelled shipment, Sheinbaum's denial and the Navy's aid."""
    cuba = _briefing(catalog, "cuba")
    story = cuba.stories[0]
    assert story.articles[0] == "001_a482a83a0f983083.txt#6"  # reported, named sources
    assert "002_8f98b7c76cfd8295.txt#1" in story.articles  # the same events, one story
    assert story.date == "2026-02-02" and cuba.news_to == "2026-02-02"
    assert cuba.headline.startswith("Sheinbaum asserts she has never spoken to Trump")
    assert cuba.summary[0].startswith("President Claudia Sheinbaum on Sunday ⟦2026-02-01⟧ denied")
    told = " ".join(
        [
            *(s.text for s in story.lede),
            *(s.text for s in story.details),
            *(e.text for e in story.dates),
        ]
    )
    assert "Pemex, canceled plans" in told and "executive order" in told


def test_train_figures(catalog: Catalog) -> None:
    train = _briefing(catalog, "train").stories[0]
    lede = " ".join(s.text for s in train.lede)
    assert "141 billion-peso investment" in lede and "45 minutes for 90 pesos" in lede
    assert any("58-kilometer-long" in s.text for s in train.details)


def test_news_that_gives_only_its_year_is_bounded_by_the_listings_it_announces(
    catalog: Catalog,
) -> None:
    """The carnival article says "scheduled for Feb. 12-17" but not when it was written:
    it was written before 12 Feb 2026, which is all a reader needs to judge its age."""
    assert _briefing(catalog, "carnival").news_to == "2026"
    assert _briefing(catalog, "carnival").news_before == "2026-02-12"
    # the Guadalajara guide (from 29 Jan) and the carnival: the newest is as late as 12 Feb
    assert _briefing(catalog, "events").news_before == "2026-02-12"
    # news dated by the day needs no bound
    assert _briefing(catalog, "cuba").news_before is None


def test_she_said_means_the_person_acting_right_before_never_a_far_speaker(
    catalog: Catalog,
) -> None:
    """ "Sheinbaum lauded the investment. / “It is not only a train …,” she said" is hers;
    "he stated" six paragraphs after the lawyer's quote is not the lawyer's."""
    quotes = [q for b in catalog.briefings for s in b.stories for q in s.quotes]
    train = [q for q in _briefing(catalog, "train").stories[0].quotes]
    assert any(q.text.startswith("It is not only a train") for q in train)
    assert next(q for q in train if "not only a train" in q.text).speaker.endswith("Sheinbaum")
    lawyer = [q for q in quotes if q.speaker == "Yarey Sánchez Lagunas"]
    assert lawyer and all("not an extradition law" not in q.text for q in lawyer)
    assert any("significant pressure from the United States" in q.text for q in lawyer)
    # "Sheinbaum outlined Mexico's plan. “We are already doing …,” she stated": not Trump's
    assert all(
        q.speaker != "Donald Trump" for q in quotes if "humanitarian aid that the Cuban" in q.text
    )


def test_a_quoted_speaker_is_not_heard_again_in_a_detail_reporting_them(
    catalog: Catalog,
) -> None:
    """Brugada's own words are quoted: "Mayor Clara Brugada said that …" is not a detail."""
    for briefing in catalog.briefings:
        for story in briefing.stories:
            for quote in story.quotes:
                surname = quote.speaker.split()[-1]
                for detail in story.details:
                    assert f"{surname} said" not in detail.text, (briefing.topic, detail.text)


def test_a_lede_is_told_in_the_order_its_reporter_wrote_it(catalog: Catalog) -> None:
    """ "In the state with the highest number of missing persons, the collective …" needs
    "a collective in the state of Jalisco" (the paragraph before it) to be told first."""
    for briefing in catalog.briefings:
        for story in briefing.stories:
            lead = story.articles[0]
            mine = [
                s.source for s in story.lede if f"{s.source.document}#{s.source.article}" == lead
            ]
            assert mine == sorted(mine, key=lambda ref: ref.paragraph), briefing.topic
    missing = _briefing(catalog, "missing")
    registry = next(s for s in missing.stories if "Registry" in s.headline)
    assert registry.lede[0].text.startswith("Turning to artificial intelligence")


def test_news_in_a_clause_with_an_unresolvable_date_still_reaches_the_reader(
    catalog: Catalog,
) -> None:
    """ "Since February 2025, Mexico has sent 92 people … — the most recent transfer having
    occurred just two weeks ago": the article's day is unknown, so the clause goes and the
    count stays; a sentence naming no one new does not end the details either."""
    transfers = _briefing(catalog, "transfers").stories[0]
    told = [s.text for s in (*transfers.lede, *transfers.details)]
    assert (
        "Since February 2025, Mexico has sent 92 people linked to organized crime to face "
        "trial in the U.S." in told
    )
    assert all("two weeks ago" not in text for text in told)
    cuba = _briefing(catalog, "cuba").stories[0]
    assert any("national emergency concerning Cuba" in s.text for s in cuba.details)


def test_the_colima_murders_are_told_where_they_happened_without_an_unknown_day(
    catalog: Catalog,
) -> None:
    """The article never says which Saturday: the news is told without the day."""
    colima = next(s for s in _briefing(catalog, "security").stories if "Colima" in s.lede[0].text)
    assert colima.lede[0].text.startswith("An aunt and cousin of federal Education Minister")
    told = " ".join(s.text for s in (*colima.lede, *colima.details))
    assert "Saturday" not in told
    # "Three people …" counts as much as "3 people": the suspects' deaths are in the top two
    assert "were shot dead by police" in " ".join(s.text for s in colima.lede[:2])
    # ... and told once: "They returned fire and “three aggressors” were killed" adds nothing
    assert "three aggressors" not in told


def test_a_standing_count_is_not_a_key_figure_of_the_news(catalog: Catalog) -> None:
    """ "Mexico has more than 2,400 municipalities." sets a homicide rate in context; it is
    not a figure of the Colima murders."""
    values = [f.value for b in catalog.briefings for s in b.stories for f in s.facts]
    assert "more than 2,400" not in values
    assert "87%" in values and "3,000" in values
