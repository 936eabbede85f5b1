"""The local Bot API's flood limits, the bot's life in chats, and its delivery counts.

Calls go straight to ``LocalBotApi.call`` with an injected clock; updates it pushes are parsed
by python-telegram-bot, so their shape is the one PTB accepts from Telegram.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import threading
import urllib.parse
from typing import Any

import pytest
from telegram import ChatMemberAdministrator, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import filters

from localapi import FloodLimits, LocalBotApi, LocalBotApiServer

PERSON = 5
GROUP = -10
SUPERGROUP = -1010
CHANNEL = -1020
ADMIN = 1


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make(limits: bool | FloodLimits = False, clock: Clock | None = None) -> LocalBotApi:
    api = LocalBotApi(rate_limits=limits, clock=clock or Clock())
    api.private_chat(PERSON)
    api.user(ADMIN, first_name="Admin")
    api.group_chat(GROUP, "Club")
    api.group_chat(SUPERGROUP, "Big club", supergroup=True)
    api.channel(CHANNEL, "news", "News")
    return api


def send(api: LocalBotApi, chat_id: int, text: str = "x") -> tuple[int, dict[str, Any]]:
    return api.call("sendMessage", {"chat_id": chat_id, "text": text})


def statuses(api: LocalBotApi, chat_ids: list[int]) -> list[int]:
    return [send(api, chat_id)[0] for chat_id in chat_ids]


def updates(api: LocalBotApi) -> list[Update]:
    """The pending updates, parsed as PTB parses Telegram's."""
    status, body = api.call("getUpdates", {})
    assert status == 200
    return [Update.de_json(update, None) for update in body["result"]]


def bot_status(api: LocalBotApi, chat_id: int) -> str:
    params = {"chat_id": chat_id, "user_id": api.bot_user["id"]}
    status, body = api.call("getChatMember", params)
    assert status == 200
    return str(body["result"]["status"])


# --- flood limits ----------------------------------------------------------------------------


def test_scaled_multiplies_the_rates_and_keeps_the_burst() -> None:
    limits = FloodLimits().scaled(10)
    assert limits == FloodLimits(
        overall_per_second=300, private_per_second=10, private_burst=3, group_per_minute=200
    )
    assert FloodLimits().scaled(0.5).group_per_minute == 10
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.private_burst = 5  # type: ignore[misc]
    with pytest.raises(ValueError, match="positive"):
        FloodLimits().scaled(0)
    with pytest.raises(ValueError, match="positive"):
        FloodLimits(private_burst=0)


def test_rate_limits_takes_a_switch_or_limits() -> None:
    assert not LocalBotApi().rate_limits and LocalBotApi().flood_limits is None
    on = LocalBotApi(rate_limits=True)
    assert on.rate_limits and on.flood_limits == FloodLimits()
    scaled = FloodLimits().scaled(3)
    assert LocalBotApi(rate_limits=scaled).flood_limits is scaled
    on.rate_limits = False
    assert not on.rate_limits and on.flood_limits is None
    on.rate_limits = scaled
    assert on.rate_limits and on.flood_limits is scaled


def test_overall_limit_is_a_sliding_one_second_window() -> None:
    clock = Clock()
    api = make(True, clock)
    people = list(range(100, 140))
    for person in people:
        api.private_chat(person)
    assert statuses(api, people[:30]) == [200] * 30
    status, body = send(api, people[30])
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )
    clock.now = 0.999
    assert send(api, people[30])[0] == 429
    clock.now = 1.0
    assert statuses(api, people[30:40]) == [200] * 10
    assert api.too_many_requests == 2


def test_the_overall_window_slides_rather_than_resetting_each_second() -> None:
    clock = Clock()
    api = make(True, clock)
    people = list(range(100, 170))
    for person in people:
        api.private_chat(person)
    assert statuses(api, people[:15]) == [200] * 15
    clock.now = 0.5
    assert statuses(api, people[15:30]) == [200] * 15
    clock.now = 1.2  # the first fifteen have left the window, the next fifteen have not
    assert statuses(api, people[30:46]) == [200] * 15 + [429]
    clock.now = 1.5
    assert statuses(api, people[45:61]) == [200] * 15 + [429]


def test_the_overall_limit_rounds_down_and_is_at_least_one() -> None:
    clock = Clock()
    api = make(FloodLimits(overall_per_second=2.9), clock)
    for person in (101, 102, 103):
        api.private_chat(person)
    assert statuses(api, [101, 102, 103]) == [200, 200, 429]
    slow = make(FloodLimits(overall_per_second=0.4), clock)
    slow.private_chat(101)
    assert statuses(slow, [PERSON, 101]) == [200, 429]


def test_a_group_gets_twenty_a_minute_in_a_sliding_window() -> None:
    clock = Clock()
    api = make(True, clock)
    for second in range(20):
        clock.now = float(second)
        assert send(api, GROUP)[0] == 200
    status, body = send(api, GROUP)
    assert status == 429 and body["parameters"] == {"retry_after": 41}  # 60 - 19 s
    assert send(api, CHANNEL)[0] == 200  # another chat has its own minute
    clock.now = 59.5
    assert send(api, GROUP)[1]["parameters"] == {"retry_after": 1}
    clock.now = 60.0  # the send at 0 s has left the window, the one at 1 s has not
    assert statuses(api, [GROUP, GROUP]) == [200, 429]


def test_scaled_group_limit_and_channels_share_it() -> None:
    clock = Clock()
    api = make(FloodLimits().scaled(2), clock)
    assert statuses(api, [CHANNEL] * 41) == [200] * 40 + [429]
    assert statuses(api, [SUPERGROUP] * 20) == [200] * 20  # 60 a second overall, scaled


def test_a_person_gets_a_burst_of_three_then_one_a_second() -> None:
    clock = Clock()
    api = make(True, clock)
    assert statuses(api, [PERSON] * 4) == [200, 200, 200, 429]
    clock.now = 0.5
    status, body = send(api, PERSON)
    assert status == 429 and body["parameters"] == {"retry_after": 1}
    clock.now = 1.0
    assert statuses(api, [PERSON] * 2) == [200, 429]
    clock.now = 10.0  # a long pause refills the burst, and no more
    assert statuses(api, [PERSON] * 4) == [200, 200, 200, 429]


def test_a_slower_private_rate_asks_for_a_longer_wait() -> None:
    clock = Clock()
    api = make(FloodLimits(private_per_second=0.25, private_burst=1), clock)
    assert send(api, PERSON)[0] == 200
    assert send(api, PERSON)[1]["parameters"] == {"retry_after": 4}
    clock.now = 3.0
    assert send(api, PERSON)[1]["parameters"] == {"retry_after": 1}
    clock.now = 4.0
    assert send(api, PERSON)[0] == 200


def test_limits_apply_to_sends_only() -> None:
    api = make(True)
    assert statuses(api, [PERSON] * 4)[-1] == 429
    document = {"document": ("a.ics", b"BEGIN:VCALENDAR")}
    status, _ = api.call("sendDocument", {"chat_id": PERSON}, document)
    assert status == 429  # documents are messages too
    assert api.call("editMessageText", {"chat_id": PERSON, "message_id": 1, "text": "y"})[0] == 200
    member = {"chat_id": PERSON, "user_id": PERSON}
    assert [api.call("getChatMember", member)[0] for _ in range(50)] == [200] * 50
    assert api.call("getMe", {})[0] == 200
    assert api.too_many_requests == 2


def test_flood_and_injected_429s_are_counted_apart() -> None:
    api = make(True)
    api.fail_next("sendMessage", retry_after=5)
    api.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )
    assert statuses(api, [PERSON] * 6) == [429, 403, 200, 200, 200, 429]
    assert (api.too_many_requests, api.injected_failures) == (1, 2)
    api.block_bot(PERSON)
    assert send(api, PERSON)[0] == 403
    assert (api.too_many_requests, api.injected_failures) == (1, 2)


def test_a_refused_send_uses_up_no_allowance() -> None:
    clock = Clock()
    api = make(True, clock)
    for person in range(100, 131):
        api.private_chat(person)
    assert statuses(api, [PERSON] * 10) == [200] * 3 + [429] * 7
    assert statuses(api, list(range(100, 128))) == [200] * 27 + [429]  # 3 + 27 = 30


# --- blocked by a person ---------------------------------------------------------------------


def test_a_blocked_bot_gets_403_and_a_my_chat_member_update() -> None:
    api = make()
    api.user(PERSON, first_name="Ana")
    assert send(api, PERSON)[0] == 200
    update_id = api.block_bot(PERSON)
    status, body = send(api, PERSON)
    assert (status, body) == (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    document = {"document": ("a.ics", b"x")}
    assert api.call("sendDocument", {"chat_id": PERSON}, document)[0] == 403
    [update] = updates(api)
    assert update.update_id == update_id
    change = update.my_chat_member
    assert change is not None
    assert change.chat.id == PERSON and change.chat.type == "private"
    assert change.from_user.id == PERSON and change.from_user.first_name == "Ana"
    assert change.old_chat_member.status == ChatMemberStatus.MEMBER
    assert change.new_chat_member.status == ChatMemberStatus.BANNED
    assert change.new_chat_member.user.id == api.bot_user["id"]
    assert change.new_chat_member.user.is_bot
    assert bot_status(api, PERSON) == "kicked"
    assert api.messages_sent_to(PERSON) == 1


def test_unblocking_lets_sends_through_again() -> None:
    api = make()
    api.block_bot(PERSON)
    api.unblock_bot(PERSON)
    assert send(api, PERSON)[0] == 200
    changes = [u.my_chat_member for u in updates(api)]
    assert [(c.old_chat_member.status, c.new_chat_member.status) for c in changes if c] == [
        ("member", "kicked"),
        ("kicked", "member"),
    ]
    assert bot_status(api, PERSON) == "member"


def test_blocking_by_someone_never_seen_makes_their_chat() -> None:
    api = make()
    api.block_bot(77)
    assert api.chats[77]["type"] == "private"
    assert send(api, 77)[1]["description"] == "Forbidden: bot was blocked by the user"


# --- removed from and added to groups and channels -------------------------------------------


@pytest.mark.parametrize(
    ("chat_id", "kicked", "description"),
    [
        (GROUP, True, "Forbidden: bot was kicked from the group chat"),
        (SUPERGROUP, True, "Forbidden: bot was kicked from the supergroup chat"),
        (CHANNEL, True, "Forbidden: bot is not a member of the channel chat"),
        (GROUP, False, "Forbidden: bot is not a member of the group chat"),
        (SUPERGROUP, False, "Forbidden: bot is not a member of the supergroup chat"),
    ],
)
def test_a_removed_bot_gets_telegrams_403(chat_id: int, kicked: bool, description: str) -> None:
    api = make()
    api.remove_bot(chat_id, ADMIN, kicked=kicked)
    assert send(api, chat_id) == (
        403,
        {"ok": False, "error_code": 403, "description": description},
    )
    assert bot_status(api, chat_id) == ("kicked" if kicked else "left")
    assert send(api, PERSON)[0] == 200  # other chats are untouched


def test_removal_reports_the_status_the_bot_had() -> None:
    api = make()
    api.add_bot(SUPERGROUP, ADMIN, status="administrator")
    api.remove_bot(SUPERGROUP, ADMIN)
    api.remove_bot(GROUP, ADMIN, kicked=False)
    changes = [u.my_chat_member for u in updates(api)]
    assert [
        (c.chat.id, c.old_chat_member.status, c.new_chat_member.status) for c in changes if c
    ] == [
        (SUPERGROUP, "left", "administrator"),
        (SUPERGROUP, "administrator", "kicked"),
        (GROUP, "member", "left"),
    ]
    assert all(c is not None and c.from_user.first_name == "Admin" for c in changes)


def test_adding_the_bot_back_lets_sends_through() -> None:
    api = make()
    api.remove_bot(CHANNEL, ADMIN)
    api.add_bot(CHANNEL, ADMIN, status="administrator")
    assert send(api, CHANNEL)[0] == 200
    assert bot_status(api, CHANNEL) == "administrator"
    last = updates(api)[-1].my_chat_member
    assert last is not None and last.chat.type == "channel"
    assert (last.old_chat_member.status, last.new_chat_member.status) == (
        "kicked",
        "administrator",
    )
    assert isinstance(last.new_chat_member, ChatMemberAdministrator)
    assert last.new_chat_member.can_post_messages


def test_lifecycle_helpers_refuse_what_telegram_cannot_do() -> None:
    api = make()
    with pytest.raises(ValueError, match="block_bot"):
        api.remove_bot(PERSON, ADMIN)
    with pytest.raises(ValueError, match="unblock_bot"):
        api.add_bot(PERSON, ADMIN)
    with pytest.raises(ValueError, match="creator"):
        api.add_bot(GROUP, ADMIN, status="creator")
    with pytest.raises(ValueError, match="no chat"):
        api.remove_bot(-999, ADMIN)
    with pytest.raises(ValueError, match="status"):
        api.chat_member_update(GROUP, ADMIN, "member", "owner")


def test_chat_member_update_pushes_any_transition_without_its_consequences() -> None:
    api = make()
    update_id = api.chat_member_update(GROUP, ADMIN, "restricted", "administrator")
    [update] = updates(api)
    assert update.update_id == update_id and update.my_chat_member is not None
    assert update.my_chat_member.old_chat_member.status == ChatMemberStatus.RESTRICTED
    assert bot_status(api, GROUP) == "administrator"
    api.chat_member_update(GROUP, ADMIN, "administrator", "kicked")
    assert send(api, GROUP)[0] == 200  # only remove_bot stops the sends


# --- a group becomes a supergroup ------------------------------------------------------------


def test_a_migrated_group_refuses_sends_with_its_new_id() -> None:
    api = make()
    api.set_member(GROUP, ADMIN, "creator")
    api.add_bot(GROUP, ADMIN, status="administrator")
    new = api.migrate_group(GROUP, -1099)
    assert new == {"id": -1099, "type": "supergroup", "title": "Club"}
    assert api.chats[-1099] is new
    assert send(api, GROUP) == (
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: group chat was upgraded to a supergroup chat",
            "parameters": {"migrate_to_chat_id": -1099},
        },
    )
    assert send(api, -1099)[0] == 200
    assert api.members[(-1099, ADMIN)] == "creator"
    assert bot_status(api, -1099) == "administrator"
    assert api.messages_sent_to(GROUP) == 0 and api.messages_sent_to(-1099) == 1


def test_migration_posts_both_service_messages() -> None:
    api = make()
    api.set_member(GROUP, ADMIN, "creator")
    api.migrate_group(GROUP, -1099)
    moved_out, moved_in = updates(api)
    for update in (moved_out, moved_in):
        assert filters.StatusUpdate.MIGRATE.check_update(update)
    out, into = moved_out.message, moved_in.message
    assert out is not None and into is not None
    assert (out.chat.id, out.migrate_to_chat_id, out.migrate_from_chat_id) == (GROUP, -1099, None)
    assert (into.chat.id, into.migrate_from_chat_id, into.migrate_to_chat_id) == (
        -1099,
        GROUP,
        None,
    )
    assert out.from_user is not None and out.from_user.id == ADMIN  # the creator upgraded it
    assert into.sender_chat is not None and into.sender_chat.id == -1099
    assert out.message_id != into.message_id and out.date == into.date


def test_migration_names_who_upgraded_and_refuses_non_groups() -> None:
    api = make()
    api.user(3, first_name="Upgrader")
    api.migrate_group(GROUP, -1099, by_user_id=3)
    out = updates(api)[0].message
    assert out is not None and out.from_user is not None and out.from_user.first_name == "Upgrader"
    with pytest.raises(ValueError, match="not a basic group"):
        api.migrate_group(SUPERGROUP, -1098)
    with pytest.raises(ValueError, match="negative"):
        make().migrate_group(GROUP, 1099)


def test_migration_without_a_known_upgrader_and_of_a_group_without_the_bot() -> None:
    api = make()
    api.remove_bot(GROUP, ADMIN)
    api.call(
        "getUpdates", {"offset": api.call("getUpdates", {})[1]["result"][-1]["update_id"] + 1}
    )
    api.migrate_group(GROUP, -1099)
    out = updates(api)[0].message
    assert out is not None and out.from_user is not None
    assert out.from_user.username == "GroupAnonymousBot"  # an anonymous admin upgraded it
    assert out.sender_chat is not None and out.sender_chat.id == GROUP
    assert send(api, -1099)[1]["description"] == (
        "Forbidden: bot is not a member of the supergroup chat"
    )
    assert bot_status(api, -1099) == "kicked"


# --- counts ----------------------------------------------------------------------------------


def test_deliveries_count_successful_sends_only() -> None:
    clock = Clock()
    api = make(True, clock)
    assert statuses(api, [PERSON] * 4 + [GROUP, GROUP]) == [200] * 3 + [429] + [200] * 2
    api.call("sendDocument", {"chat_id": CHANNEL}, {"document": ("a.ics", b"x")})
    api.call("editMessageText", {"chat_id": PERSON, "message_id": 1, "text": "edited"})
    api.call("deleteMessage", {"chat_id": PERSON, "message_id": 2})
    api.call("sendMessage", {"chat_id": GROUP, "text": ""})  # refused: empty
    api.call("sendMessage", {"chat_id": -404, "text": "x"})  # refused: no such chat
    assert api.deliveries() == {PERSON: 3, GROUP: 2, CHANNEL: 1}
    assert api.messages_sent_to(PERSON) == 3 and api.messages_sent_to(SUPERGROUP) == 0
    assert api.messages_sent == 6
    snapshot = api.deliveries()
    snapshot[PERSON] = 99
    assert api.messages_sent_to(PERSON) == 3  # a copy, not the live counts


def test_calls_can_be_forgotten_or_never_kept() -> None:
    api = make()
    send(api, PERSON)
    assert len(api.calls) == 1
    api.forget_calls()
    assert api.calls == []
    send(api, PERSON)
    assert [c.method for c in api.calls] == ["sendMessage"]
    quiet = LocalBotApi(record_calls=False)
    quiet.private_chat(PERSON)
    for _ in range(5):
        send(quiet, PERSON)
    assert quiet.calls == [] and quiet.messages_sent_to(PERSON) == 5


def test_many_sends_keep_the_windows_bounded() -> None:
    clock = Clock()
    api = make(FloodLimits().scaled(100), clock)  # 3000 a second, 2000 a minute per group
    sent = 0
    for step in range(6000):
        clock.now = step * 0.001
        sent += send(api, GROUP)[0] == 200
    assert sent == 2000  # all within one minute: the group's window holds
    assert api.messages_sent_to(GROUP) == 2000 and api.too_many_requests == 4000


# --- over HTTP, from many connections at once ------------------------------------------------


def test_concurrent_keep_alive_sends_over_http_are_all_counted() -> None:
    api = LocalBotApi(rate_limits=FloodLimits().scaled(1000), record_calls=False)
    people = list(range(1, 401))
    for person in people:
        api.private_chat(person)
    api.block_bot(400)
    answers: list[int] = []
    lock = threading.Lock()

    with LocalBotApiServer(api) as server:
        path = f"/bot{api.token}/sendMessage"

        def worker(mine: list[int]) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            got = []
            for person in mine:
                body = urllib.parse.urlencode({"chat_id": person, "text": "<b>hi</b>"})
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                got.append(json.loads(response.read())["ok"])
            connection.close()
            with lock:
                answers.extend(got)

        threads = [threading.Thread(target=worker, args=(people[k::40],)) for k in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(answers) == [False] + [True] * 399
    assert api.deliveries() == {person: 1 for person in people[:-1]}
