"""What the bot says: every reply as plain data, no Telegram import.

The Telegram handlers, the console chat and ``briefbot ask`` all send what these methods
return, so a reply is the same wherever it is read. A method gets the request already
parsed (a topic, the words after a command, a decoded button) and the moment from the
injected clock; it never raises for anything a user can type.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rapidfuzz import fuzz

from bot.conversation import callbacks
from bot.conversation.calendar_export import events_to_ics
from bot.conversation.callbacks import Action
from bot.conversation.deeplinks import read_payload
from bot.conversation.event_filters import (
    FREE_WORDS,
    EventQuery,
    FilterError,
    all_events,
    filter_events,
    known_cities,
    parse_event_query,
    same_month_other_years,
    select_events,
)
from bot.conversation.fulltext import TYPO_SCORE, SearchIndex, index_for
from bot.conversation.listing_kinds import READER_WORDS
from bot.conversation.question import Question, read_question
from bot.conversation.render import (
    SCREEN_LIMIT,
    Citations,
    article_title,
    briefing_pages,
    count_listings,
    escape,
    event_is_over,
    format_date,
    next_by_rule,
    paginate,
    render_events,
    split_message,
    topic_name,
)
from bot.conversation.reply import Attachment, Button, Reply, quoted
from bot.conversation.search import (
    CONFIDENT,
    WEAK,
    rank_commands,
    rank_topics,
    search_names,
    topic_by_command,
)
from bot.conversation.search_reply import search_reply
from bot.numbers import read_number
from bot.texts import en, es
from briefings.model import ArticleInfo, Catalog, Event, Topic
from briefings.topics import fold

EVENTS_TOPIC = "events"
# The words of a listings filter's price and kinds ("free", "concierto", "música").
FILTER_WORDS = frozenset(
    word for phrase in (*READER_WORDS, *FREE_WORDS) for word in fold(phrase).split()
)
PER_EVENT_BUTTONS = 6

TEXTS = {"en": en.ANSWERS, "es": es.ANSWERS}


MEMO_SIZE = 4096
Method = TypeVar("Method", bound=Callable[..., Reply])


def memoized(method: Method) -> Method:
    """Remember replies per request and minute: the same question gets the same bytes.

    A reply depends on the catalog (fixed for this object), the request, the language and
    the moment; moments are taken to the minute, so within a minute a repeated request
    costs a dictionary lookup. Least recently used entries go first past ``MEMO_SIZE``.
    """

    @functools.wraps(method)
    def wrapper(self: Answers, *args: Any, **kwargs: Any) -> Reply:
        now = kwargs.get("now")
        if isinstance(now, dt.datetime):
            kwargs["now"] = now.replace(second=0, microsecond=0)
        key = (method.__name__, args, tuple(sorted(kwargs.items())))
        memo = self.memo
        found = memo.get(key)
        if found is None:
            found = method(self, *args, **kwargs)
            memo[key] = found
            if len(memo) > MEMO_SIZE:
                memo.popitem(last=False)
        else:
            memo.move_to_end(key)
        return found

    return wrapper  # type: ignore[return-value]


# Small talk a person types before or after asking: greeted with the topics, thanked back.
GREETINGS = {
    "hi",
    "hello",
    "hey",
    "hola",
    "buenas",
    "buenos dias",
    "buenas tardes",
    "buenas noches",
    "good morning",
    "good evening",
    "start",
    "menu",
    "inicio",
}
THANKS = {"thanks", "thank you", "thx", "ty", "gracias", "muchas gracias", "ok thanks"}


def _all_past(event: Event, now: dt.datetime) -> bool:
    """Every date the calendar file would hold has passed: the listing is over and its
    rule, if any, gives no later date."""
    return event_is_over(event, now) and next_by_rule(event, now) is None


def _is_one_of(word: str, names: set[str]) -> bool:
    """The word is one of the names, or one with a typo."""
    return word in names or any(fuzz.ratio(word, name) >= TYPO_SCORE for name in names)


def language_of(code: str | None) -> str:
    """Spanish for Spanish-speaking clients, English otherwise."""
    return "es" if code and code.lower().startswith("es") else "en"


@dataclass(frozen=True)
class Answers:
    """The replies of one catalog, for a bot with this username."""

    catalog: Catalog
    username: str = "briefbot"
    memo: OrderedDict[Any, Reply] = field(
        default_factory=OrderedDict, compare=False, repr=False, hash=False
    )

    # --- fixed pages -------------------------------------------------------------------

    def _command(self, topic: Topic, lang: str) -> str:
        return topic.command_es if lang == "es" else topic.command

    def _topic_button(self, topic: Topic, lang: str) -> Button:
        data = callbacks.encode(Action("topic", self.catalog.version, topic.id))
        return Button(topic_name(topic, lang), data=data)

    def _topic_buttons(self, lang: str) -> tuple[tuple[Button, ...], ...]:
        buttons = [self._topic_button(t, lang) for t in self.catalog.topics]
        return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))

    @memoized
    def welcome(self, lang: str, note: str = "") -> Reply:
        text = TEXTS[lang]["welcome"]
        if note:
            text = f"<i>{escape(note)}</i>\n\n{text}"
        return Reply([text], buttons=self._topic_buttons(lang))

    @memoized
    def help(self, lang: str) -> Reply:
        lines = []
        for topic in self.catalog.topics:
            description = topic.description_es if lang == "es" else topic.description_en
            lines.append(
                f"/{self._command(topic, lang)} — <b>{escape(topic_name(topic, lang))}</b>: "
                f"{escape(description)}"
            )
        text = TEXTS[lang]["help"].format(topics="\n".join(lines), bot=escape(self.username))
        return Reply(split_message([text]))

    def topics(self, lang: str) -> Reply:
        return Reply([TEXTS[lang]["topics"]], buttons=self._topic_buttons(lang))

    @memoized
    def sources(self, lang: str) -> Reply:
        """Every seed and its articles, named as the sources pages name them (a seed by its
        number, not its file name: a reader has no use for ``001_a482….txt``)."""
        texts = TEXTS[lang]
        blocks = [f"<b>{texts['sources']}</b>"]
        infos = {a.key: a for a in self.catalog.articles}
        fetched: dict[str, list[ArticleInfo]] = {}
        for document in self.catalog.documents:
            if document.name.startswith(INGESTED_PREFIX):  # by outlet, below
                for key in document.articles:
                    fetched.setdefault(infos[key].outlet or "?", []).append(infos[key])
                continue
            dated = f" · {format_date(document.as_of, lang)}" if document.as_of else ""
            seed = escape(document.name.split("_", 1)[0].removesuffix(".txt"))
            lines = [f"<b>{texts['seed_heading'].format(seed=seed)}</b>{dated}"]
            for key in document.articles:
                info = infos[key]
                when = f" ({format_date(info.date, lang)})" if info.date else ""
                lines.append(f"{info.number}. {article_title(info, lang)}{when}")
            blocks.append("\n".join(lines))
        blocks += [
            _fetched_block(outlet, found, lang) for outlet, found in sorted(fetched.items())
        ]
        return Reply(split_message(blocks))

    def about(self, lang: str) -> Reply:
        text = TEXTS[lang]["about_page"].format(
            version=escape(self.catalog.version),
            documents=len(self.catalog.documents),
            articles=len(self.catalog.articles),
        )
        return Reply([text])

    # --- briefings -----------------------------------------------------------------------

    @memoized
    def briefing(
        self,
        topic: Topic,
        *,
        now: dt.datetime,
        lang: str,
        page: int = 0,
        edit: bool = False,
        notice: str | None = None,
    ) -> Reply:
        """One screen of a topic's briefing, with buttons to move between screens."""
        briefing = self.catalog.briefing(topic.id)
        if briefing is None:
            text = TEXTS[lang]["no_briefing"].format(topic=escape(topic_name(topic, lang)))
            return Reply([text], understood=False, edit=edit)
        pages, _ = briefing_pages(self.catalog, briefing, now=now, lang=lang)
        page = min(max(page, 0), len(pages) - 1)
        texts = TEXTS[lang]
        version = self.catalog.version
        nav = self._turn_pages("page", topic.id, page, len(pages), lang)
        sources = Action("sources", version, topic.id, page)
        extra = [
            Button(texts["sources"], callbacks.encode(sources)),
            Button(texts["share"], switch_inline=self._command(topic, lang)),
            Button(texts["subscribe"], callbacks.encode(Action("subscribe", "", topic.id))),
        ]
        rows: list[tuple[Button, ...]] = [tuple(nav)] if nav else []
        rows.append(tuple(extra))
        if briefing.events:
            label = self._calendar_label(list(briefing.events), now=now, lang=lang)
            data = callbacks.encode(Action("ics", version, topic.id))
            rows.append((Button(label, data),))
        return Reply([pages[page]], buttons=tuple(rows), edit=edit, notice=notice)

    def _turn_pages(
        self, kind: str, argument: str, page: int, count: int, lang: str
    ) -> list[Button]:
        """ "‹ Back" and "More › (n/m)" for screen ``page`` of ``count``."""
        texts = TEXTS[lang]
        version = self.catalog.version
        nav = []
        if page > 0:
            back = Action(kind, version, argument, page - 1)
            nav.append(Button(texts["back"], callbacks.encode(back)))
        if page < count - 1:
            more = Action(kind, version, argument, page + 1)
            nav.append(Button(f"{texts['more']} ({page + 2}/{count})", callbacks.encode(more)))
        return nav

    @memoized
    def listings_page(self, key: str, *, now: dt.datetime, lang: str, page: int) -> Reply:
        """Another screen of a filtered listings view (its "More ›" and "‹ Back")."""
        query = EventQuery.from_key(key)
        return self._listings(query, all_events(self.catalog), now=now, lang=lang, page=page)

    @memoized
    def briefing_sources(self, topic: Topic, *, now: dt.datetime, lang: str, back: int) -> Reply:
        briefing = self.catalog.briefing(topic.id)
        if briefing is None:
            return self.topics(lang)
        _, sources = briefing_pages(self.catalog, briefing, now=now, lang=lang)
        back_button = Button(
            TEXTS[lang]["back"],
            callbacks.encode(Action("page", self.catalog.version, topic.id, back)),
        )
        text = sources or TEXTS[lang]["no_sources"]
        return Reply([text], buttons=((back_button,),), edit=True)

    # --- listings ------------------------------------------------------------------------

    @memoized
    def events(self, words: str, *, now: dt.datetime, lang: str, edit: bool = False) -> Reply:
        """``/events`` with optional filters; without any, the events briefing."""
        topic = self.catalog.topic(EVENTS_TOPIC)
        events = all_events(self.catalog)
        if not words.strip():
            if topic is not None and self.catalog.briefing(EVENTS_TOPIC) is not None:
                return self.briefing(topic, now=now, lang=lang, edit=edit)
            query = EventQuery()
        else:
            try:
                query = parse_event_query(words, now=now, cities=known_cities(events))
            except FilterError as error:
                return Reply([escape(error.text(lang))], understood=False)
        return self._listings(query, events, now=now, lang=lang, edit=edit)

    def _listings(
        self,
        query: EventQuery,
        events: list[Event],
        *,
        now: dt.datetime,
        lang: str,
        edit: bool = False,
        page: int | None = None,
    ) -> Reply:
        """Listings for a filter; when nothing was listed for it, say so, then show the rest.

        One screen at a time, like a briefing; ``page`` (a pressed "More ›") edits in place.

        A recurring listing whose rule falls in the window is shown with that date, marked
        as projected; the same month's listings from other years follow, marked past.
        """
        texts = TEXTS[lang]
        selection = select_events(events, query)
        label = self._label(query, lang)
        title = f"{texts['filtered_head']}{' · ' + escape(label) if label else ''}"
        cite = Citations(self.catalog)
        blocks: list[str] = []
        shown = list(selection.events)
        if not selection.listed:
            where = (f"for {label}" if lang == "en" else f"para {label}") if label else ""
            blocks.append(f"<b>{title}</b>\n" + escape(texts["no_listing"].format(label=where)))
        if shown:
            blocks.extend(
                render_events(
                    shown,
                    now=now,
                    lang=lang,
                    cite=cite,
                    title=title if selection.listed else texts["recurring"],
                    projected=selection.projected,
                )
            )
        if not selection.listed:
            others, same_month = self._instead(query, events, shown)
            if same_month:
                years = ", ".join(sorted({e.start[:4] for e in others}))
                intro = texts["instead_month"].format(years=years)
            else:
                intro = texts["instead_all"]
            if others:
                blocks.extend(render_events(others, now=now, lang=lang, cite=cite, title=intro))
            shown.extend(others)
        if cite.refs:
            blocks.append(cite.block(lang))
        pages = paginate(blocks, SCREEN_LIMIT)
        number = min(max(page or 0, 0), len(pages) - 1)
        rows = list(self._calendar_buttons(query, shown, lang, now=now))
        try:
            nav = self._turn_pages("events", query.key(), number, len(pages), lang)
        except callbacks.CallbackTooLong:  # an odd, long city name: whole messages instead
            return Reply(split_message(blocks), buttons=tuple(rows), edit=edit)
        if nav:
            rows.insert(0, tuple(nav))
        return Reply([pages[number]], buttons=tuple(rows), edit=edit or page is not None)

    @staticmethod
    def _instead(
        query: EventQuery, events: list[Event], shown: list[Event]
    ) -> tuple[list[Event], bool]:
        """What to show when nothing is listed for the filter, and whether it is the same
        month in other years: else the filter without its dates, the city, or everything."""
        others = [e for e in same_month_other_years(events, query) if e not in shown]
        if others:
            return others, True
        nearest = (
            filter_events(events, query.without_window())
            or filter_events(events, EventQuery(city=query.city))
            or events
        )
        return [e for e in nearest if e not in shown], False

    def _chosen(self, query: EventQuery, events: list[Event]) -> list[Event]:
        """Every listing a filtered view shows, as its "Add all" button adds them."""
        selection = select_events(events, query)
        shown = list(selection.events)
        if not selection.listed:
            shown.extend(self._instead(query, events, shown)[0])
        return shown

    def _label(self, query: EventQuery, lang: str) -> str:
        texts = TEXTS[lang]
        parts = [query.city.title()] if query.city else []
        parts.extend(texts[f"kind_{kind}"] for kind in query.kinds)
        if query.free:
            parts.append(texts["free_label"])
        if query.max_price is not None:
            parts.append(texts["under_label"].format(n=query.max_price))
        if query.start and query.end:
            days = (query.end - query.start).days
            if query.start.day == 1 and 28 <= days <= 31:
                parts.append(format_date(query.start.isoformat()[:7], lang))
            elif days == 1:
                parts.append(format_date(query.start.isoformat(), lang))
            else:
                last = query.end - dt.timedelta(days=1)
                parts.append(
                    f"{format_date(query.start.isoformat(), lang)} – "
                    f"{format_date(last.isoformat(), lang)}"
                )
        return " · ".join(parts)

    def _calendar_label(self, chosen: list[Event], *, now: dt.datetime, lang: str) -> str:
        """ "Add all 5 to calendar", "Add to calendar" for one; "(all past)" when they are."""
        texts = TEXTS[lang]
        past = "_past" if all(_all_past(e, now) for e in chosen) else ""
        if len(chosen) == 1:
            return texts[f"calendar_single{past}"]
        return texts[f"calendar_all{past}"].format(n=len(chosen))

    def _calendar_buttons(
        self, query: EventQuery, chosen: list[Event], lang: str, *, now: dt.datetime
    ) -> tuple[tuple[Button, ...], ...]:
        """One button per listing when there are few, then one for them all.

        A listing that is over says so on its button: a reader adding it knows it is past.
        """
        texts = TEXTS[lang]
        version = self.catalog.version
        rows: list[tuple[Button, ...]] = []
        everything = all_events(self.catalog)
        if len(chosen) <= PER_EVENT_BUTTONS:
            for event in chosen:
                title = event.title if len(event.title) <= 28 else event.title[:27] + "…"
                index = everything.index(event)
                data = callbacks.encode(Action("ics_one", version, str(index)))
                past = "_past" if _all_past(event, now) else ""
                rows.append((Button(texts[f"calendar_one{past}"].format(title=title), data),))
        if len(chosen) == 1:
            return tuple(rows)  # its own button already adds it
        try:
            data = callbacks.encode(Action("ics", version, "~" + query.key()))
        except callbacks.CallbackTooLong:
            return tuple(rows)
        rows.append((Button(self._calendar_label(chosen, now=now, lang=lang), data),))
        return tuple(rows)

    @memoized
    def calendar(self, argument: str, *, now: dt.datetime, lang: str) -> Reply:
        """The .ics of a topic's listings (``events``) or of a filter (``~city~from~to``)."""
        events = all_events(self.catalog)
        topic_id, _, key = argument.partition("~")
        if topic_id:
            briefing = self.catalog.briefing(topic_id)
            chosen = list(briefing.events) if briefing else []
            label = topic_id
        else:
            query = EventQuery.from_key(key)
            chosen = self._chosen(query, events)
            label = self._label(query, lang) or "all listings"
        return self._ics(chosen, label, now=now, lang=lang)

    @memoized
    def calendar_one(self, index: int, *, now: dt.datetime, lang: str) -> Reply:
        events = all_events(self.catalog)
        if not 0 <= index < len(events):
            return self.events("", now=now, lang=lang)
        return self._ics([events[index]], events[index].title, now=now, lang=lang)

    def _ics(self, chosen: list[Event], label: str, *, now: dt.datetime, lang: str) -> Reply:
        if not chosen:
            return Reply([escape(TEXTS[lang]["no_listing"].format(label=""))], understood=False)
        content = events_to_ics(chosen, now=now, name=f"briefbot · {label}")
        slug = "-".join(label.lower().replace("·", " ").split())[:40] or "listings"
        caption = TEXTS[lang]["ics_caption"].format(
            count=count_listings(len(chosen), lang), label=escape(label)
        )
        return Reply(
            [],
            attachment=Attachment(f"briefbot-{slug}.ics", content, caption),
            notice=TEXTS[lang]["ics_sent"],
        )

    # --- buttons and links ---------------------------------------------------------------

    @memoized
    def button(self, data: str | None, *, now: dt.datetime, lang: str) -> Reply:
        """A pressed button. Old or forged data gets the nearest sensible answer."""
        texts = TEXTS[lang]
        action = callbacks.decode(data)
        if action is None:
            return self._replace(self.topics(lang), texts["bad_button"])
        stale = action.version != self.catalog.version
        if action.kind in ("topic", "page", "sources"):
            topic = self.catalog.topic(action.argument)
            if topic is None:
                return self._replace(self.topics(lang), texts["gone"])
            if action.kind == "sources" and not stale:
                return self.briefing_sources(topic, now=now, lang=lang, back=action.page)
            page = 0 if stale or action.kind == "topic" else action.page
            notice = texts["updated"] if stale and action.kind != "topic" else None
            return self.briefing(
                topic, now=now, lang=lang, page=page, edit=action.kind != "topic", notice=notice
            )
        if action.kind == "events":
            try:
                return self.listings_page(action.argument, now=now, lang=lang, page=action.page)
            except ValueError:
                return self._replace(self.topics(lang), texts["bad_button"])
        if action.kind == "ics":
            try:
                return self.calendar(action.argument, now=now, lang=lang)
            except ValueError:
                return self._replace(self.topics(lang), texts["bad_button"])
        if action.kind == "ics_one":
            index = read_number(action.argument)
            if stale or index is None:
                reply = self.events("", now=now, lang=lang)
                return dataclasses.replace(reply, notice=texts["stale_button"])
            return self.calendar_one(index, now=now, lang=lang)
        return self._replace(self.topics(lang), texts["bad_button"])

    @staticmethod
    def _replace(reply: Reply, notice: str) -> Reply:
        return dataclasses.replace(reply, notice=notice, understood=False)

    @memoized
    def deep_link(self, payload: str, *, now: dt.datetime, lang: str) -> Reply:
        link = read_payload(self.catalog, payload)
        if link is None:
            return self.welcome(lang, note=TEXTS[lang]["bad_link"])
        if link.topic.id == EVENTS_TOPIC or link.words:
            if link.topic.id == EVENTS_TOPIC:
                reply = self.events(link.words, now=now, lang=lang)
                if reply.understood:
                    return reply
            return self.welcome(lang, note=TEXTS[lang]["bad_link"])
        return self.briefing(link.topic, now=now, lang=lang)

    # --- free text -----------------------------------------------------------------------

    @memoized
    def unknown_command(self, text: str, *, now: dt.datetime, lang: str) -> Reply:
        """``/cubaa``: a close command answers, a few near ones are offered, else help."""
        command = text.split()[0]
        name = command.lstrip("/").split("@", 1)[0].lower()
        topic = topic_by_command(self.catalog, name)
        if topic is not None:
            return self.briefing(topic, now=now, lang=lang)
        ranked = rank_commands(self.catalog, name)
        if ranked and ranked[0].score >= CONFIDENT - 6:
            return self.topic_reply(ranked[0].topic, text, now=now, lang=lang)
        close = [m.topic for m in ranked if m.score >= WEAK + 8][:3]
        if close:
            return self._choices(close, command, lang)
        message = TEXTS[lang]["unknown_command"].format(command=escape(quoted(command)))
        return Reply([message], understood=False)

    @memoized
    def topic_reply(self, topic: Topic, text: str, *, now: dt.datetime, lang: str) -> Reply:
        """A topic found by a command or by words; listings keep any filter words."""
        if topic.id == EVENTS_TOPIC:
            events = all_events(self.catalog)
            query = parse_event_query(text, now=now, cities=known_cities(events), lenient=True)
            if not query.is_empty:
                return self._listings(query, events, now=now, lang=lang)
        return self.briefing(topic, now=now, lang=lang)

    @memoized
    def free_text(self, text: str, *, now: dt.datetime, lang: str) -> Reply:
        text = text.strip()
        if not text:
            return Reply([TEXTS[lang]["empty"]], understood=False)
        if text.startswith("/"):
            return self.unknown_command(text, now=now, lang=lang)
        words = fold(text).strip(" !?.¡¿,:)(")
        if words in GREETINGS:
            return self.welcome(lang)
        if words in THANKS:
            return Reply([TEXTS[lang]["thanks"]])
        lang = read_question(text).language(lang)  # "¿qué pasó con Pemex?" gets Spanish
        ranked = rank_topics(self.catalog, text)
        if (
            ranked
            and ranked[0].score >= CONFIDENT
            and (len(ranked) == 1 or ranked[0].score - ranked[1].score >= 3)
        ):
            topic = ranked[0].topic
            found = self._more_than_topic(topic, text, now=now, lang=lang)
            return found or self.topic_reply(topic, text, now=now, lang=lang)
        named = self._named_listing(text, now=now, lang=lang)
        if named is not None:
            return named
        listings = self._listing_question(text, now=now, lang=lang)
        if listings is not None:
            return listings
        close = [m.topic for m in ranked if m.score >= WEAK][:3]
        found = self._search(text, now=now, lang=lang)
        if found is not None:
            return found
        if close:
            return self._choices(close, text, lang)
        return self._nothing(text, lang)

    def _nothing(self, text: str, lang: str) -> Reply:
        """An honest "nothing", naming what the bot does cover."""
        suggestions = " ".join(f"/{self._command(t, lang)}" for t in self.catalog.topics)
        covered = ", ".join(escape(topic_name(t, lang)) for t in self.catalog.topics)
        message = TEXTS[lang]["nothing"].format(
            text=escape(quoted(text)), covered=covered, suggestions=suggestions
        )
        return Reply([message], understood=False, buttons=self._topic_buttons(lang))

    # --- search ----------------------------------------------------------------------------

    @property
    def index(self) -> SearchIndex:
        """The catalog's search index (built once per catalog, see fulltext.py)."""
        return index_for(self.catalog)

    @memoized
    def search(self, words: str, *, now: dt.datetime, lang: str) -> Reply:
        """``/search words`` (``/buscar``): cited sentences on a name, place or number."""
        if not words.strip():
            return Reply([TEXTS[lang]["search_usage"]], understood=False)
        found = self._search(words, now=now, lang=lang)
        return found or self._nothing(words, read_question(words).language(lang))

    def _search(
        self, text: str, *, now: dt.datetime, lang: str, question: Question | None = None
    ) -> Reply | None:
        """The search's answer to ``text`` (read as ``question`` when given), or None when
        nothing relevant is indexed."""
        question = question or read_question(text)
        found = self.index.search(question)
        if question.wants_next:  # the listing first, with its next date
            listing = self.index.search(question, limit=1, kinds=frozenset({"listing"}))
            if listing.hits:
                first = listing.hits[0].row
                rest = tuple(h for h in found.hits if h.row != first)[:4]
                found = dataclasses.replace(found, hits=listing.hits + rest)
        if not found.hits:
            return None
        return search_reply(
            self.catalog,
            found,
            text,
            now=now,
            lang=question.language(lang),
            wants_next=question.wants_next,
            subject=question.subject,
        )

    def _more_than_topic(
        self, topic: Topic, text: str, *, now: dt.datetime, lang: str
    ) -> Reply | None:
        """ "Cuban Missile Crisis" names the Cuba topic and asks about more: when some
        sentence has every word of it, that answers better than the briefing. A topic's
        name alone, or listings with filters ("jazz in zapopan"), stay the topic's."""
        if topic.id == EVENTS_TOPIC:
            return None
        question = read_question(text)
        names = {word for name in search_names(topic) for word in name.split()}
        if all(_is_one_of(term, names) for term in question.terms):  # "missing peple"
            return None
        found = self.index.search(question)
        if not found.hits or found.partial:
            return None
        return self._search(text, now=now, lang=lang)

    def _named_listing(self, text: str, *, now: dt.datetime, lang: str) -> Reply | None:
        """ "¿Dónde es el concierto de Nation of Language?": a kind of outing and a name. When
        a listing has every word besides the filter's ("nation", "language"), that listing
        answers, not every concert."""
        question = read_question(text)
        cities = {word for city in known_cities(all_events(self.catalog)) for word in city.split()}
        names = tuple(t for t in question.terms if t not in FILTER_WORDS and t not in cities)
        if not names or len(names) == len(question.terms):
            return None
        named = dataclasses.replace(question, terms=names)
        found = self.index.search(named, kinds=frozenset({"listing"}))
        if not found.hits or found.partial:
            return None
        return self._search(text, now=now, lang=lang, question=named)

    def _listing_question(self, text: str, *, now: dt.datetime, lang: str) -> Reply | None:
        """ "anything free this weekend", "conciertos gratis": words only listings answer
        (a price or a kind of outing) reach the /events filters with the rest of the words."""
        if self.catalog.topic(EVENTS_TOPIC) is None:
            return None
        events = all_events(self.catalog)
        query = parse_event_query(text, now=now, cities=known_cities(events), lenient=True)
        if not query.has_listing_filter:
            return None
        return self._listings(query, events, now=now, lang=lang)

    def _choices(self, matches: list[Topic], text: str, lang: str) -> Reply:
        lines = [TEXTS[lang]["not_sure"].format(text=escape(quoted(text)))]
        lines.extend(f"/{self._command(t, lang)} — {escape(topic_name(t, lang))}" for t in matches)
        buttons = tuple((self._topic_button(t, lang),) for t in matches)
        return Reply(["\n".join(lines)], understood=False, buttons=buttons)


INGESTED_PREFIX = "doc_"  # briefings/documents.py: what ingest and feeds brought
FETCHED_SHOWN = 5  # an outlet's newest articles named on /sources; the rest are counted


def _fetched_block(outlet: str, articles: list[ArticleInfo], lang: str) -> str:
    """An outlet's fetched articles: its newest few by name, the rest counted, so that
    /sources stays a page however many articles the feeds brought."""
    texts = TEXTS[lang]
    newest = sorted(articles, key=lambda a: (a.date or "", a.key), reverse=True)
    heading = texts["fetched_heading"].format(outlet=escape(outlet), count=len(articles))
    lines = [f"<b>{heading}</b>"]
    for info in newest[:FETCHED_SHOWN]:
        when = f" ({format_date(info.date, lang)})" if info.date else ""
        lines.append(f"• {article_title(info, lang)}{when}")
    if len(newest) > FETCHED_SHOWN:
        lines.append(texts["fetched_more"].format(n=len(newest) - FETCHED_SHOWN))
    return "\n".join(lines)
