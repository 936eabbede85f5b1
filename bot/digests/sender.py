"""A digest's messages through Telegram, and what Telegram's answer means for the ledger.

The pipeline (:mod:`bot.digests.delivery`) hands over a composed digest and gets back a
plain outcome: :class:`Sent` with the message ids, or :class:`Refused` saying whether to
try again later and whether the chat is gone. Sends go through the flood limiter's fan-out
lane, so people's replies keep ahead of a digest fan-out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from bot.conversation.deeplinks import open_button
from bot.digests.compose import Digest, Subject
from bot.digests.delivery import Refused, Sent
from bot.keyboards import keyboard
from bot.operations.rate_limiter import answer_lost, fanout_lane, not_carried_out
from briefings.model import Catalog


def _described(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _keeping(retried: list[BaseException] | None) -> Callable[[RetryCallState], None]:
    """A ``before_sleep`` hook: keep the error each retry follows, for the ledger."""

    def keep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        if retried is not None and error is not None:
            retried.append(error)

    return keep


class DigestSender:
    """Sends digests as ``bot``, with an "Open in briefbot" button under the last message."""

    def __init__(self, bot: Bot, catalog: Catalog, *, retry_wait: float = 0.5) -> None:
        self.bot, self.catalog = bot, catalog
        self.retry_wait = retry_wait

    def _markup(self, subject: Subject, lang: str) -> InlineKeyboardMarkup | None:
        try:
            username = self.bot.username
        except RuntimeError:  # not initialized: no link, the digest still goes out
            return None
        topic = self.catalog.topic(subject.topic)
        if topic is None:
            return None
        payload = topic.command + (f"_{subject.city}" if subject.city else "")
        button = open_button(username, payload.replace(" ", "_"), "es" if lang == "es" else "en")
        return keyboard(((button,),))

    async def send(
        self,
        chat_id: int,
        digest: Digest,
        subject: Subject,
        lang: str,
        *,
        retried: list[BaseException] | None = None,
    ) -> list[int]:
        """Send the digest's messages in the fan-out lane.

        Errors that prove Telegram did not take a message (a 5xx answer, no connection) are
        retried here, with backoff, and appended to ``retried``. A lost answer (a timeout or
        reset after the request went out) is not: Telegram may have delivered the message,
        and an immediate resend is how duplicates pile up while Telegram is slow. It ends
        this attempt; the row waits for the sweep.
        """
        markup = self._markup(subject, lang)
        ids: list[int] = []
        with fanout_lane():
            for index, text in enumerate(digest.messages):
                last = index == len(digest.messages) - 1
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(4),
                    wait=wait_exponential(multiplier=self.retry_wait, max=8),
                    retry=retry_if_exception(not_carried_out),
                    before_sleep=_keeping(retried),
                    reraise=True,
                ):
                    with attempt:
                        message = await self.bot.send_message(
                            chat_id, text, reply_markup=markup if last else None
                        )
                ids.append(message.message_id)
        return ids

    async def deliver(
        self,
        chat_id: int,
        digest: Digest,
        subject: Subject,
        lang: str,
        *,
        moved: Callable[[int, int], Awaitable[None]],
    ) -> Sent | Refused:
        """Send the digest; a group that became a supergroup is followed (``moved`` is told
        first, so the store knows the new id before the digest goes there)."""
        retried: list[BaseException] = []
        try:
            try:
                ids = await self.send(chat_id, digest, subject, lang, retried=retried)
            except ChatMigrated as migrated:
                old_id, chat_id = chat_id, migrated.new_chat_id
                await moved(old_id, chat_id)
                ids = await self.send(chat_id, digest, subject, lang, retried=retried)
        except Forbidden as error:
            reason = "blocked" if "blocked" in str(error) else "removed"
            return Refused(chat_id, str(error), retry=False, chat_gone=reason)
        except BadRequest as error:
            gone = "not found" if "chat not found" in str(error).lower() else None
            return Refused(chat_id, str(error), retry=False, chat_gone=gone)
        except (RetryAfter, NetworkError) as error:
            maybe = "; Telegram may have delivered it" if answer_lost(error) else ""
            return Refused(chat_id, f"{_described(error)}{maybe}", retry=True)
        return Sent(chat_id, ids, _described(retried[-1]) if retried else None)
