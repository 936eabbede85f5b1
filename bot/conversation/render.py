"""Briefings and events -> Telegram HTML messages. The one place that writes reply text.

Everything a source says is escaped here (``<``, ``>``, ``&``), every tag this module opens
it closes in the same block, and :func:`split_message` cuts only between blocks, so no
message is ever cut inside a tag or an entity. Lengths are counted in UTF-16 code units,
as Telegram counts them. No ``telegram`` import: tests call this directly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulebase, rrulestr

from bot.conversation.occurrences import is_run, on_now, on_today, sessions
from bot.texts import en, es
from briefings.model import ArticleInfo, Briefing, Catalog, Event, Fact, SourceRef, Story, Topic
from briefings.relative import MARKER

MESSAGE_LIMIT = 4096
LABELS = {"en": en.LABELS, "es": es.LABELS}
MONTHS = {"en": en.MONTHS, "es": es.MONTHS}
WEEKDAYS = {"en": en.WEEKDAYS, "es": es.WEEKDAYS}
_TAG = re.compile(r"<[^>]+>")


def escape(text: str) -> str:
    """Text from a source, made safe for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Telegram text limit and offset
    (characters outside the BMP count twice)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def to_plain(message: str) -> str:
    """What a reader sees of an HTML message: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", message))


def split_message(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack blocks (each self-contained HTML) into messages of at most ``limit`` units.

    Blocks are joined by a blank line and never cut, unless one block alone is too long:
    then it is cut between its lines, and a single overlong line is re-escaped as plain
    text and cut between words, so that no tag or entity is ever split.
    """
    pieces: list[str] = []
    for block in blocks:
        pieces.extend(_fit(block, limit))
    messages: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        if utf16_len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = piece
    if current:
        messages.append(current)
    return messages


def _fit(block: str, limit: int) -> list[str]:
    if utf16_len(block) <= limit:
        return [block]
    lines = block.split("\n")
    if len(lines) > 1:
        return [piece for line in lines for piece in _fit(line, limit)]
    words = to_plain(block).split(" ")
    chunks: list[str] = []
    current = ""
    for word in words:
        escaped = escape(word)
        while utf16_len(escaped) > limit:  # one "word" longer than a message
            cut = limit
            while utf16_len(escaped[:cut]) > limit or escaped[:cut].rfind("&") > cut - 6 > 0:
                cut -= 1
            chunks.append(escaped[:cut])
            escaped = escaped[cut:]
        candidate = f"{current} {escaped}" if current else escaped
        if utf16_len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = escaped
    if current:
        chunks.append(current)
    return [c for c in chunks if c]


def format_date(iso: str | None, lang: str = "en") -> str:
    """'2026-02-02' -> '2 Feb 2026'; '2025-03' -> 'Mar 2025'; '1836' -> '1836'."""
    if not iso:
        return ""
    parts = iso[:10].split("-")
    year = parts[0]
    if len(parts) == 1:
        return year
    month = int(parts[1])
    name = MONTHS[lang][month]
    if len(parts) == 2:
        return f"{name} {year}"
    return f"{int(parts[2])} {name} {year}"


def format_moment(moment: dt.datetime, lang: str = "en", with_time: bool = True) -> str:
    day = WEEKDAYS[lang][moment.weekday()]
    text = f"{day} {format_date(moment.date().isoformat(), lang)}"
    return f"{text}, {moment:%H:%M}" if with_time else text


@dataclass
class Citations:
    """Numbers cited articles in order of first use; a mark names the paragraph too.

    ``[2 ¶7]`` is paragraph 7 of the second article in the sources list at the end.
    """

    catalog: Catalog
    articles: list[tuple[str, int]] = field(default_factory=list)
    paragraphs: dict[tuple[str, int], list[SourceRef]] = field(default_factory=dict)

    def mark(self, ref: SourceRef) -> str:
        """``[n ¶p]``; paragraph 0 is the article's title line, cited as ``[n]``."""
        key = (ref.document, ref.article)
        if key not in self.articles:
            self.articles.append(key)
            self.paragraphs[key] = []
        if ref.paragraph == 0:
            return f"[{self.articles.index(key) + 1}]"
        if ref not in self.paragraphs[key]:
            self.paragraphs[key].append(ref)
        return f"[{self.articles.index(key) + 1} ¶{ref.paragraph}]"

    @property
    def refs(self) -> list[SourceRef]:
        return [ref for key in self.articles for ref in self.paragraphs[key]]

    @property
    def any(self) -> bool:
        """Whether anything was cited (a title alone cites its article, no paragraph)."""
        return bool(self.articles)

    def block(self, lang: str) -> str:
        """The sources page: each cited article as a reader can judge it.

        Title, author and outlet as the text gives them (or that it gives neither), the
        photo credit, the article's date, where it is in the seeds and the paragraphs cited.
        """
        labels = LABELS[lang]
        lines = [f"<b>{labels['sources']}</b>"]
        infos = {a.key: a for a in self.catalog.articles}
        for number, (document, article) in enumerate(self.articles, 1):
            info = infos.get(f"{document}#{article}")
            cited = ", ".join(
                f"¶{r.paragraph}"
                for r in sorted(self.paragraphs[(document, article)], key=lambda r: r.paragraph)
            )
            about = source_label(info, lang) if info else escape(f"{document} #{article}")
            lines.append(
                f"[{number}] {about}" + (f" · {labels['cited']} {cited}" if cited else "")
            )
        return "\n".join(lines)


def source_label(info: ArticleInfo, lang: str) -> str:
    """“Title” — by Author (role), Outlet · photo: credit · date · seed 002, line 57."""
    labels = LABELS[lang]
    parts = [article_title(info, lang)]
    who = []
    if info.author:
        role = f" ({info.role})" if info.role else ""
        who.append(labels["by"].format(author=escape(info.author + role)))
    if info.outlet:
        who.append(escape(info.outlet))
    elif info.author:
        who.append(labels["no_outlet"])
    else:
        who.append(labels["no_attribution"])
    if info.kind != "article":
        who.append(labels.get(f"kind:{info.kind}", escape(info.kind)))
    parts.append(", ".join(who))
    if info.credit:
        parts.append(labels["photo"].format(credit=escape(info.credit)))
    if info.date:
        inferred = labels["inferred" if len(info.date) == 4 else "date_inferred"]
        guessed = f" ({inferred})" if info.date_inferred else ""
        parts.append(format_date(info.date, lang) + guessed)
    if info.url and urlsplit(info.url).scheme in ("http", "https"):
        # An ingested page: its address, which the reader can open, instead of a seed line.
        host = urlsplit(info.url).netloc
        parts.append(f'<a href="{html.escape(info.url, quote=True)}">{escape(host)}</a>')
        return " · ".join(parts)
    seed = info.document.split("_", 1)[0].removesuffix(".txt")
    parts.append(labels["seed_line"].format(seed=escape(seed), line=info.line))
    return " · ".join(parts)


def article_title(info: ArticleInfo, lang: str) -> str:
    """“Its name” as HTML, or "untitled article" when nothing in it names it (the rest of
    a source line, its outlet, photo credit and date, then tells it apart)."""
    name = info.title if info.name is None else info.name
    if not name:
        return LABELS[lang]["untitled"]
    return f"“{escape(_short_title(name))}”"


def _short_title(title: str, limit: int = 130) -> str:
    if len(title) <= limit:
        return title
    return title[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—– ") + "…"


def topic_name(topic: Topic, lang: str) -> str:
    return topic.name_es if lang == "es" else topic.name_en


def _section(title: str, items: Iterable[str]) -> str:
    """A bold heading and one bullet per item: one block, never split inside."""
    return "\n".join([f"<b>{title}</b>", *(f"• {item}" for item in items)])


def shown_text(text: str, lang: str) -> str:
    """A source sentence as HTML, its resolved relative dates written out in brackets:
    "on Sunday ⟦2026-02-01⟧" -> "on Sunday [1 Feb 2026]" (see briefings/relative.py)."""
    labels = LABELS[lang]

    def written(match: re.Match[str]) -> str:
        kind, iso = match.group("kind"), match.group("iso")
        date = format_date(iso, lang)
        if kind == "w":
            date = labels["week_of"].format(date=date)
        elif kind == "~":
            date = labels["about"].format(date=date)
        return f" [{date}]"

    return MARKER.sub(written, escape(text))


def _months_between(earlier: dt.date, later: dt.date) -> int:
    delta = relativedelta(later, earlier)
    return delta.years * 12 + delta.months


def news_age(iso: str, today: dt.date, lang: str) -> str:
    """How old news of ``iso`` (any precision) is on ``today``: '10 months old'."""
    labels = LABELS[lang]
    parts = [int(p) for p in iso[:10].split("-")]
    # A month or a year counts from its last day: news of "2026" is not older than 2026.
    if len(parts) == 1:
        day = dt.date(parts[0], 12, 31)
    elif len(parts) == 2:
        day = dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    else:
        day = dt.date(*parts)
    if day >= today:
        return labels["age_today"]
    months = _months_between(day, today)
    if months >= 12:
        years = months // 12
        return labels["age_year"] if years == 1 else labels["age_years"].format(n=years)
    if months >= 1:
        return labels["age_month"] if months == 1 else labels["age_months"].format(n=months)
    days = (today - day).days
    return labels["age_day"] if days == 1 else labels["age_days"].format(n=days)


def date_span(first: str, last: str, lang: str) -> str:
    """'30 Jan – 2 Feb 2026', '2 Feb 2026', 'Jan – Feb 2026'; in Spanish '30 ene al 2 feb 2026'."""
    if first == last or not first:
        return format_date(last, lang)
    a, b = format_date(first, lang), format_date(last, lang)
    if first[:4] == last[:4] and a.endswith(first[:4]):
        a = a[: -len(first[:4])].rstrip()
    return f"{a} al {b}" if lang == "es" else f"{a} – {b}"


def news_when(briefing: Briefing, *, now: dt.datetime, lang: str) -> str | None:
    """'from 1 – 2 Feb 2026, 10 months old' ('del 1 al 2 feb 2026, de hace 10 meses'):
    when the briefing's news is from and how old it is, or None."""
    labels = LABELS[lang]
    if not briefing.news_to:
        return None
    span = date_span(briefing.news_from or briefing.news_to, briefing.news_to, lang)
    if len(briefing.news_to) >= 7:
        age = news_age(briefing.news_to, now.date(), lang)
        return f"{labels['when_span'].format(span=span)}, {age}"
    bound = briefing.news_before
    over = _over_age(bound, now.date(), lang) if bound else None
    if bound and over:
        return f"{labels['when_before'].format(date=format_date(bound, lang))}, {over}"
    return labels["when_year"].format(span=span)


def news_line(briefing: Briefing, *, now: dt.datetime, lang: str) -> str:
    """The line under a briefing's title: when its news is from and how old it is today."""
    labels = LABELS[lang]
    count = len(briefing.articles)
    articles = labels["articles_one"] if count == 1 else labels["articles_many"].format(n=count)
    if not briefing.news_to:
        return f"{labels['no_news']} · {articles}"
    span = date_span(briefing.news_from or briefing.news_to, briefing.news_to, lang)
    if len(briefing.news_to) < 7:  # only the year is known
        before = news_before(briefing, now=now, lang=lang)
        if before:
            return f"{before} · {articles}"
        return f"{labels['news_year'].format(span=span)} · {articles}"
    age = news_age(briefing.news_to, now.date(), lang)
    return f"{labels['news_span'].format(span=span, age=age)} · {articles}"


def news_before(briefing: Briefing, *, now: dt.datetime, lang: str) -> str | None:
    """'News from before 12 Feb 2026 · over 9 months old', for news that gives only its
    year but announces listings (see Briefing.news_before); None without such a bound."""
    labels = LABELS[lang]
    if not briefing.news_before:
        return None
    age = _over_age(briefing.news_before, now.date(), lang)
    if age is None:
        return None
    return labels["news_before"].format(date=format_date(briefing.news_before, lang), age=age)


def _over_age(iso: str, today: dt.date, lang: str) -> str | None:
    """'over 9 months old' for news written before ``iso``; None under a month ("over 0
    months" says nothing: the year alone says as much)."""
    labels = LABELS[lang]
    months = _months_between(dt.date.fromisoformat(iso[:10]), today)
    if months < 1:
        return None
    if months >= 24:
        return str(labels["over_years"].format(n=months // 12))
    return str(labels["over_months"].format(n=months))


def _story_heading(story: Story, lang: str, *, more: bool = False) -> str:
    labels = LABELS[lang]
    date = format_date(story.date, lang) if story.date else ""
    if story.date and story.date_inferred:  # "2026 (year inferred)", "2 Feb 2026 (date …)"
        date += f" ({labels['inferred' if len(story.date) == 4 else 'date_inferred']})"
    parts = [f"<b>{date}</b>" if date else "", _headline(story)]
    heading = " · ".join(part for part in parts if part)
    if more:  # bold first: a screen fills up with its lines (see paginate)
        return f"<b>{labels['more_on']}</b> {heading}".rstrip()
    return heading


TOP_LEDE = 2  # lede sentences of a story after the newest shown at the top


def _story_block(story: Story, cite: Citations, lang: str, *, newest: bool) -> str:
    """One story's top: its date and headline, its lede (and the newest one's figures)."""
    heading = _story_heading(story, lang)
    lines = [heading] if heading else []
    lede = story.lede if newest else story.lede[:TOP_LEDE]
    # A line a sentence: a screen may then end inside a story, never inside a sentence.
    lines.extend(f"{shown_text(s.text, lang)} {cite.mark(s.source)}" for s in lede)
    lines.extend(_fact_line(f, story, cite, lang) for f in (story.facts if newest else ()))
    return "\n".join(lines)


def _fact_line(fact: Fact, story: Story, cite: Citations, lang: str) -> str:
    labels = LABELS[lang]
    as_of = (
        f" ({labels['fact_as_of'].format(date=format_date(fact.as_of, lang))})"
        if fact.as_of and fact.as_of != story.date
        else ""
    )
    # The figure reads as a figure with what it counts ("87% hotel occupancy"), then the
    # source's sentence that says it: never the sentence alone as the figure's label.
    label = f" {escape(fact.measure)}" if fact.measure else ""
    text = shown_text(fact.text, lang)
    said = f"{escape(fact.value)}{label}"
    if (
        text.startswith(said) and not as_of
    ):  # "More than 90% of cases have been …": bold it in place
        return f"• <b>{said}</b>{text[len(said) :]}{as_of} {cite.mark(fact.source)}"
    return f"• <b>{escape(fact.value)}</b>{label}{as_of} — {text} {cite.mark(fact.source)}"


def _story_more(story: Story, cite: Citations, lang: str, *, newest: bool) -> str | None:
    """The rest of a story, after every story's top: details and quotes (and, for the
    stories after the newest, the rest of the lede and the figures)."""
    rest = () if newest else story.lede[TOP_LEDE:]
    facts = () if newest else story.facts
    if not (story.details or story.quotes or rest or facts):
        return None
    lines = [_story_heading(story, lang, more=True)]
    lines.extend(f"• {shown_text(s.text, lang)} {cite.mark(s.source)}" for s in rest)
    lines.extend(_fact_line(f, story, cite, lang) for f in facts)
    lines.extend(f"• {shown_text(s.text, lang)} {cite.mark(s.source)}" for s in story.details)
    for quote in story.quotes:
        who = escape(quote.speaker) + (f", {escape(quote.role)}" if quote.role else "")
        lines.append(
            f"• “{shown_text(quote.text, lang)}” — <i>{who}</i> {cite.mark(quote.source)}"
        )
    return "\n".join(lines)


def _headline(story: Story) -> str:
    return f"<i>{escape(story.headline)}</i>" if story.headline else ""


def render_briefing(
    catalog: Catalog,
    briefing: Briefing,
    *,
    now: dt.datetime,
    lang: str = "en",
    with_sources: bool = True,
    cite: Citations | None = None,
) -> list[str]:
    """One topic's briefing as HTML blocks (pass them to :func:`split_message`).

    Its stories newest first, under a line saying how old the news is today; then the
    dated happenings, the listings, and the background (history, explainers).
    Pass ``cite`` to collect the citations yourself (to put the sources on a page of
    their own); otherwise, with ``with_sources``, they close the last block.
    """
    labels = LABELS[lang]
    topic = catalog.topic(briefing.topic)
    cite = cite if cite is not None else Citations(catalog)
    name = topic_name(topic, lang) if topic else briefing.topic
    header = [f"<b>{escape(name)}</b>", escape(news_line(briefing, now=now, lang=lang))]
    if labels["quoted_in_english"]:
        header.append(f"<i>{labels['quoted_in_english']}</i>")
    blocks = ["\n".join(header)]
    # Every story's top first (the news at a glance), then the listings, then the rest.
    stories = briefing.stories
    # A topic that is mostly listings leads with them; otherwise they follow the news.
    listings_first = len(briefing.events) > len(stories)
    if briefing.events and listings_first:
        blocks.extend(render_events(briefing.events, now=now, lang=lang, cite=cite))
    for story in stories:
        blocks.append(_story_block(story, cite, lang, newest=story is stories[0]))
        more = _story_more(story, cite, lang, newest=True) if len(stories) == 1 else None
        if more:  # one story: its rest follows it, under no second heading
            blocks[-1] += "\n" + more.split("\n", 1)[1]
    if briefing.events and not listings_first:
        blocks.extend(render_events(briefing.events, now=now, lang=lang, cite=cite))
    if len(stories) > 1:
        blocks.extend(
            more
            for story in stories
            if (more := _story_more(story, cite, lang, newest=story is stories[0]))
        )
    news = [e for e in briefing.timeline if _is_news_date(e.date, briefing)]
    history = [e for e in briefing.timeline if not _is_news_date(e.date, briefing)]
    if news:
        blocks.append(
            _section(
                labels["timeline"],
                (
                    f"<b>{format_date(e.date, lang)}</b> — {shown_text(e.text, lang)} "
                    f"{cite.mark(e.source)}"
                    for e in news
                ),
            )
        )
    if briefing.background or history:
        lines = [f"<b>{labels['background']}</b>"]
        if briefing.background:
            lines.append(
                " ".join(
                    f"{shown_text(s.text, lang)} {cite.mark(s.source)}"
                    for s in briefing.background
                )
            )
        lines.extend(
            f"• <b>{format_date(e.date, lang)}</b> — {shown_text(e.text, lang)} "
            f"{cite.mark(e.source)}"
            for e in history
        )
        blocks.append("\n".join(lines))
    if with_sources and cite.refs:
        blocks.append(cite.block(lang))
    return blocks


def _is_news_date(iso: str, briefing: Briefing) -> bool:
    """A dated happening of the news (on or after a week before it starts), not history."""
    start = briefing.news_from
    if not start or len(start) < 7:
        return False
    first = dt.date.fromisoformat(start[:7] + "-01") - dt.timedelta(days=31)
    return iso[:10] >= first.isoformat()[: len(iso[:10])]


SCREEN_LIMIT = 1800


def briefing_pages(
    catalog: Catalog, briefing: Briefing, *, now: dt.datetime, lang: str = "en"
) -> tuple[list[str], str]:
    """A briefing as screens of about a phone screen each, and its sources as one page.

    Screens are cut between lines (see :func:`paginate`), and each line carries its own
    citation, so "More ›" never splits a fact from its source. The sources page is one
    message: a topic cites a few dozen articles at most, far under Telegram's limit.
    """
    cite = Citations(catalog)
    blocks = render_briefing(catalog, briefing, now=now, lang=lang, with_sources=False, cite=cite)
    pages = paginate(blocks, SCREEN_LIMIT)
    sources = split_message([cite.block(lang)])[0] if cite.refs else ""
    return pages, sources


def paginate(blocks: Sequence[str], limit: int) -> list[str]:
    """Fill screens line by line; a section cut between screens repeats its heading.

    Unlike :func:`split_message`, which keeps blocks whole, a screen here is filled up,
    so a long list of figures starts right after the summary instead of a screen later.
    Other blocks (a listing with its details) move whole to the next screen when they fit
    one. Lines are whole (each closes its own tags), so no cut is ever inside a tag.
    """
    pages: list[str] = []
    current = ""
    for block in blocks:
        lines = [piece for line in block.split("\n") for piece in _fit(line, limit - 100)]
        heading = lines[0] if lines[0].startswith("<b>") and len(lines) > 1 else None
        whole = f"{current}\n\n{block}" if current else block
        if heading is None and current and utf16_len(whole) > limit >= utf16_len(block):
            pages.append(current)  # keep this block together on the next screen
            current = ""
        separator = "\n\n"
        for number, line in enumerate(lines):
            candidate = f"{current}{separator}{line}" if current else line
            if utf16_len(candidate) <= limit:
                current = candidate
            else:
                pages.append(current)
                if heading and number > 1:
                    current = f"{heading} …\n{line}"
                elif heading and number == 1:  # never leave a heading alone at a page end
                    pages[-1] = pages[-1].removesuffix(f"\n\n{heading}").removesuffix(heading)
                    current = f"{heading}\n{line}"
                else:
                    current = line
            separator = "\n"
    if current:
        pages.append(current)
    return [page for page in pages if page.strip()]


def _local(iso: str, zone: ZoneInfo) -> dt.datetime:
    value = dt.datetime.fromisoformat(iso)
    return value.replace(tzinfo=zone)


def event_is_over(event: Event, now: dt.datetime) -> bool:
    """Over when its last session (or its run) has ended in the event's own time zone.

    A session with no end given is over when its day is (see :mod:`occurrences`).
    """
    return max(session.end for session in sessions(event)) <= now


def next_by_rule(event: Event, now: dt.datetime) -> dt.datetime | None:
    """The next date the event's recurrence rule gives after ``now``, if it has one."""
    if not event.rrule:
        return None
    zone = ZoneInfo(event.timezone)
    rule = _rule(event.rrule, event.occurrences[0].start, event.timezone)
    following = rule.after(now.astimezone(zone))
    return following if isinstance(following, dt.datetime) else None


@functools.lru_cache(maxsize=256)
def _rule(rrule: str, start: str, timezone: str) -> rrulebase:
    """A listing's rule, parsed once (parsing costs more than finding its next date)."""
    return rrulestr(rrule, dtstart=_local(start, ZoneInfo(timezone)))


def next_beyond_listing(event: Event, now: dt.datetime) -> dt.datetime | None:
    """The rule's next date when it says something the listing doesn't: a date after the
    listing's own sessions (or its run). "Next: Sat 7 Feb" under a listing for Sat 7 Feb,
    or an opening day inside an exhibition's listed run, repeats the listing."""
    following = next_by_rule(event, now)
    if following is None:
        return None
    last = max(session.end for session in sessions(event))
    return following if following >= last else None


def count_listings(count: int, lang: str) -> str:
    """ "1 listing", "5 listings" (or the Spanish)."""
    labels = LABELS[lang]
    return labels["listing_one"] if count == 1 else labels["listing_many"].format(n=count)


def event_status(event: Event, now: dt.datetime) -> str:
    """past, on now, today, running (a run, now closed) or upcoming; see
    :mod:`occurrences` for what "on now" needs."""
    if event_is_over(event, now):
        return "past"
    if on_now(event, now):
        return "ongoing"
    if on_today(event, now):
        return "today"
    if is_run(event) and sessions(event)[0].start <= now:
        return "running"  # an exhibition between its opening hours
    return "upcoming"


def _when(event: Event, lang: str) -> str:
    zone = ZoneInfo(event.timezone)
    parts = []
    for occurrence in event.occurrences:
        start = _local(occurrence.start, zone)
        has_time = "T" in occurrence.start
        text = format_moment(start, lang, with_time=has_time)
        if occurrence.end:
            end = _local(occurrence.end, zone)
            if end.date() == start.date() and "T" in occurrence.end:
                text += f"–{end:%H:%M}"
            elif end.date() != start.date():
                text += f" – {format_moment(end, lang, with_time='T' in occurrence.end)}"
        parts.append(text)
    if event.end and len(event.occurrences) == 1 and not event.occurrences[0].end:
        parts[-1] += f" – {format_date(event.end, lang)}"
    elif event.end and event.rrule and event.end[:10] != event.occurrences[-1].start[:10]:
        parts[-1] += f" … {format_date(event.end[:10], lang)}"
    return "; ".join(parts)


_NOTE_PATTERNS = (
    (re.compile(r"^not including service fees$"), "note:not including service fees"),
    (re.compile(r"^not including fees$"), "note:not including fees"),
    (re.compile(r"^also at the (?P<place>.+) box office$"), "note:also at the {place} box office"),
    (
        re.compile(r"^Open (?P<days>[A-Z][a-z]{2}–[A-Z][a-z]{2}), (?P<hours>.+)$"),
        "note:Open {days}, {hours}",
    ),
)
# The compiler writes weekdays in English ("Open Tue–Sun"): each to the reader's language.
_WEEKDAY_NAMES = {
    lang: dict(zip(en.WEEKDAYS, names, strict=True)) for lang, names in WEEKDAYS.items()
}


def listing_note(note: str, lang: str) -> str:
    """A note the compiler derived from a listing, in the reader's language.

    The compiler writes a few fixed phrases ("not including service fees", "Open
    Tue–Sun, 10:00–18:00"); each has its Spanish form in LABELS. Anything else is the
    listing's own words and stays as written.
    """
    if lang == "en":
        return note
    for pattern, key in _NOTE_PATTERNS:
        match = pattern.match(note)
        if match and key in LABELS[lang]:
            values = dict(match.groupdict())
            if "days" in values:
                values["days"] = "–".join(
                    _WEEKDAY_NAMES[lang].get(day, day) for day in values["days"].split("–")
                )
            return LABELS[lang][key].format(**values)
    return note


def _price(event: Event, lang: str) -> str | None:
    labels = LABELS[lang]
    price = event.price
    if price is None:
        return None
    if price.free:
        return labels["free"]
    if price.amount is None:
        return None
    amount = f"{price.amount} {price.currency}"
    text = f"{labels['from']} {amount}" if price.minimum else amount
    if not price.note:
        return text
    note = "; ".join(listing_note(part, lang) for part in price.note.split("; "))
    return f"{text} ({note})"


NOTE_INLINE = 80  # notes shorter than this share the details line


def render_event(
    event: Event,
    *,
    now: dt.datetime,
    lang: str,
    cite: Citations | None,
    projected: dt.datetime | None = None,
) -> str:
    """One listing; ``projected`` is a date its rule gives in a window the reader asked for."""
    labels = LABELS[lang]
    if projected is not None:
        status = labels["upcoming"] if projected > now else labels["past"]
    else:
        status = labels[event_status(event, now)]
    place = ", ".join(p for p in (event.venue, event.address, event.city) if p)
    if projected is not None:
        when = f"{format_moment(projected, lang)} ({status}, {labels['by_rule']})"
        lines = [f"• <b>{escape(event.title)}</b> — {escape(when)}"]
        lines.append(f"  ↻ {labels['projected']}: {escape(_when(event, lang))}")
    else:
        lines = [f"• <b>{escape(event.title)}</b> — {escape(_when(event, lang))} ({status})"]
    if event.rrule and projected is None:
        following = next_beyond_listing(event, now)
        if following is not None:
            lines.append(f"  ↻ {labels['next']}: {format_moment(following, lang)}")
    details = [escape(place)] if place else []
    price = _price(event, lang)
    # "Mazatlán" alone leaves a reader asking whether it costs anything: say it isn't said
    details.append(escape(price) if price else labels["no_price"])
    if event.age_limit:
        details.append(labels["age"].format(age=event.age_limit))
    short = [note for note in event.notes if len(note) < NOTE_INLINE]
    details.extend(escape(listing_note(note, lang)) for note in short)
    if event.year_inferred:
        details.append(labels["inferred"])
    mark = f" {cite.mark(event.source)}" if cite else ""
    lines.append("  " + " · ".join(details) + mark)
    # A long note (a festival's program) gets lines of its own; a listing longer than a
    # screen is cut between these lines by :func:`paginate`, like a briefing.
    for number, note in enumerate(event.notes):
        if len(note) >= NOTE_INLINE:
            source = event.note_sources[number] if number < len(event.note_sources) else None
            note_mark = f" {cite.mark(source)}" if cite and source else ""
            lines.append(f"  {escape(note)}{note_mark}")
    return "\n".join(lines)


def events_preamble(events: Sequence[Event], *, now: dt.datetime, lang: str) -> str:
    """Say plainly when the listings are in the past, with their dates."""
    labels = LABELS[lang]
    today = format_date(now.date().isoformat(), lang)
    over = [e for e in events if event_is_over(e, now)]
    if events and len(over) == len(events):
        first = min(e.start[:7] for e in events)
        last = max((e.end or e.start)[:7] for e in events)
        span = date_span(first, last, lang)  # "Jan – Mar 2026", "ene al mar 2026"
        return labels["all_past"].format(today=today, span=span)
    if over:
        return labels["some_past"].format(today=today)
    return labels["none_past"].format(today=today)


def render_events(
    events: Sequence[Event],
    *,
    now: dt.datetime,
    lang: str = "en",
    cite: Citations | None = None,
    title: str | None = None,
    projected: dict[str, dt.datetime] | None = None,
) -> list[str]:
    """A listings section: a line on where today stands, then one block per event.

    ``projected`` maps an event id to the date its rule gives in the asked-for window;
    such an event is judged by that date, not by its listed (past) one.
    """
    labels = LABELS[lang]
    if not events:
        return [labels["no_events"]]
    projected = projected or {}
    listed = [e for e in events if e.id not in projected]
    head = f"<b>{title if title is not None else labels['events']}</b>"
    if listed:
        head += f"\n{escape(events_preamble(listed, now=now, lang=lang))}"
    return [
        head,
        *(
            render_event(e, now=now, lang=lang, cite=cite, projected=projected.get(e.id))
            for e in events
        ),
    ]
