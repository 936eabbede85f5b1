"""What a typed question asks: its content words, its language, whether it wants a next date.

"who is Sheinbaum" asks about ``sheinbaum``; "¿cuándo es la próxima Vía RecreActiva?" is
Spanish and asks for the next date of ``via recreactiva``. Question words, articles and
fillers in English and Spanish are not searched for: every listing "is", every sentence has
"the". Plain functions over plain text, no catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefings.topics import fold

_WORD = re.compile(r"[a-z0-9]+")
# A question names a few things; a pasted page is read for its first words only, so that
# typo fixing (a rapidfuzz scan of the vocabulary per unknown word) stays bounded.
MAX_TERMS = 12
_WRITTEN = re.compile(r"\w(?:[\w.,'’-]*\w)?")
_NAME_ARTICLE = re.compile(r"\b(?:El|La|Los|Las|The)\s+$")

# Words that shape a question but name nothing in it.
ENGLISH = frozenset(
    """a about am an and any anything are as at be been can could did do does for from get
    had has have how i in is it its latest me more much my news next of on or please say
    show so tell than that the their there these they this those to upcoming was we were what
    whats when where which who whom whose why will with would you your know info information
    happened happening going ticket tickets price prices cost costs buy date dates time""".split()
)
SPANISH = frozenset(
    """a al algo como con cual cuales cuando cuanto cuantos de del dime donde el en es esta
    estan este hay la las lo los me mas noticias o para por proxima proximo proximos que
    quien quienes se sabes sobre son su sus un una uno y informacion pasa paso va boleto
    boletos precio precios cuesta cuestan entradas comprar fecha fechas""".split()
)
# A question is Spanish when it opens with "¿", has a word only a Spanish question has, or
# more Spanish than English words besides those names carry ("Luz de Esperanza" is a name).
_SPANISH_ONLY = SPANISH - ENGLISH - {"a", "me", "no"}
_NAME_WORDS = frozenset({"de", "del", "la", "las", "el", "los", "y", "san", "santa"})
_SPANISH_QUESTION = frozenset(
    """quien quienes que cual cuales cuando cuanto cuantos donde como hay dime sobre noticias
    proxima proximo cuesta cuestan es son esta estan sabes pasa paso""".split()
)
# Spanish words a question searches for, that also say it is Spanish: with one more
# Spanish word ("conciertos gratis en guadalajara") the answer is in Spanish.
_SPANISH_CONTENT = frozenset(
    """gratis concierto conciertos eventos musica exposiciones exposicion teatro danza
    familia deportes desaparecidos desaparecidas seguridad tren carnaval traslados hoy
    manana semana fin mes""".split()
)
_ENGLISH_ONLY = ENGLISH - SPANISH
_NEXT = re.compile(
    r"\b(?:when|what day|what date)\b.*\b(?:next|upcoming)\b|\bnext (?:date|time|one)\b"
    r"|\bcuando\b.*\bproxim[oa]s?\b|\bproxim[oa]s? fecha\b|\bnext\b.*\bwhen\b"
)


@dataclass(frozen=True)
class Question:
    """A question as the search reads it."""

    text: str
    terms: tuple[str, ...]
    spanish: bool
    wants_next: bool
    subject: str = ""  # the question's own words for what it asks about: "García Harfuch"

    def language(self, asker: str) -> str:
        """Spanish when the person's client is, or when they asked in Spanish."""
        return "es" if asker == "es" or self.spanish else "en"


def read_question(text: str) -> Question:
    folded = fold(text)
    words = _WORD.findall(folded)
    spanish_words = sum(
        word in _SPANISH_ONLY - _NAME_WORDS or word in _SPANISH_CONTENT for word in words
    )
    english_words = sum(word in _ENGLISH_ONLY for word in words)
    asks = any(word in _SPANISH_QUESTION for word in words)
    spanish = "¿" in text or "¡" in text or ((asks or spanish_words > 1) and not english_words)
    terms = tuple(
        dict.fromkeys(w for w in words if w not in ENGLISH and w not in SPANISH and len(w) > 1)
    )[:MAX_TERMS]
    wanted = set(terms)
    # From the first word searched for to the last, as written: "Nation of Language".
    spans = [
        match.span()
        for match in _WRITTEN.finditer(text)
        if any(piece in wanted for piece in _WORD.findall(fold(match.group())))
    ]
    start = spans[0][0] if spans else 0
    article = _NAME_ARTICLE.search(text[:start])  # "Los Chapitos", "El Insurgente"
    start = article.start() if article else start
    subject = text[start : spans[-1][1]] if spans else ""
    return Question(text, terms, spanish, bool(_NEXT.search(folded)), subject)
