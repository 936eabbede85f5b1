"""Every word the bot says in English, by the part of the bot that says it.

Plain data: HTML where a reply is HTML (``<b>``), ``{placeholders}`` filled by the module that
says it. tests/unit/test_texts.py checks that both languages have the same names and keys.
"""

from __future__ import annotations

# Replies to commands, buttons and typed words.
ANSWERS = {
    "about_page": (
        "<b>About briefbot</b>\nEvery summary sentence, figure, date and quote is taken "
        "from a source document and cites it as [n ¶p]: article n of the sources list, "
        "paragraph p. Catalog version <code>{version}</code>, built from {documents} "
        "documents ({articles} articles)."
    ),
    "no_briefing": "Nothing on <b>{topic}</b> in the catalog yet.",
    "no_sources": "No sources.",
    "seed_heading": "Seed {seed}",
    "fetched_heading": "{outlet} · {count} articles fetched",
    "fetched_more": "… and {n} older",
    "welcome": (
        "<b>Welcome to briefbot.</b> Short, sourced briefings on news from Mexico: "
        "every sentence and figure cites the article it comes from.\n"
        "Pick a topic, send a command such as /cuba, or just type what you want."
    ),
    "help": (
        "<b>briefbot</b> serves sourced news briefings about Mexico.\n"
        "Send a topic command, or just type what you want (typos welcome).\n\n"
        "{topics}\n\n"
        "<b>Listings</b>: /events takes a city, a month, a range, a price and a kind in any "
        "order, e.g. <code>/events guadalajara feb</code>, <code>/events next month</code>, "
        "<code>/events free</code>, <code>/events music under 500</code>.\n"
        "<b>Search</b>: ask about a person, place, company, figure or event, e.g. "
        "<code>who is Sheinbaum</code>, <code>Pemex oil</code>, or /search words.\n"
        "<b>Anywhere</b>: type <code>@{bot} cuba</code> in any chat to share a briefing.\n"
        "<b>Digests</b>: <code>/subscribe cuba daily 07:30</code> or just /subscribe; "
        "/subscriptions, /timezone, /quiet, /digest.\n\n"
        "/topics — all topics · /sources — the documents behind them · /about"
    ),
    "topics": "<b>Topics</b> — pick one:",
    "more": "More ›",
    "back": "‹ Back",
    "sources": "Sources",
    "share": "Share",
    "calendar_all": "📅 Add all {n} to calendar",
    "calendar_single": "📅 Add to calendar",
    "calendar_all_past": "📅 Add all {n} to calendar (all past)",
    "calendar_single_past": "📅 Add to calendar (past)",
    "calendar_one": "📅 {title}",
    "calendar_one_past": "📅 {title} (past)",
    "free_label": "free",
    "under_label": "under {n} MXN",
    "kind_music": "music",
    "kind_dance": "ballet & dance",
    "kind_art": "art & exhibitions",
    "kind_family": "family",
    "kind_sports": "sports",
    "kind_festival": "festivals",
    "kind_nightlife": "nightlife",
    "ics_sent": "Calendar file sent",
    "ics_caption": "{count} for your calendar · {label}",
    "updated": "The catalog was updated since this message; here is the current briefing.",
    "gone": "That topic is no longer in the catalog. Here are the current topics.",
    "stale_button": "That button is from an older message; here is the current list.",
    "bad_button": "That button no longer works. Here are the topics.",
    "no_listing": "No listings {label}.",
    "instead_month": "The listings I have for that month are from {years}",
    "instead_all": "Here is what I have",
    "not_sure": "Not sure what “{text}” means. Did you mean:",
    "nothing": (
        "I have nothing on “{text}”. I cover {covered}. Try one of: {suggestions}, or "
        "/search a name, place or number in them."
    ),
    "unknown_command": "I don't know the command {command}. Send /help for the topics.",
    "empty": "Send a topic such as /cuba, or type what you are looking for.",
    "bad_link": "That link didn't point to a briefing I have, so here is the start.",
    "filtered_head": "Listings",
    "thanks": "You're welcome. Send /topics any time for the briefings.",
    "recurring": "Recurring listings that fall in that period by their rule",
    "subscribe": "🔔 Subscribe",
    # Answers from the search index (/search, /buscar, and questions typed as free text).
    "search_head": "<b>What the sources say about “{text}”</b>",
    "search_read_as": "I read {pairs}.",
    "search_read_pair": "“{typed}” as “{found}”",
    "search_listings": "Listings",
    "search_next_rule": "<b>{title}</b>: next date by its rule: <b>{date}</b>.",
    "search_next_listed": "<b>{title}</b>: next listed date: <b>{date}</b>.",
    "search_next_none": (
        "<b>{title}</b>: every listed date has passed (the last was {date}), and the source "
        "gives no rule for later ones."
    ),
    "search_usage": (
        "Send words to look for after the command, e.g. <code>/search Sheinbaum</code>, "
        "<code>/search Pemex oil</code> or <code>/search swan lake</code>."
    ),
    "search_open": "📰 {topic}",
    "search_undated": "undated",
    "search_inline_source": "Source",
    # Plain text (the caller escapes it): the person's word is quoted inside.
    "bad_filter": (
        "I can't read “{word}” as a filter. /events takes a city ({cities}), a month (feb, "
        "february 2026), a range (today, this week, next week, this weekend, this month, "
        "next month), a price (free, under 500) or a kind (music, dance, art, family, sports, "
        "festival, nightlife), in any order. Example: /events guadalajara feb"
    ),
}


# Headings and labels inside a rendered briefing or listing.
# Dates as the bot writes them: "2 Feb 2026", "Mon 2 Feb 2026" (index 0 of MONTHS is unused).
MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

LABELS = {
    "as_of": "As of",
    "facts": "Key figures",
    "timeline": "Timeline",
    "quotes": "Quotes",
    "events": "Listings",
    "sources": "Sources",
    "past": "past",
    "upcoming": "upcoming",
    "ongoing": "on now",
    "today": "today",
    "running": "running, closed now",
    "listing_one": "1 listing",
    "listing_many": "{n} listings",
    "free": "Free",
    "no_price": "price not given",
    "from": "from",
    "next": "next date by its rule",
    "projected": "a repeat of the listing for",
    "by_rule": "by its rule, not a new listing; check before going",
    "recurs": "recurs",
    "inferred": "year inferred",
    "all_past": ("Today is {today}. These listings are from {span}; every date below has passed."),
    "some_past": "Today is {today}. Listings already over are marked past.",
    "none_past": "Today is {today}.",
    "no_events": "No listings match.",
    "age": "{age}+ only",
    "article": "article",
    "line": "line",
    "news_span": "News from {span} · {age}",
    "news_year": "News from {span}",
    "when_span": "from {span}",
    "when_year": "from {span}",
    "when_before": "from before {date}",
    "news_before": "News from before {date} · {age}",
    "over_months": "over {n} months old",
    "over_years": "over {n} years old",
    "no_news": "No dated news on this; background only",
    "age_today": "from today",
    "age_days": "{n} days old",
    "age_day": "1 day old",
    "age_months": "{n} months old",
    "age_month": "1 month old",
    "age_years": "{n} years old",
    "age_year": "1 year old",
    "articles_one": "1 article",
    "articles_many": "{n} articles",
    "background": "Background",
    "earlier": "Earlier",
    "date_inferred": "date inferred",
    "week_of": "week of {date}",
    "about": "about {date}",
    "quoted_in_english": "",
    "by": "by {author}",
    "untitled": "untitled article",
    "no_attribution": "no byline or outlet in the text",
    "no_outlet": "no outlet named",
    "photo": "photo: {credit}",
    "seed_line": "seed {seed}, line {line}",
    "cited": "cited",
    "kind:post with a comment form": "a post with a comment form",
    "kind:blog post": "a blog post",
    "fact_as_of": "as of {date}",
    "inline_source": "Source: {source}, ¶{paragraph}",
    "inline_more": "More: /{command} in a chat with the bot.",
    "more_on": "More:",
    "note:not including service fees": "not including service fees",
    "note:not including fees": "not including fees",
    "note:also at the {place} box office": "also at the {place} box office",
    "note:Open {days}, {hours}": "Open {days}, {hours}",
}


# The reference commands in the menu next to the text box.
MENU_COMMANDS = (
    ("topics", "All topics as buttons"),
    ("search", "Find a name, place, figure or event in the news"),
    ("sources", "The documents behind the briefings"),
    ("help", "How to ask, with examples"),
    ("about", "How briefings cite their sources"),
    ("subscribe", "Get a digest daily, weekly or monthly"),
    ("subscriptions", "Your digests: pause or remove them"),
    ("timezone", "Your time zone for digests"),
    ("quiet", "Hours with no digests, e.g. 22:00-07:00"),
    ("digest", "Preview a digest now"),
)


# What Telegram shows in an empty chat, and on the bot's profile.
DESCRIPTIONS = (
    "Short, sourced briefings on news from Mexico: Cuba–Mexico relations, missing "
    "persons, security, the Toluca train, listings in Guadalajara and more. Every "
    "sentence and figure cites its article. Type a topic, a question, or @ me in any chat.",
    "Sourced news briefings about Mexico, with listings and calendar files.",
)


# The button under a digest or an inline result.
OPEN_IN_BOT = "Open in briefbot"


# Subscribing: the guided steps, confirmations and lists.
SUBSCRIPTIONS = {
    "ask_what": "<b>Subscribe</b> — what should the digest follow?",
    "ask_cadence": "<b>{title}</b> — how often?",
    "ask_weekday": "<b>{title}</b> — on which day?",
    "ask_time": (
        "<b>{title}</b>, {schedule} — at what time? Times are in {zone} "
        "(change it with /timezone). Or type e.g. <code>{example}</code>."
    ),
    "daily": "Daily",
    "weekly": "Weekly",
    "monthly": "Monthly (on the 1st)",
    "days": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "all_listings": "All listings",
    "subscribed": (
        "✅ Subscribed{where}: <b>{title}</b>, {schedule} ({zone}).\n"
        "Next digest: {next}.{quiet}\n"
        "/subscriptions to pause or remove it · /digest for a preview now"
    ),
    "updated": (
        "✅ Updated{where}: <b>{title}</b>, now {schedule} ({zone}).\nNext digest: {next}.{quiet}"
    ),
    "quiet_note": " That time is in your quiet hours ({start}–{end}): it arrives at {end}.",
    "none": (
        "No subscriptions here yet. Try <code>/subscribe cuba daily 07:30</code>, "
        "<code>/subscribe events guadalajara monthly 09:00</code> or just /subscribe."
    ),
    "list_head": "<b>Subscriptions</b>{where} · times in {zone}",
    "list_page": "Page {page} of {pages}",
    "list_previous": "‹ Previous",
    "list_next": "Next ›",
    "paused": "paused",
    "unreachable": (
        "<i>⏸ All paused: I could not reach this chat with the last digest. They resume once "
        "it works again: send /subscribe here (for a channel, make me an admin there again "
        "and subscribe it again).</i>"
    ),
    "pause": "⏸ Pause",
    "resume": "▶ Resume",
    "remove": "✖ Remove",
    "removed": "Removed: {title}.",
    "removed_all": "Removed {n} subscription(s).",
    "not_subscribed": "There is no subscription to {title} here. /subscriptions lists them.",
    "gone": "That subscription no longer exists.",
    "too_many": (
        "This chat already has {most} subscriptions, the most it can have. Remove one with "
        "/unsubscribe (or change the schedule of one it has), then subscribe again."
    ),
    "not_admin_there": (
        "Only a current administrator of {title} can change its subscriptions. "
        "/subscriptions shows the ones you can."
    ),
    "rights_busy": (
        "⏳ Telegram asked me to wait before checking who runs that chat. "
        "Please try again in {seconds} seconds."
    ),
    "rights_unknown": (
        "⏳ I couldn't check with Telegram who runs that chat just now. "
        "Please try again in a moment."
    ),
    "admins_only": (
        "Only the group's administrators can change its subscriptions and settings. "
        "Anyone can read them with /subscriptions."
    ),
    "channel_private": (
        "Subscribe a channel from your private chat with me: "
        "<code>/subscribe @channel events guadalajara monthly 09:00</code>"
    ),
    "channel_missing": (
        "I can't find {channel}. Add me to the channel as an administrator, then try again."
    ),
    "channel_not_channel": "{channel} is not a channel.",
    "channel_bot": (
        "I'm not an administrator of {channel} who can post. Make me one, then try again."
    ),
    "channel_user": "Only an administrator of {channel} can subscribe it.",
    "channel_complete": (
        "For a channel, say everything in one line: "
        "<code>/subscribe {channel} events guadalajara monthly 09:00</code>"
    ),
    "zone_now": (
        "This chat's time zone is <b>{zone}</b>; digests go out at local times there. "
        "Change it with <code>/timezone America/Mexico_City</code> or a city, "
        "e.g. <code>/timezone madrid</code>."
    ),
    "zone_set": "🕑 Time zone set to <b>{label}</b>.{guess} Digests follow local time there.",
    "zone_guess": " (I read “{text}” as {label}.)",
    "zone_unknown": (
        "I don't know the time zone “{text}”. Send a city or an IANA name, "
        "e.g. <code>/timezone America/Mexico_City</code> or <code>/timezone madrid</code>."
    ),
    "zone_suggest": " Did you mean: {names}?",
    "quiet_now": (
        "Quiet hours: <b>{window}</b>. Digests due then arrive when they end. "
        "Set them with <code>/quiet 22:00-07:00</code>, or <code>/quiet off</code>."
    ),
    "quiet_none": "none",
    "quiet_set": "🌙 Quiet hours set to <b>{start}–{end}</b> ({zone}).",
    "quiet_off": "Quiet hours are off.",
    "preview_none": (
        "A preview of what digest? Try <code>/digest cuba</code> or "
        "<code>/digest events guadalajara</code>."
    ),
    "unavailable": (
        "Subscriptions are not available right now; briefings still are. "
        "Please try again in a few minutes."
    ),
    "database_away": (
        "⏳ I can't reach the subscriptions database right now. Please try again in a "
        "minute; briefings work as usual, and digests due meanwhile will still come."
    ),
}


# What a digest says around the news.
DIGESTS = {
    "head": "<b>{title}</b> · your {cadence} digest · {date}",
    "head_unchanged": (
        "Nothing new since your last digest ({date}) on <b>{title}</b>: its newest news is {news}."
    ),
    "news_from": "The newest news here is {news}.",
    "first": "Your first digest on this. From now on it opens with what changed.",
    "changed": "<b>New since your last digest</b> ({date}):",
    "unchanged": (
        "Nothing new since your last digest ({date}): no new facts, listings or "
        "sources on this in the catalog. Here is where it stands."
    ),
    "fact": "figure",
    "event": "listing",
    "source": "source",
    "more": "and {n} more",
    "listings": "{city} listings",
    "all_listings": "Listings",
    "window": "Listings from {start} to {end}",
    "none_in_window": "Nothing is listed{where} between {start} and {end}.",
    "newest": "The newest listings I have{where} are from {month}: {count}, all past.",
    "recurring": "Recurring, next date by its rule",
    "open": "Open in briefbot",
    "daily": "daily",
    "weekly": "weekly",
    "monthly": "monthly",
}


# A schedule in words: "every Monday at 08:00".
SCHEDULES = {
    "daily": "every day",
    "weekly": "every {day}",
    "monthly": "on day {n}{last} of every month",
    "last_day": "on the last day of every month",
    "or_last": " (or the last day)",
    "at": "{cadence} at {at}",
    "at_one": "{cadence} at {at}",
    # Plain text (the caller escapes it).
    "other_digits": (
        "“{text}” has digits other than 0-9. Write times, days and numbers with 0-9, "
        "e.g. 07:30 or monthly 15 09:00."
    ),
    "no_weekday": (
        "There is no day {n} in a week: weekly digests go out Monday to Sunday. "
        "Example: weekly mon 08:00."
    ),
    "no_monthday": "There is no day {n} in a month. Example: monthly 1 09:00.",
    "no_day_daily": "A daily digest goes out every day, not on day {n}. Example: daily 07:30.",
}


# When answering failed on the bot's side.
SORRY = "Sorry, something went wrong on my side while answering that. Please try again."


# When Telegram did not confirm an answer got through.
NOT_CONFIRMED = "Telegram did not confirm that my answer got through. If it is missing, please "
"send that again."


# When a chat sends faster than it is answered and some of its messages were skipped.
SLOW_DOWN = (
    "You are sending faster than I can answer, so I skipped some of your latest messages. "
    "Wait for my answers, then send again what you still need."
)


# /feeds, for the bot's admins in a private chat. Feed addresses are escaped by the caller.
FEEDS = {
    "title": "<b>Feeds</b> ({count}) — polled for new articles",
    "empty": "No feeds yet. Add one: <code>/feeds add https://example.com/feed.xml 30</code>",
    "line": "{number}. {url}\n   every {minutes} min · {state} · {documents} articles",
    "never": "not polled yet",
    "ok": "polled {when}",
    "failing": "⚠ failing since {since} ({tries} tries): {error}; next try {next}",
    "catalog": "Catalog: version {version}, {articles} articles, changed {when}",
    "added": "Added feed {number}: {url}, polled every {minutes} min. Polling it now.",
    "exists": "That feed is already in the list (/feeds).",
    "not_url": "“{text}” is not an http(s) address of a feed.",
    "bad_minutes": "“{text}” is not a number of minutes from {least} to {most}.",
    "removed": "Removed feed {number}: {url}.",
    "no_such": "There is no feed {text}; /feeds lists them with their numbers.",
    "usage": (
        "<code>/feeds</code> lists the feeds; <code>/feeds add URL [minutes]</code> adds one; "
        "<code>/feeds remove N</code> removes one."
    ),
    "unavailable": "Feeds are unavailable right now: the database is not open.",
}
