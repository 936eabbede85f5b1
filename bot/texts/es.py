"""Every word the bot says in Spanish: the same names and keys as :mod:`bot.texts.en`.

Plain data: HTML where a reply is HTML (``<b>``), ``{placeholders}`` filled by the module that
says it. tests/unit/test_texts.py checks that both languages have the same names and keys.
"""

from __future__ import annotations

# Replies to commands, buttons and typed words.
ANSWERS = {
    "about_page": (
        "<b>Acerca de briefbot</b>\nCada frase, cifra, fecha y cita de un resumen sale de "
        "un documento fuente y lo cita como [n ¶p]: artículo n de la lista de fuentes, "
        "párrafo p. Versión del catálogo <code>{version}</code>, compilado de {documents} "
        "documentos ({articles} artículos)."
    ),
    "no_briefing": "Todavía no hay nada sobre <b>{topic}</b> en el catálogo.",
    "no_sources": "Sin fuentes.",
    "seed_heading": "Semilla {seed}",
    "fetched_heading": "{outlet} · {count} artículos obtenidos",
    "fetched_more": "… y {n} más antiguos",
    "welcome": (
        "<b>Bienvenido a briefbot.</b> Resúmenes breves de noticias de México, "
        "con su fuente: cada frase y cifra cita el artículo del que sale.\n"
        "Elige un tema, envía un comando como /cuba o escribe lo que buscas."
    ),
    "help": (
        "<b>briefbot</b> ofrece resúmenes de noticias sobre México, con sus fuentes.\n"
        "Envía un comando o escribe lo que buscas.\n\n"
        "{topics}\n\n"
        "<b>Cartelera</b>: /eventos acepta ciudad, mes, rango, precio y tipo en cualquier "
        "orden, p. ej. <code>/eventos guadalajara feb</code>, <code>/eventos próximo mes</code>, "
        "<code>/eventos gratis</code>, <code>/eventos música menos de 500</code>.\n"
        "<b>Búsqueda</b>: pregunta por una persona, lugar, empresa, cifra o evento, p. ej. "
        "<code>quién es Sheinbaum</code>, <code>Pemex</code>, o /buscar palabras.\n"
        "<b>En cualquier chat</b>: escribe <code>@{bot} cuba</code> para compartir.\n"
        "<b>Resúmenes periódicos</b>: <code>/suscribir cuba diario 07:30</code> o solo "
        "/suscribir; /subscriptions, /timezone, /quiet, /digest.\n\n"
        "/topics — temas · /sources — documentos · /about"
    ),
    "topics": "<b>Temas</b> — elige uno:",
    "more": "Más ›",
    "back": "‹ Atrás",
    "sources": "Fuentes",
    "share": "Compartir",
    "calendar_all": "📅 Añadir los {n} al calendario",
    "calendar_single": "📅 Añadir al calendario",
    "calendar_all_past": "📅 Añadir los {n} al calendario (ya pasados)",
    "calendar_single_past": "📅 Añadir al calendario (ya pasó)",
    "calendar_one": "📅 {title}",
    "calendar_one_past": "📅 {title} (ya pasó)",
    "free_label": "gratis",
    "under_label": "menos de {n} MXN",
    "kind_music": "música",
    "kind_dance": "ballet y danza",
    "kind_art": "arte y exposiciones",
    "kind_family": "familia",
    "kind_sports": "deportes",
    "kind_festival": "festivales",
    "kind_nightlife": "vida nocturna",
    "ics_sent": "Archivo de calendario enviado",
    "ics_caption": "{count} para tu calendario · {label}",
    "updated": "El catálogo cambió desde este mensaje; este es el resumen actual.",
    "gone": "Ese tema ya no está en el catálogo. Estos son los temas actuales.",
    "stale_button": "Ese botón es de un mensaje anterior; esta es la lista actual.",
    "bad_button": "Ese botón ya no funciona. Estos son los temas.",
    "no_listing": "No hay eventos {label}.",
    "instead_month": "Los eventos que tengo de ese mes son de {years}",
    "instead_all": "Esto es lo que tengo",
    "not_sure": "No sé bien qué significa “{text}”. ¿Quisiste decir?",
    "nothing": (
        "No tengo nada sobre “{text}”. Cubro {covered}. Prueba: {suggestions}, o "
        "/buscar un nombre, lugar o cifra de esos temas."
    ),
    "unknown_command": "No conozco el comando {command}. Envía /help para ver los temas.",
    "empty": "Envía un tema como /cuba o escribe lo que buscas.",
    "bad_link": "Ese enlace no lleva a un resumen que tenga; este es el inicio.",
    "filtered_head": "Cartelera",
    "thanks": "De nada. Envía /topics cuando quieras ver los resúmenes.",
    "recurring": "Eventos recurrentes que caen en ese periodo según su regla",
    "subscribe": "🔔 Suscribirme",
    # Respuestas del índice de búsqueda (/search, /buscar y preguntas escritas).
    "search_head": "<b>Lo que dicen las fuentes sobre “{text}”</b>",
    "search_read_as": "Entendí {pairs}.",
    "search_read_pair": "“{typed}” como “{found}”",
    "search_listings": "Eventos",
    "search_next_rule": "<b>{title}</b>: próxima fecha según su regla: <b>{date}</b>.",
    "search_next_listed": "<b>{title}</b>: próxima fecha anunciada: <b>{date}</b>.",
    "search_next_none": (
        "<b>{title}</b>: todas sus fechas ya pasaron (la última fue el {date}) y la fuente "
        "no da una regla para las siguientes."
    ),
    "search_usage": (
        "Escribe qué buscar después del comando, p. ej. <code>/buscar Sheinbaum</code>, "
        "<code>/buscar Pemex</code> o <code>/buscar Vizsla Silver</code>."
    ),
    "search_open": "📰 {topic}",
    "search_undated": "sin fecha",
    "search_inline_source": "Fuente",
    # Texto plano (quien lo usa lo escapa): cita la palabra de la persona.
    "bad_filter": (
        "No entiendo «{word}» como filtro. /eventos acepta una ciudad ({cities}), un mes "
        "(feb, febrero 2026), un periodo (hoy, esta semana, la próxima semana, este fin de "
        "semana, este mes, el próximo mes), un precio (gratis, menos de 500) o un tipo "
        "(música, danza, arte, familia, deportes, festival, vida nocturna), en cualquier "
        "orden. Ejemplo: /eventos guadalajara feb"
    ),
}


# Headings and labels inside a rendered briefing or listing.
# Dates as the bot writes them: "2 feb 2026", "lun 2 feb 2026" (index 0 of MONTHS is unused).
MONTHS = ("", "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
WEEKDAYS = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")

LABELS = {
    "as_of": "Datos al",
    "facts": "Cifras clave",
    "timeline": "Cronología",
    "quotes": "Citas",
    "events": "Cartelera",
    "sources": "Fuentes",
    "past": "ya pasó",
    "upcoming": "próximo",
    "ongoing": "en curso",
    "today": "hoy",
    "running": "en cartel, cerrado ahora",
    "listing_one": "1 evento",
    "listing_many": "{n} eventos",
    "free": "Gratis",
    "no_price": "precio no indicado",
    "from": "desde",
    "next": "próxima fecha según su regla",
    "projected": "repetición del evento anunciado para",
    "by_rule": "según su regla, no es un anuncio nuevo; confírmalo",
    "recurs": "se repite",
    "inferred": "año inferido",
    "all_past": "Hoy es {today}. Esta cartelera es de {span}; todas las fechas ya pasaron.",
    "some_past": "Hoy es {today}. Lo que ya terminó aparece como pasado.",
    "none_past": "Hoy es {today}.",
    "no_events": "No hay eventos que coincidan.",
    "age": "solo mayores de {age}",
    "article": "artículo",
    "line": "línea",
    "news_span": "Noticias del {span} · {age}",
    "news_year": "Noticias de {span}",
    "when_span": "del {span}",
    "when_year": "de {span}",
    "when_before": "de antes del {date}",
    "news_before": "Noticias de antes del {date} · {age}",
    "over_months": "de hace más de {n} meses",
    "over_years": "de hace más de {n} años",
    "no_news": "No hay noticias fechadas sobre esto; solo contexto",
    "age_today": "de hoy",
    "age_days": "de hace {n} días",
    "age_day": "de hace 1 día",
    "age_months": "de hace {n} meses",
    "age_month": "de hace 1 mes",
    "age_years": "de hace {n} años",
    "age_year": "de hace 1 año",
    "articles_one": "1 artículo",
    "articles_many": "{n} artículos",
    "background": "Contexto",
    "earlier": "Antes",
    "date_inferred": "fecha inferida",
    "week_of": "semana del {date}",
    "about": "hacia el {date}",
    "quoted_in_english": "Las frases de las fuentes se citan en inglés, tal como se publicaron.",
    "by": "por {author}",
    "untitled": "artículo sin título",
    "no_attribution": "sin firma ni medio en el texto",
    "no_outlet": "sin medio identificado",
    "photo": "foto: {credit}",
    "seed_line": "semilla {seed}, línea {line}",
    "cited": "citado",
    "kind:post with a comment form": "una entrada con formulario de comentarios",
    "kind:blog post": "una entrada de blog",
    "fact_as_of": "datos de {date}",
    "inline_source": "Fuente: {source}, ¶{paragraph}",
    "inline_more": "Más: /{command} en un chat con el bot.",
    "more_on": "Más:",
    "note:not including service fees": "sin incluir cargos por servicio",
    "note:not including fees": "sin incluir cargos",
    "note:also at the {place} box office": "también en la taquilla de {place}",
    "note:Open {days}, {hours}": "Abierto {days}, {hours}",
}


# The reference commands in the menu next to the text box.
MENU_COMMANDS = (
    ("topics", "Todos los temas"),
    ("buscar", "Buscar un nombre, lugar, cifra o evento en las noticias"),
    ("sources", "Los documentos detrás de los resúmenes"),
    ("help", "Cómo preguntar, con ejemplos"),
    ("about", "Cómo citan sus fuentes los resúmenes"),
    ("subscribe", "Recibe un resumen diario, semanal o mensual"),
    ("subscriptions", "Tus resúmenes: pausar o quitar"),
    ("timezone", "Tu zona horaria para los resúmenes"),
    ("quiet", "Horas sin resúmenes, p. ej. 22:00-07:00"),
    ("digest", "Ver un resumen ahora"),
)


# What Telegram shows in an empty chat, and on the bot's profile.
DESCRIPTIONS = (
    "Resúmenes breves de noticias de México, con fuentes: relaciones Cuba–México, "
    "personas desaparecidas, seguridad, el tren a Toluca, la cartelera de Guadalajara y "
    "más. Cada frase y cifra cita su artículo. Escribe un tema o una pregunta.",
    "Resúmenes de noticias de México con fuentes, cartelera y calendario.",
)


# The button under a digest or an inline result.
OPEN_IN_BOT = "Abrir en briefbot"


# Subscribing: the guided steps, confirmations and lists.
SUBSCRIPTIONS = {
    "ask_what": "<b>Suscribirse</b> — ¿qué debe seguir el resumen?",
    "ask_cadence": "<b>{title}</b> — ¿cada cuánto?",
    "ask_weekday": "<b>{title}</b> — ¿qué día?",
    "ask_time": (
        "<b>{title}</b>, {schedule} — ¿a qué hora? Horas en {zone} "
        "(cámbiala con /timezone). O escribe p. ej. <code>{example}</code>."
    ),
    "daily": "Diario",
    "weekly": "Semanal",
    "monthly": "Mensual (el día 1)",
    "days": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
    "all_listings": "Toda la cartelera",
    "subscribed": (
        "✅ Suscrito{where}: <b>{title}</b>, {schedule} ({zone}).\n"
        "Próximo resumen: {next}.{quiet}\n"
        "/subscriptions para pausarla o quitarla · /digest para verlo ahora"
    ),
    "updated": (
        "✅ Actualizado{where}: <b>{title}</b>, ahora {schedule} ({zone}).\n"
        "Próximo resumen: {next}.{quiet}"
    ),
    "quiet_note": " Esa hora cae en tus horas de silencio ({start}–{end}): llega a las {end}.",
    "none": (
        "Aún no hay suscripciones aquí. Prueba <code>/suscribir cuba diario 07:30</code>, "
        "<code>/suscribir eventos guadalajara mensual 09:00</code> o solo /suscribir."
    ),
    "list_head": "<b>Suscripciones</b>{where} · horas en {zone}",
    "list_page": "Página {page} de {pages}",
    "list_previous": "‹ Anterior",
    "list_next": "Siguiente ›",
    "paused": "en pausa",
    "unreachable": (
        "<i>⏸ Todo en pausa: no pude hacer llegar el último resumen a este chat. Se reanudan "
        "cuando vuelva a funcionar: envía /suscribir aquí (para un canal, vuelve a hacerme "
        "administrador y suscríbelo de nuevo).</i>"
    ),
    "pause": "⏸ Pausar",
    "resume": "▶ Reanudar",
    "remove": "✖ Quitar",
    "removed": "Quitada: {title}.",
    "removed_all": "Quitadas {n} suscripciones.",
    "not_subscribed": "No hay suscripción a {title} aquí. /subscriptions las muestra.",
    "gone": "Esa suscripción ya no existe.",
    "too_many": (
        "Este chat ya tiene {most} suscripciones, el máximo. Quita una con /desuscribir "
        "(o cambia el horario de una que ya tiene) y vuelve a suscribirte."
    ),
    "not_admin_there": (
        "Solo un administrador actual de {title} puede cambiar sus suscripciones. "
        "/subscriptions muestra las que puedes cambiar."
    ),
    "rights_busy": (
        "⏳ Telegram me pidió esperar antes de comprobar quién administra ese chat. "
        "Vuelve a intentarlo en {seconds} segundos."
    ),
    "rights_unknown": (
        "⏳ No pude comprobar con Telegram quién administra ese chat ahora. "
        "Vuelve a intentarlo en un momento."
    ),
    "admins_only": (
        "Solo los administradores del grupo pueden cambiar sus suscripciones y ajustes. "
        "Cualquiera puede verlas con /subscriptions."
    ),
    "channel_private": (
        "Suscribe un canal desde tu chat privado conmigo: "
        "<code>/suscribir @canal eventos guadalajara mensual 09:00</code>"
    ),
    "channel_missing": (
        "No encuentro {channel}. Agrégame al canal como administrador y vuelve a intentarlo."
    ),
    "channel_not_channel": "{channel} no es un canal.",
    "channel_bot": (
        "No soy administrador de {channel} con permiso para publicar. Hazme uno e inténtalo."
    ),
    "channel_user": "Solo un administrador de {channel} puede suscribirlo.",
    "channel_complete": (
        "Para un canal, dilo todo en una línea: "
        "<code>/suscribir {channel} eventos guadalajara mensual 09:00</code>"
    ),
    "zone_now": (
        "La zona horaria de este chat es <b>{zone}</b>; los resúmenes siguen su hora local. "
        "Cámbiala con <code>/timezone America/Mexico_City</code> o una ciudad, "
        "p. ej. <code>/timezone madrid</code>."
    ),
    "zone_set": "🕑 Zona horaria: <b>{label}</b>.{guess} Los resúmenes siguen su hora local.",
    "zone_guess": " (Entendí «{text}» como {label}.)",
    "zone_unknown": (
        "No conozco la zona horaria «{text}». Envía una ciudad o un nombre IANA, "
        "p. ej. <code>/timezone America/Mexico_City</code> o <code>/timezone madrid</code>."
    ),
    "zone_suggest": " ¿Quisiste decir: {names}?",
    "quiet_now": (
        "Horas de silencio: <b>{window}</b>. Lo que toque entonces llega al terminar. "
        "Ajústalas con <code>/quiet 22:00-07:00</code> o <code>/quiet off</code>."
    ),
    "quiet_none": "ninguna",
    "quiet_set": "🌙 Horas de silencio: <b>{start}–{end}</b> ({zone}).",
    "quiet_off": "Horas de silencio desactivadas.",
    "preview_none": (
        "¿Qué resumen quieres ver? Prueba <code>/digest cuba</code> o "
        "<code>/digest eventos guadalajara</code>."
    ),
    "unavailable": (
        "Las suscripciones no están disponibles ahora; los resúmenes sí. "
        "Inténtalo de nuevo en unos minutos."
    ),
    "database_away": (
        "⏳ No puedo acceder ahora a la base de datos de suscripciones. Inténtalo de nuevo "
        "en un minuto; los resúmenes funcionan como siempre y los envíos pendientes "
        "llegarán igual."
    ),
}


# What a digest says around the news.
DIGESTS = {
    "head": "<b>{title}</b> · tu resumen {cadence} · {date}",
    "head_unchanged": (
        "Nada nuevo desde tu último resumen ({date}) sobre <b>{title}</b>: "
        "lo más reciente es {news}."
    ),
    "news_from": "Lo más reciente aquí es {news}.",
    "first": "Tu primer resumen de esto. Desde ahora empezará con lo que cambió.",
    "changed": "<b>Nuevo desde tu último resumen</b> ({date}):",
    "unchanged": (
        "Nada nuevo desde tu último resumen ({date}): no hay cifras, eventos ni "
        "fuentes nuevos sobre esto en el catálogo. Así está el tema."
    ),
    "fact": "cifra",
    "event": "evento",
    "source": "fuente",
    "more": "y {n} más",
    "listings": "Cartelera de {city}",
    "all_listings": "Cartelera",
    "window": "Eventos del {start} al {end}",
    "none_in_window": "No hay nada en cartelera{where} entre el {start} y el {end}.",
    "newest": "Los eventos más recientes que tengo{where} son de {month}: {count}, ya pasados.",
    "recurring": "Recurrentes, próxima fecha según su regla",
    "open": "Abrir en briefbot",
    "daily": "diario",
    "weekly": "semanal",
    "monthly": "mensual",
}


# A schedule in words: "every Monday at 08:00".
SCHEDULES = {
    "daily": "cada día",
    "weekly": "cada {day}",
    "monthly": "el día {n}{last} de cada mes",
    "last_day": "el último día de cada mes",
    "or_last": " (o el último)",
    "at": "{cadence} a las {at}",
    "at_one": "{cadence} a la {at}",  # "a la una": 01:00-01:59
    # Texto plano (quien lo usa lo escapa).
    "other_digits": (
        "«{text}» tiene dígitos que no son 0-9. Escribe horas, días y números con 0-9, "
        "p. ej. 07:30 o mensual 15 09:00."
    ),
    "no_weekday": (
        "No hay día {n} en una semana: los resúmenes semanales salen de lunes a domingo. "
        "Ejemplo: semanal lun 08:00."
    ),
    "no_monthday": "No hay día {n} en un mes. Ejemplo: mensual 1 09:00.",
    "no_day_daily": "Un resumen diario sale cada día, no el día {n}. Ejemplo: diario 07:30.",
}


# When answering failed on the bot's side.
SORRY = "Perdón, algo falló de mi lado al responder. Inténtalo de nuevo."


# When Telegram did not confirm an answer got through.
NOT_CONFIRMED = "Telegram no confirmó que mi respuesta llegara. Si no la ves, envíalo de nuevo."


# When a chat sends faster than it is answered and some of its messages were skipped.
SLOW_DOWN = (
    "Me escribes más rápido de lo que puedo responder, así que omití algunos de tus últimos "
    "mensajes. Espera mis respuestas y vuelve a enviar lo que aún necesites."
)


# /feeds, para los administradores del bot en un chat privado.
FEEDS = {
    "title": "<b>Fuentes</b> ({count}) — revisadas en busca de artículos nuevos",
    "empty": (
        "Aún no hay fuentes. Agrega una: <code>/feeds add https://example.com/feed.xml 30</code>"
    ),
    "line": "{number}. {url}\n   cada {minutes} min · {state} · {documents} artículos",
    "never": "aún sin revisar",
    "ok": "revisada {when}",
    "failing": "⚠ falla desde {since} ({tries} intentos): {error}; próximo intento {next}",
    "catalog": "Catálogo: versión {version}, {articles} artículos, cambió {when}",
    "added": "Fuente {number} agregada: {url}, revisada cada {minutes} min. Revisándola ya.",
    "exists": "Esa fuente ya está en la lista (/feeds).",
    "not_url": "“{text}” no es una dirección http(s) de una fuente.",
    "bad_minutes": "“{text}” no es un número de minutos entre {least} y {most}.",
    "removed": "Fuente {number} eliminada: {url}.",
    "no_such": "No hay fuente {text}; /feeds las lista con su número.",
    "usage": (
        "<code>/feeds</code> lista las fuentes; <code>/feeds add URL [minutos]</code> agrega "
        "una; <code>/feeds remove N</code> elimina una."
    ),
    "unavailable": "Las fuentes no están disponibles ahora: la base de datos no está abierta.",
}
