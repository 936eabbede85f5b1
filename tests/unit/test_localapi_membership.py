"""The local Bot API's chat lifecycle and scalable flood limits, as Telegram behaves."""

from __future__ import annotations

from bot.localapi import FloodLimits, LocalBotApi


def _send(api: LocalBotApi, chat_id: int) -> tuple[int, dict]:  # type: ignore[type-arg]
    return api.call("sendMessage", {"chat_id": chat_id, "text": "x"})


def test_a_blocked_bot_gets_403_and_telegram_says_so_in_an_update() -> None:
    api = LocalBotApi()
    api.private_chat(5)
    api.block_bot(5)
    status, body = _send(api, 5)
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    update = api.call("getUpdates", {})[1]["result"][-1]["my_chat_member"]
    assert update["old_chat_member"]["status"] == "member"
    assert update["new_chat_member"]["status"] == "kicked"
    assert update["new_chat_member"]["user"]["id"] == api.bot_user["id"]
    api.unblock_bot(5)
    assert _send(api, 5)[0] == 200


def test_removed_from_a_group_then_added_back() -> None:
    api = LocalBotApi()
    api.group_chat(-7, "Club", supergroup=True)
    api.add_bot(-7, 1, status="administrator")
    assert (
        api.call("getChatMember", {"chat_id": -7, "user_id": api.bot_user["id"]})[1]["result"][
            "status"
        ]
        == "administrator"
    )
    api.remove_bot(-7, 1)
    status, body = _send(api, -7)
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot was kicked from the supergroup chat",
    )
    api.add_bot(-7, 1)
    assert _send(api, -7)[0] == 200


def test_a_migrated_group_points_to_its_supergroup() -> None:
    api = LocalBotApi()
    api.group_chat(-8, "Old")
    api.set_member(-8, 3, "creator")
    new = api.migrate_group(-8, -1008)
    assert new["type"] == "supergroup" and new["title"] == "Old"
    status, body = _send(api, -8)
    assert status == 400 and body["parameters"] == {"migrate_to_chat_id": -1008}
    assert _send(api, -1008)[0] == 200
    assert api.members[(-1008, 3)] == "creator"
    messages = [u["message"] for u in api.call("getUpdates", {})[1]["result"]]
    assert [m.get("migrate_to_chat_id") for m in messages] == [-1008, None]
    assert [m.get("migrate_from_chat_id") for m in messages] == [None, -8]


def test_scaled_limits_and_the_429_count() -> None:
    now = [0.0]
    api = LocalBotApi(rate_limits=FloodLimits().scaled(2), clock=lambda: now[0])
    for chat_id in range(1, 62):
        api.private_chat(chat_id)
    statuses = [_send(api, chat_id)[0] for chat_id in range(1, 62)]
    assert statuses == [200] * 60 + [429]  # 60 in a second when scaled twice
    assert api.too_many_requests == 1
    now[0] = 1.0
    assert _send(api, 61)[0] == 200  # a sliding window: the next second is fresh


def test_counts_and_forgetting_calls() -> None:
    api = LocalBotApi(record_calls=False)
    api.private_chat(1)
    api.private_chat(2)
    for chat_id in (1, 1, 2):
        _send(api, chat_id)
    api.call("editMessageText", {"chat_id": 1, "message_id": 1, "text": "y"})
    assert api.deliveries() == {1: 2, 2: 1} and api.messages_sent_to(1) == 2
    assert api.calls == []
