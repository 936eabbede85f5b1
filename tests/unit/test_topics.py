"""Articles go to the topics their content is about; nothing is misfiled."""

from __future__ import annotations

from briefings.catalog import Seed, compile_catalog
from briefings.model import Catalog
from briefings.topics import MORE_TOPIC, load_registry


def _compile(name: str, text: str) -> Catalog:
    return compile_catalog([Seed(name, text, "0" * 64)])


def _topics_of(catalog: Catalog, document: str, number: int) -> tuple[str, ...]:
    return next(a.topics for a in catalog.articles if a.key == f"{document}#{number}")


def test_registry_holds_the_topics_readers_ask_for() -> None:
    registry = load_registry()
    ids = {t.id for t in registry.topics}
    assert {"cuba", "missing", "events", "train", "security", "transfers", "carnival"} <= ids
    commands_es = {t.id: t.command_es for t in registry.topics}
    assert commands_es["missing"] == "desaparecidos"
    assert commands_es["events"] == "eventos"
    assert registry.more.id == MORE_TOPIC
    for topic in registry.all:
        assert topic.command.isascii() and topic.command.islower()
        assert topic.description_en and topic.description_es


def test_seed_articles_land_in_their_topics(catalog: Catalog) -> None:
    second = "001_a482a83a0f983083.txt"
    assert _topics_of(catalog, "000_6862caea1a5d2365.txt", 1) == ("cuba",)
    assert _topics_of(catalog, "002_8f98b7c76cfd8295.txt", 1) == ("cuba",)
    assert _topics_of(catalog, second, 1) == ("missing",)
    assert _topics_of(catalog, second, 2) == ("train",)
    assert set(_topics_of(catalog, second, 3)) == {"security", "missing"}
    assert _topics_of(catalog, second, 4) == ("security",)
    assert _topics_of(catalog, second, 5) == ("transfers",)
    assert _topics_of(catalog, second, 6) == ("cuba",)
    assert set(_topics_of(catalog, second, 7)) == {"carnival", "events"}
    assert _topics_of(catalog, second, 8) == ("cuba",)
    assert _topics_of(catalog, second, 9) == ("events",)


NEW_REPORT = (
    "Families search a ranch in Zacatecas for their missing relatives. (Madres Buscadoras)\n"
    "Mothers of the disappeared began a new search on a ranch outside Fresnillo on Monday.\n"
    "The collective says 40 people from the municipality are missing since last year.\n"
    "Relatives carried photos of the disappeared and asked the authorities to join the search.\n"
    "The state registry of missing persons lists more than 3,000 people as missing in Zacatecas."
)
UNRELATED = (
    "A new bakery in Oaxaca sells bread made with heirloom corn. (Ana López)\n"
    "A cooperative bakery in Oaxaca city has started selling bread made from heirloom corn.\n"
    "The bakers buy the corn from farmers in the Mixteca region at fair prices.\n"
    "Customers line up before dawn for the loaves, which sell out by nine."
)


def test_a_new_missing_persons_report_is_routed_to_missing() -> None:
    catalog = _compile("new.txt", NEW_REPORT + "\n\n" + UNRELATED)
    assert _topics_of(catalog, "new.txt", 1) == ("missing",)
    missing = catalog.briefing("missing")
    assert missing is not None and missing.articles == ("new.txt#1",)


def test_an_article_that_fits_no_topic_goes_to_more_news() -> None:
    catalog = _compile("new.txt", NEW_REPORT + "\n\n" + UNRELATED)
    assert _topics_of(catalog, "new.txt", 2) == (MORE_TOPIC,)
    more = catalog.briefing(MORE_TOPIC)
    assert more is not None and more.articles == ("new.txt#2",)
    assert catalog.topic(MORE_TOPIC) is not None


OTHER_METRO = (
    "Monterrey Metro Line 6 Opens After Years of Delays\nBy Laura Méndez | Urban Affairs\n"
    "MONTERREY, March 10, 2026 — The governor inaugurated Line 6 of the Monterrey Metro, a "
    "15-kilometer route with 11 stations that links the city center with Apodaca.\n"
    "The line, which cost 12 billion pesos, is expected to carry 160,000 passengers a day.\n"
    "Construction of the metro began in 2019, and the train stations opened three years late."
)


def test_a_topic_is_specific_another_citys_train_is_more_news() -> None:
    catalog = _compile("metro.txt", OTHER_METRO)
    assert _topics_of(catalog, "metro.txt", 1) == (MORE_TOPIC,)
    more = catalog.briefing(MORE_TOPIC)
    assert more is not None
    assert more.headline == "Monterrey Metro Line 6 Opens After Years of Delays"
    values = {f.value for f in more.facts}
    assert "6" not in values  # "Line 6" is a name, not a figure
    assert more.as_of == "2026-03-10"


SPANISH_REPORT = (
    "Buscan a 12 personas desaparecidas en Jalisco (Cuartoscuro)\n"
    "Colectivos de madres buscadoras iniciaron este lunes una nueva jornada de búsqueda en el "
    "municipio de Tlajomulco, Jalisco.\n"
    "De acuerdo con el Registro Nacional de Personas Desaparecidas, en Jalisco hay más de 15 "
    "mil personas desaparecidas.\n"
    "Las familias pidieron a las autoridades estatales mayor apoyo para las búsquedas."
)


def test_an_article_written_in_spanish_is_kept_and_routed() -> None:
    catalog = _compile("es.txt", SPANISH_REPORT)
    assert _topics_of(catalog, "es.txt", 1) == ("missing",)
    missing = catalog.briefing("missing")
    assert missing is not None and missing.summary
