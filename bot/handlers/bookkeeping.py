"""Counts every update after its handlers ran (last group), for health and for tests."""

from __future__ import annotations

from telegram import Update
from telegram.ext import TypeHandler

from bot.services import BotApplication, Context, services

LAST_GROUP = 99


async def note_handled(update: Update, context: Context) -> None:
    found = services(context)
    activity = found.activity
    activity.handled += 1
    activity.last_update_id = max(activity.last_update_id, update.update_id)
    activity.last_update_at = found.now()


def register(application: BotApplication) -> None:
    application.add_handler(TypeHandler(Update, note_handled), group=LAST_GROUP)
