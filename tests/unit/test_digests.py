"""Digest content and the /subscribe one-liner, without Telegram."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.conversation.render import to_plain
from bot.digests.compose import Previous, Subject, compose_digest
from bot.digests.schedule import Cadence
from bot.subscriptions.replies import Partial
from bot.subscriptions.requests import SubscribeError, checked_partial, parse_request
from briefings.model import Catalog
from tests.conftest import FEB_FIRST, TODAY


def _plain(catalog: Catalog, subject: Subject, now: dt.datetime, **kwargs: object) -> str:
    options: dict = {"cadence": "monthly", "lang": "en", "previous": None, **kwargs}
    digest = compose_digest(catalog, subject, now=now, **options)
    return "\n".join(to_plain(m) for m in digest.messages)


def test_every_digest_message_fits_telegram(catalog: Catalog) -> None:
    for topic in catalog.topics:
        for lang in ("en", "es"):
            digest = compose_digest(
                catalog, Subject(topic.id), cadence="daily", now=TODAY, lang=lang, previous=None
            )
            assert digest.messages and all(len(to_plain(m)) <= 4096 for m in digest.messages)


def test_first_of_february_lists_february_and_nothing_else(catalog: Catalog) -> None:
    text = _plain(catalog, Subject("events", "guadalajara"), FEB_FIRST)
    assert "Listings from 1 Feb 2026 to 28 Feb 2026" in text
    assert text.count("• ") == 5 and "Mazatl" not in text


def test_today_says_which_month_the_newest_listings_are_from(catalog: Catalog) -> None:
    text = _plain(catalog, Subject("events", "guadalajara"), TODAY)
    assert "Nothing is listed in Guadalajara between 25 Nov 2026 and 24 Dec 2026" in text
    assert "from Feb 2026: 5 listings, all past" in text
    assert "Sat 5 Dec 2026, 19:00" in text


def test_a_digest_leads_with_what_changed_or_says_nothing_did(catalog: Catalog) -> None:
    first = compose_digest(
        catalog, Subject("missing"), cadence="daily", now=TODAY, lang="en", previous=None
    )
    assert "Your first digest" in to_plain(first.messages[0])
    yesterday = TODAY - dt.timedelta(days=1)
    same = Previous(yesterday, first.keys)
    text = _plain(catalog, Subject("missing"), TODAY, cadence="daily", previous=same)
    assert "Nothing new since your last digest (Tue 24 Nov 2026, 12:00)" in text
    one_missing = Previous(yesterday, frozenset(sorted(first.keys)[1:]))
    text = _plain(catalog, Subject("missing"), TODAY, cadence="daily", previous=one_missing)
    assert "New since your last digest" in text and text.count("\n• ") >= 1


def test_subjects_round_trip_through_storage() -> None:
    for subject in (Subject("cuba"), Subject("events"), Subject("events", "guadalajara")):
        assert Subject.from_what(subject.what) == subject


@pytest.mark.parametrize(
    ("line", "what", "cadence", "at"),
    [
        ("events guadalajara monthly 09:00", "events:guadalajara", Cadence("monthly", 1), "09:00"),
        ("cuba daily 07:30", "cuba", Cadence("daily"), "07:30"),
        ("missing weekly mon 08:00", "missing", Cadence("weekly", 0), "08:00"),
        ("desaparecidos semanal viernes 18:00", "missing", Cadence("weekly", 4), "18:00"),
        ("cubaa every day 7am", "cuba", Cadence("daily"), "07:00"),
        ("events zapopan monthly 15 9:30", "events:zapopan", Cadence("monthly", 15), "09:30"),
    ],
)
def test_one_line_requests(
    catalog: Catalog, line: str, what: str, cadence: Cadence, at: str
) -> None:
    request = parse_request(catalog, line, TODAY)
    assert request.subject is not None and request.subject.what == what
    assert request.cadence == cadence
    assert request.at is not None and request.at.strftime("%H:%M") == at


def test_missing_parts_are_left_for_the_guided_steps(catalog: Catalog) -> None:
    assert parse_request(catalog, "", TODAY).subject is None
    request = parse_request(catalog, "cuba", TODAY)
    assert request.subject == Subject("cuba") and request.cadence is None
    request = parse_request(catalog, "cuba weekly tue", TODAY)
    assert request.cadence == Cadence("weekly", 1) and request.at is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("bananas daily 07:30", "I don't know the topic"),
        ("cuba daily 25:00", "not a time of day"),
        ("cuba fortnightly 07:30", "How often?"),
        ("cuba monthly 32 09:00", "There is no day 32"),
        ("@bad! cuba daily 07:00", "not a channel username"),
        ("events atlantis monthly 09:00", "atlantis"),
        ("cuba daily 07:30 08:00", "as a schedule but not"),
    ],
)
def test_bad_requests_say_what_was_expected(catalog: Catalog, line: str, expected: str) -> None:
    with pytest.raises(SubscribeError) as raised:
        parse_request(catalog, line, TODAY)
    assert expected in str(raised.value)
    assert raised.value.text("es") != str(raised.value)  # and in Spanish too


def test_guided_progress_fits_in_callback_data(catalog: Catalog) -> None:
    partial = Partial("events:guadalajara", "weekly", 6, "23:45")
    assert Partial.decode(partial.encode()) == partial
    for junk in ("cuba.z", "cuba.d.99", "cuba.d.0.9", "a.b.c.d.e"):
        assert Partial.decode(junk) is None
    # A time of the right shape that is no time is refused by the rules a typed line meets.
    shaped = Partial.decode("cuba.d.0.2599")
    assert shaped is not None
    with pytest.raises(SubscribeError):
        checked_partial(catalog, shaped, TODAY)


def test_a_city_keeps_the_listings_spelling(catalog: Catalog) -> None:
    assert Subject("events", "mazatlan").title(catalog, "en") == "Mazatlán listings"
    assert Subject("events", "guadalajara").title(catalog, "es") == "Cartelera de Guadalajara"


def test_the_spanish_time_prompt_names_the_cadence_whole(catalog: Catalog) -> None:
    from bot.subscriptions.replies import guided_step

    step = guided_step(
        catalog, Partial("cuba", "weekly", 0), zone="America/Mexico_City", lang="es", edit=True
    )
    prompt = to_plain(step.messages[0])
    assert "cada lunes — ¿a qué hora?" in prompt


@pytest.mark.parametrize(
    "line", ["cuba daily at 07:30", "cuba todos los días 7:30", "cuba diario a las 07:30"]
)
def test_cadences_with_little_words(catalog: Catalog, line: str) -> None:
    request = parse_request(catalog, line, TODAY)
    assert request.cadence == Cadence("daily")
    assert request.at is not None and request.at.strftime("%H:%M") == "07:30"


def test_readers_whose_last_digests_went_out_the_same_minute_share_one_composed_digest(
    catalog: Catalog,
) -> None:
    """A fan-out's second day: the ledger's sent_at differs by milliseconds between readers,
    but the digest shows it to the minute, so one composition serves them all."""
    from telegram import Bot

    from bot.clock import FixedClock
    from bot.digests.delivery import DigestDelivery
    from bot.digests.sender import DigestSender
    from bot.store import ChatRecord, Delivery, Subscription

    async def nothing(*_: int) -> None:
        return None

    delivery = DigestDelivery(
        DigestSender(Bot("1:fake"), catalog),
        None,  # type: ignore[arg-type]  # composing never touches the store
        catalog,
        FixedClock(TODAY),
        default_zone="America/Mexico_City",
        owner="test",
        on_chat_gone=nothing,
        on_chat_moved=nothing,
    )
    chat = ChatRecord(1, "private", None, None, "en", None, None, True, None)
    subscription = Subscription(1, 1, "security", "daily", 0, "08:00", False, 1, TODAY)
    sent = TODAY.replace(hour=8, minute=0, second=3)

    def last(at: dt.datetime) -> Delivery:
        keys = frozenset({"fact:1"})
        return Delivery(1, "2026-11-24", "sent", 1, at, at, (7,), None, "v1", keys)

    first = delivery.compose(subscription, chat, previous_sent=last(sent))
    twin = delivery.compose(
        subscription, chat, previous_sent=last(sent + dt.timedelta(milliseconds=431))
    )
    later = delivery.compose(
        subscription, chat, previous_sent=last(sent + dt.timedelta(minutes=1))
    )
    assert twin is first
    assert later is not first
