"""Every way of asking, end to end: the real Application over HTTP to the local Bot API.

Each test speaks as a Telegram user would and asserts on what that user would see; the
server rejects anything Telegram would (long or malformed messages, long callback data,
too many inline results), so a reply that reaches a test is a reply Telegram accepts.
"""

from __future__ import annotations

import icalendar

from localapi import LocalBotApiServer
from tests.conftest import FEB_FIRST
from tests.e2e.conftest import StartBot


def _ok(server: LocalBotApiServer) -> None:
    """No Bot API call the bot made was refused."""
    refused = [(c.method, c.response) for c in server.api.calls if c.status != 200]
    assert not refused, refused


async def test_start_welcomes_with_topic_buttons(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(10)
    (welcome,) = await bot.say(chat, ana, "/start")
    assert "Welcome to briefbot" in welcome.plain
    labels = [label for row in welcome.buttons for label, _ in row]
    assert "Cuba–Mexico relations" in labels and len(labels) == 7
    cuba = await bot.press(welcome, "Cuba", ana)
    sent = bot.api.sent_to(10)
    assert "Cuba–Mexico relations" in sent[-1].plain and cuba.plain == welcome.plain
    _ok(bot.server)


async def test_deep_links_open_a_briefing_or_fall_back(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(11)
    (cuba,) = await bot.say(chat, ana, "/start cuba")
    assert cuba.plain.startswith("Cuba–Mexico relations")
    listings = await bot.say(chat, ana, "/start events_guadalajara")
    text = "\n".join(m.plain for m in listings)
    assert "Listings · Guadalajara" in text and "Mazatlán" not in text
    (fallback,) = await bot.say(chat, ana, "/start %%%nope")
    assert "didn't point to a briefing" in fallback.plain and fallback.buttons
    _ok(bot.server)


async def test_reference_commands(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(12)
    (help_,) = await bot.say(chat, ana, "/help")
    assert "/events guadalajara feb" in help_.plain and "@briefbot_test_bot cuba" in help_.plain
    (topics,) = await bot.say(chat, ana, "/topics")
    assert len([b for row in topics.buttons for b in row]) == 7
    (sources,) = await bot.say(chat, ana, "/sources")
    assert "Seed 001" in sources.plain and ".txt" not in sources.plain  # no file names
    (about,) = await bot.say(chat, ana, "/about")
    assert "Catalog version" in about.plain
    _ok(bot.server)


async def test_every_topic_command_in_english_and_spanish(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(13)
    for topic in bot.services.catalog.topics:
        for command in {topic.command, topic.command_es}:
            replies = await bot.say(chat, ana, f"/{command}")
            assert replies, command
            assert bot.services.catalog.briefing(topic.id) is not None
    _ok(bot.server)


async def test_a_spanish_speaker_gets_spanish(start_bot: StartBot) -> None:
    bot = await start_bot()
    lucia, chat = bot.person(14, "Lucía", language_code="es-MX")
    (missing,) = await bot.say(chat, lucia, "/desaparecidos")
    labels = [label for row in missing.buttons for label, _ in row]
    assert "Fuentes" in labels and "Compartir" in labels
    (welcome,) = await bot.say(chat, lucia, "/start")
    assert "Bienvenido" in welcome.plain


async def test_pages_edit_in_place_and_sources(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(15)
    (first,) = await bot.say(chat, ana, "/cuba")
    first_text = first.plain
    second = await bot.press(first, "More", ana)
    assert second.message_id == first.message_id and second.plain != first_text
    back = await bot.press(second, "‹ Back", ana)
    assert back.plain == first_text
    sources = await bot.press(back, "Sources", ana)
    assert sources.plain.startswith("Sources") and "[1]" in sources.plain
    assert len(bot.api.sent_to(15)) == 1  # everything happened in one message
    answered = bot.api.calls_to("answerCallbackQuery")
    assert len(answered) == 3
    _ok(bot.server)


async def test_a_stale_button_after_a_rebuild_still_answers(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(16)
    (first,) = await bot.say(chat, ana, "/cuba")
    update_id = bot.api.press_button(16, first.message_id, "p|0123456789ab|cuba|2", ana)
    await bot.handled(update_id)
    notice = bot.api.calls_to("answerCallbackQuery")[-1].params.get("text", "")
    assert "updated" in notice
    forged = bot.api.press_button(16, first.message_id, "nonsense", ana)
    await bot.handled(forged)
    assert "no longer works" in bot.api.calls_to("answerCallbackQuery")[-1].params["text"]
    _ok(bot.server)


async def test_events_today_are_marked_past(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(17)
    replies = await bot.say(chat, ana, "/events guadalajara feb 2026")
    text = "\n".join(m.plain for m in replies)
    assert "Today is 25 Nov 2026" in text and "every date below has passed" in text
    assert "(upcoming)" not in text
    replies = await bot.say(chat, ana, "/events next month")
    text = "\n".join(m.plain for m in replies)
    assert "No listings for Dec 2026" in text and "Sat 5 Dec 2026" in text


async def test_events_on_february_first_are_upcoming(start_bot: StartBot) -> None:
    bot = await start_bot(now=FEB_FIRST)
    ana, chat = bot.person(18)
    replies = await bot.say(chat, ana, "/events february guadalajara")
    text = "\n".join(m.plain for m in replies)
    assert "Today is 1 Feb 2026" in text and "(past)" not in text
    statuses = ("(upcoming)", "(on now)", "(today)", "(running, closed now)")
    assert sum(text.count(status) for status in statuses) == 5
    # "When: Feb. 1" gives no time: today, not "on now" by the clock.
    assert "Jazz Room — Sun 1 Feb 2026; Sat 7 Mar 2026 (today)" in text
    bad = await bot.say(chat, ana, "/events in narnia")
    assert "can't read “narnia”" in bad[0].plain


async def test_add_to_calendar_sends_an_ics_file(start_bot: StartBot) -> None:
    bot = await start_bot(now=FEB_FIRST)
    ana, chat = bot.person(19)
    replies = await bot.say(chat, ana, "/events guadalajara feb")
    await bot.press(replies[-1], "📅 Add all 5", ana)
    document = bot.api.sent_to(19)[-1].document
    assert document is not None
    filename, content = document
    assert filename.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(content)
    assert len({str(e["summary"]) for e in calendar.walk("VEVENT")}) == 5
    await bot.press(replies[-1], "📅 Jazz Room", ana)
    one = bot.api.sent_to(19)[-1].document
    assert one is not None and b"Jazz Room" in one[1]
    _ok(bot.server)


async def test_filters_people_use_and_a_calendar_of_several_dates(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(29)
    replies = await bot.say(chat, ana, "anything free in guadalajara this weekend")
    text = "\n".join(m.plain for m in replies)
    assert "Listings · Guadalajara · free" in text and "Via RecreActiva Nocturna" in text
    assert "Swan Lake" not in text and "Jazz Room" not in text
    replies = await bot.say(chat, ana, "/events zapopan música 2026")
    text = "\n".join(m.plain for m in replies)
    assert "Listings · Zapopan · music" in text and "every date below has passed" in text
    labels = [label for row in replies[-1].buttons for label, _ in row]
    assert labels == ["📅 Jazz Room (past)"]  # one listing: no "Add all 1"
    await bot.press(replies[-1], "📅 Jazz Room (past)", ana)
    document = bot.api.sent_to(29)[-1].document
    assert document is not None
    vevents = icalendar.Calendar.from_ical(document[1]).walk("VEVENT")
    assert sorted(str(e["dtstart"].dt) for e in vevents) == ["2026-02-01", "2026-03-07"]
    _ok(bot.server)


async def test_free_text_typos_and_choices(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(20)
    (missing,) = await bot.say(chat, ana, "missing peple")
    assert missing.plain.startswith("Missing")
    (cuba,) = await bot.say(chat, ana, "cuban oil")
    assert cuba.plain.startswith("Cuba")
    (typo,) = await bot.say(chat, ana, "/cubaa")
    assert typo.plain.startswith("Cuba")
    whats_on = await bot.say(chat, ana, "what's on in guadalajara")
    assert "Listings · Guadalajara" in whats_on[0].plain
    (nothing,) = await bot.say(chat, ana, "quantum chromodynamics")
    assert "I have nothing on" in nothing.plain and nothing.buttons
    (unknown,) = await bot.say(chat, ana, "/frobnicate")
    assert "I don't know the command /frobnicate" in unknown.plain
    _ok(bot.server)


async def test_html_in_user_text_is_escaped(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(21)
    (reply,) = await bot.say(chat, ana, "<b>unclosed & <script>")
    assert "<b>unclosed & <script>" in reply.plain
    _ok(bot.server)


async def test_a_button_under_a_message_that_cannot_take_a_text_edit_answers_anew(
    start_bot: StartBot,
) -> None:
    """Found by fuzzing: a press under a message Telegram no longer shows the bot (date 0)
    or under a calendar file made the bot edit it, and Telegram refuses both edits."""
    bot = await start_bot(now=FEB_FIRST)
    ana, chat = bot.person(24)
    (first,) = await bot.say(chat, ana, "/cuba")
    more = next(d for row in first.buttons for label, d in row if label.startswith("More"))
    assert more is not None
    await bot.handled(bot.api.press_button(24, 999, more, ana))  # no such message: date 0
    second = bot.api.sent_to(24)[-1]
    assert second.message_id != first.message_id and second.plain != first.plain  # page 2
    replies = await bot.say(chat, ana, "/events guadalajara feb")
    await bot.press(replies[-1], "📅 Jazz Room", ana)
    calendar_file = bot.api.sent_to(24)[-1]
    assert calendar_file.document is not None
    await bot.handled(bot.api.press_button(24, calendar_file.message_id, more, ana))
    assert bot.api.sent_to(24)[-1].plain == second.plain  # page 2 again, as a new message
    assert not bot.api.calls_to("editMessageText")
    _ok(bot.server)


async def test_groups_answer_only_what_is_addressed_to_the_bot(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana = bot.api.user(22, first_name="Ana")
    group = bot.api.group_chat(-100500, "Noticias", supergroup=True)
    assert await bot.say(group, ana, "cuba is in the news again") == []
    assert await bot.say(group, ana, "/cuba@some_other_bot") == []
    assert await bot.say(group, ana, "/frobnicate") == []
    (cuba,) = await bot.say(group, ana, "/cuba@briefbot_test_bot")
    assert cuba.plain.startswith("Cuba")
    (plain_command,) = await bot.say(group, ana, "/missing")
    assert plain_command.plain.startswith("Missing")
    (mention,) = await bot.say(group, ana, "@briefbot_test_bot cuban oil")
    assert mention.plain.startswith("Cuba")
    _ok(bot.server)


async def test_inline_mode_offers_results_within_limits(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana = bot.api.user(23, first_name="Ana")
    for query in ("cuba", "", "guadalajara", "128", "zzzzzz", "x" * 256, "missing"):
        await bot.handled(bot.api.inline_query(ana, query))
    answers = bot.api.calls_to("answerInlineQuery")
    assert len(answers) == 7 and all(a.status == 200 for a in answers)
    cuba = answers[0].params["results"]
    assert cuba[0]["id"] == "b:cuba" and len(cuba) <= 50
    assert answers[0].params["cache_time"] <= 60
    # figures come as results of their own (cuba's news has no key figures of its own)
    assert any(r["id"].startswith("f:missing") for r in answers[6].params["results"])
    assert any(r["id"].startswith("e:") for r in answers[2].params["results"])
    button = cuba[0]["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == "https://t.me/briefbot_test_bot?start=cuba"


async def test_command_menus_are_set_at_start(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.api.wait_for(lambda: len(bot.api.calls_to("setMyCommands")) == 4)
    calls = bot.api.calls_to("setMyCommands")
    assert all(c.status == 200 for c in calls)
    languages = sorted(str(c.params.get("language_code", "")) for c in calls)
    assert languages == ["", "", "es", "es"]
    spanish = next(
        c
        for c in calls
        if c.params.get("language_code") == "es" and "private" in str(c.params["scope"])
    )
    assert "desaparecidos" in {c["command"] for c in spanish.params["commands"]}
    described = bot.api.calls_to("setMyDescription")
    assert [c.status for c in described] == [200, 200]
    assert "Resúmenes" in str(described[1].params["description"])


async def test_a_failing_handler_apologises_without_a_traceback(
    start_bot: StartBot, caplog: object
) -> None:
    bot = await start_bot()
    ana, chat = bot.person(24)
    bot.api.fail_next("sendMessage", description="Bad Request: message is too long")
    replies = await bot.say(chat, ana, "/cuba")
    assert len(replies) == 1 and "something went wrong" in replies[0].plain
    assert "Traceback" not in replies[0].plain
    assert bot.services.activity.failures == 1
    (after,) = await bot.say(chat, ana, "/cuba")
    assert after.plain.startswith("Cuba")


async def test_updates_without_text_or_sender_are_ignored_quietly(start_bot: StartBot) -> None:
    bot = await start_bot()
    update_id = bot.api.push_update(
        {"channel_post": {"message_id": 1, "date": 0, "chat": {"id": -1001, "type": "channel"}}}
    )
    await bot.handled(update_id)
    update_id = bot.api.push_update(
        {
            "edited_message": {
                "message_id": 5,
                "date": 0,
                "edit_date": 1,
                "chat": {"id": 30, "type": "private", "first_name": "Ana"},
                "from": {"id": 30, "is_bot": False, "first_name": "Ana"},
                "text": "/cuba",
            }
        }
    )
    await bot.handled(update_id)
    assert bot.services.activity.failures == 0
    assert not bot.api.sent_to(30)


async def test_a_slow_chat_does_not_hold_up_another(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, ana_chat = bot.person(50)
    ben, ben_chat = bot.person(51, "Ben")
    bot.api.delay_next("sendMessage", 1.0)  # Ana's reply is stuck on a slow link
    slow = bot.api.send_text(ana_chat, ana, "/cuba")
    fast = bot.api.send_text(ben_chat, ben, "/missing")
    await bot.api.wait_for(lambda: bool(bot.api.sent_to(51)))
    assert not bot.api.sent_to(50), "Ben waited for Ana's slow reply"
    await bot.handled(max(slow, fast))
    await bot.api.wait_for(lambda: bool(bot.api.sent_to(50)))


async def test_one_chat_is_answered_in_order(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(52)
    bot.api.delay_next("sendMessage", 0.5)  # the first answer is slow
    bot.api.send_text(chat, ana, "/cuba")
    bot.api.send_text(chat, ana, "/missing")
    await bot.api.wait_for(lambda: len(bot.api.sent_to(52)) == 2)
    first, second = bot.api.sent_to(52)
    assert first.plain.startswith("Cuba") and second.plain.startswith("Missing")


async def test_a_chat_flooding_the_bot_queues_behind_itself(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, ana_chat = bot.person(53)
    ben, ben_chat = bot.person(54, "Ben")
    bot.api.delay_next("sendMessage", 0.2, times=12)  # every one of Ana's replies is slow
    for _ in range(12):
        bot.api.send_text(ana_chat, ana, "/cuba")
    bot.api.send_text(ben_chat, ben, "/missing")
    await bot.api.wait_for(lambda: bool(bot.api.sent_to(54)))
    assert len(bot.api.sent_to(53)) < 6, "Ben waited behind Ana's whole queue"
    await bot.api.wait_for(lambda: len(bot.api.sent_to(53)) == 12, timeout=10)


async def test_spanish_reference_commands_and_a_choice_button(start_bot: StartBot) -> None:
    bot = await start_bot()
    lucia, chat = bot.person(55, "Lucía", language_code="es")
    for command, expected in (
        ("/ayuda", "/eventos guadalajara feb"),
        ("/temas", "Temas"),
        ("/fuentes", "Fuentes"),
        ("/acerca", "Versión del catálogo"),  # /about in Spanish, not English
    ):
        (reply,) = await bot.say(chat, lucia, command)
        assert expected in reply.plain, command
    (choices,) = await bot.say(chat, lucia, "security train")
    assert choices.buttons, choices.plain
    label = choices.buttons[0][0][0]
    await bot.press(choices, label, lucia)
    opened = bot.api.sent_to(55)[-1]
    assert opened.message_id != choices.message_id and opened.plain.startswith(label)
    _ok(bot.server)


async def test_in_a_group_a_reply_to_the_bot_is_addressed_to_it(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, _ = bot.person(56)
    group = bot.api.group_chat(-100600, "Vecinos")
    (cuba,) = await bot.say(group, ana, "/cuba@briefbot_test_bot")
    reply_to_bot = {
        "message_id": 777,
        "date": 0,
        "chat": group,
        "from": ana,
        "text": "missing peple",
        "reply_to_message": {
            "message_id": cuba.message_id,
            "date": 0,
            "chat": group,
            "from": bot.api.bot_user,
            "text": cuba.plain[:50],
        },
    }
    await bot.handled(bot.api.push_update({"message": reply_to_bot}))
    answer = bot.api.sent_to(-100600)[-1]
    assert answer.plain.startswith("Missing")
    sent = bot.api.calls_to("sendMessage")[-1].params
    assert sent["reply_parameters"]["message_id"] == 777  # quotes whom it answers


async def test_an_edit_telegram_refuses_becomes_a_new_message(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(57)
    (first,) = await bot.say(chat, ana, "/cuba")
    bot.api.fail_next("editMessageText", description="Bad Request: message can't be edited")
    await bot.press(first, "More", ana)
    sent = bot.api.sent_to(57)
    assert len(sent) == 2 and sent[1].plain != first.plain  # the next screen, as a new message
    assert any(label.startswith("‹ Back") for row in sent[1].buttons for label, _ in row)


async def test_a_late_button_answer_still_turns_the_page(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(58)
    (first,) = await bot.say(chat, ana, "/cuba")
    text = first.plain
    bot.api.fail_next(
        "answerCallbackQuery",
        description="Bad Request: query is too old and response timeout expired",
    )
    turned = await bot.press(first, "More", ana)
    assert turned.plain != text and bot.services.activity.failures == 0


async def test_menus_failing_at_start_do_not_stop_the_bot(
    telegram: LocalBotApiServer, start_bot: StartBot
) -> None:
    telegram.api.fail_next(
        "setMyCommands", error_code=500, description="Internal Server Error", times=4
    )
    bot = await start_bot()
    ana, chat = bot.person(60)
    (cuba,) = await bot.say(chat, ana, "/cuba")
    assert cuba.plain.startswith("Cuba")
    statuses = [c.status for c in bot.api.calls_to("setMyCommands")]
    assert statuses.count(500) == 4 and set(statuses[4:]) <= {200}  # a 5xx goes once more


async def test_when_even_the_apology_fails_the_bot_keeps_serving(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(59)
    bot.api.fail_next("sendMessage", description="Bad Request: message is too long")
    bot.api.fail_next("sendMessage", error_code=403)  # the apology
    assert await bot.say(chat, ana, "/cuba") == []
    assert bot.services.activity.failures == 1
    (after,) = await bot.say(chat, ana, "/cuba")
    assert after.plain.startswith("Cuba")


async def test_long_listings_come_one_screen_at_a_time(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana, chat = bot.person(61)
    (first,) = await bot.say(chat, ana, "/events next month")
    assert "No listings for Dec 2026" in first.plain
    first_text = first.plain
    second = await bot.press(first, "More ›", ana)
    assert second.message_id == first.message_id and second.plain != first_text
    assert "Sources" in second.plain  # the citations close the last screen
    labels = [label for row in second.buttons for label, _ in row]
    assert "‹ Back" in labels and any(label.startswith("📅 Add all") for label in labels)
    back = await bot.press(second, "‹ Back", ana)
    assert back.plain == first_text
    _ok(bot.server)


async def test_a_bare_slash_is_not_an_error_in_a_private_chat_or_a_group(
    start_bot: StartBot,
) -> None:
    """ "/" and "/" before an ideographic space name no command: the tracing must not fail
    on them before any handler runs (any member of a group could otherwise cause an error)."""
    bot = await start_bot()
    ana, chat = bot.person(60)
    group = bot.api.group_chat(-100600, "Noticias", supergroup=True)
    for text in ("/", "/\u3000", "/ ", "/\u3000cuba"):
        assert await bot.say(group, ana, text) == [], text
        replies = await bot.say(chat, ana, text)
        assert len(replies) == 1, text
        assert "something went wrong" not in replies[0].plain, text
    assert bot.services.activity.failures == 0
