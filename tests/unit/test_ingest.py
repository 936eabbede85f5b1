"""``briefbot ingest``: pages, feeds and text files from a real local site, kept as documents
with their metadata, compiled with the seeds into the catalog the bot serves."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import main
from briefings.catalog import DEFAULT_CATALOG, DEFAULT_SEEDS, load_catalog
from briefings.documents import document_paths
from tests.feedserver import NewsSite

OIL = (
    "Pemex sent a tanker with 80,000 barrels of crude oil to Havana on Monday, the energy "
    "ministry said in a statement.",
    "The shipment is the third this year, and officials in Havana said the fuel would keep "
    "power plants running through the winter.",
    "“We will keep helping our neighbours,” said President Claudia Sheinbaum at her morning "
    "press conference.",
)
TRAIN = (
    "The interurban train between Toluca and Mexico City opened its Observatorio station on "
    "Tuesday, ending eight years of construction.",
    "Commuters can now ride from Zinacantepec to Observatorio in 39 minutes, the transport "
    "ministry said.",
)


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as news:
        news.publish("oil", "Mexico ships oil to Cuba", *OIL, day="2026-11-30")
        news.publish("train", "Toluca train opens its last station", *TRAIN, day="2026-12-01")
        yield news


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(folder))
    for name in ("BRIEFBOT_DOCUMENTS", "BRIEFBOT_CATALOG", "TELEGRAM_BOT_TOKEN", "BRIEFBOT_NOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIEFBOT_FEED_TIMEOUT", "5")
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


def documents(data: Path) -> list[dict[str, str]]:
    return [json.loads(p.read_text("utf-8")) for p in document_paths(data / "documents")]


def test_a_page_is_kept_with_its_metadata_and_served(
    site: NewsSite, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = DEFAULT_CATALOG.read_bytes()
    seeds = {p.name: p.read_bytes() for p in DEFAULT_SEEDS.glob("*")}
    code, out, err = run(["ingest", site.page_url("oil")], capsys)
    assert (code, err) == (0, "")
    assert "1 added" in out
    [document] = documents(data)
    assert document["title"] == "Mexico ships oil to Cuba"
    assert document["outlet"] == "Valle Daily"
    assert document["author"] == "Ana Ruiz"
    assert document["published"] == "2026-11-30"
    assert document["url"] == site.page_url("oil")
    assert document["fetched"]
    assert "80,000 barrels" in document["text"] and "All rights reserved" not in document["text"]
    catalog = load_catalog(data / "catalog.json")
    [info] = [a for a in catalog.articles if a.url == site.page_url("oil")]
    assert (info.outlet, info.author, info.date, info.date_inferred) == (
        "Valle Daily",
        "Ana Ruiz",
        "2026-11-30",
        False,
    )
    # The reader sees the story dated by the page and sourced to it.
    code, out, _ = run(["ask", "--as-of", "2026-12-02", "/cuba"], capsys)
    assert code == 0
    assert "30 Nov 2026 · Mexico ships oil to Cuba" in out
    code, out, _ = run(["ask", "/sources"], capsys)
    assert "Seed 001" in out and "Valle Daily · 1 articles fetched" in out
    assert "• “Mexico ships oil to Cuba” (30 Nov 2026)" in out
    assert DEFAULT_CATALOG.read_bytes() == shipped  # the shipped catalog is the seeds' alone
    assert {p.name: p.read_bytes() for p in DEFAULT_SEEDS.glob("*")} == seeds


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_feed_brings_each_items_page(
    kind: str, site: NewsSite, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["ingest", site.feed_url(kind)], capsys)
    assert (code, err) == (0, "")
    assert "2 added" in out
    by_title = {d["title"]: d for d in documents(data)}
    assert set(by_title) == {"Mexico ships oil to Cuba", "Toluca train opens its last station"}
    train = by_title["Toluca train opens its last station"]
    assert (train["guid"], train["published"]) == ("urn:valle:train", "2026-12-01")
    assert "39 minutes" in train["text"]
    assert site.requests["/news/oil.html"] == 1


def test_the_same_items_again_are_not_second_articles(
    site: NewsSite, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["ingest", site.feed_url("rss")], capsys)
    code, out, _ = run(["ingest", site.feed_url("rss"), site.page_url("oil")], capsys)
    assert code == 0
    assert "2 unchanged" in out and "1 unchanged" in out
    assert len(documents(data)) == 2
    # Items the feed describes as before are not fetched again: once by the first poll,
    # once by naming the page itself.
    assert site.requests["/news/oil.html"] == 2
    code, out, _ = run(["ingest", site.feed_url("atom")], capsys)
    assert code == 0 and "2 unchanged" in out
    assert len(documents(data)) == 2


def test_an_updated_item_replaces_its_earlier_version(
    site: NewsSite, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["ingest", site.feed_url("rss")], capsys)
    site.publish(
        "oil",
        "Mexico ships oil to Cuba",
        OIL[0].replace("80,000", "90,000"),
        *OIL[1:],
        day="2026-11-30",
    )
    code, out, _ = run(["ingest", site.feed_url("rss")], capsys)
    assert code == 0 and "1 updated" in out
    texts = [d["text"] for d in documents(data)]
    assert len(texts) == 2
    assert any("90,000" in t for t in texts) and not any("80,000" in t for t in texts)
    catalog = load_catalog(data / "catalog.json")
    assert sum(a.title == "Mexico ships oil to Cuba" for a in catalog.articles) == 1


def test_a_feed_repeating_every_item_under_new_guids_adds_nothing(
    site: NewsSite, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.fault("rss", "repeat")
    run(["ingest", site.feed_url("rss")], capsys)
    code, out, _ = run(["ingest", site.feed_url("rss")], capsys)
    assert code == 0 and "2 unchanged" in out
    assert len(documents(data)) == 2


def test_a_text_file_is_read_as_a_seed_is(
    tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = sorted(DEFAULT_SEEDS.glob("*.txt"))[0]
    copy = tmp_path / "notes.txt"
    copy.write_bytes(seed.read_bytes())
    code, _, err = run(["ingest", str(copy)], capsys)
    assert (code, err) == (0, "")
    catalog = load_catalog(data / "catalog.json")
    [document] = [d for d in catalog.documents if d.name.startswith("doc_")]
    shipped = next(d for d in catalog.documents if d.name == seed.name)
    assert len(document.articles) == len(shipped.articles)


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("down", "cannot be reached"),
        ("error", "HTTP 500"),
        ("redirect-loop", "redirect"),
        ("html", "no article text"),  # a URL may be a page: this one has no article
        ("malformed", "not a readable feed"),
        ("huge", "too large"),
    ],
)
def test_a_bad_feed_is_one_line_and_leaves_the_catalog_intact(
    fault: str, said: str, site: NewsSite, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["ingest", site.feed_url("atom")], capsys)
    before = (data / "catalog.json").read_bytes()
    site.fault("rss", fault)
    code, _, err = run(["ingest", site.feed_url("rss")], capsys)
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and said in err and "Traceback" not in err
    assert (data / "catalog.json").read_bytes() == before


def test_a_feed_that_is_not_utf8_is_still_read(
    site: NewsSite, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.publish(
        "fiesta",
        "Fiesta en Puebla",
        "La feria de Puebla abrió con música, "
        "danza y comida típica para miles de visitantes el sábado.",
        day="2026-11-28",
    )
    site.fault("rss", "latin1")
    code, out, err = run(["ingest", site.feed_url("rss")], capsys)
    assert (code, "Traceback" in err) == (0, False)
    assert "3 added" in out
    load_catalog(data / "catalog.json")


def test_what_gives_nothing_says_so_in_one_line(
    tmp_path: Path, site: NewsSite, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["ingest", str(tmp_path / "missing.txt"), site.base + "/nothing"], capsys)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert "no such file" in lines[0] and "HTTP 404" in lines[1]


def test_a_kill_mid_ingest_loses_nothing_kept_and_keeps_nothing_half(
    site: NewsSite, data: Path
) -> None:
    """SIGKILL while the second item's page is being fetched: the first document is whole,
    nothing half-written counts, and the next ingest adds only what is missing."""
    site.fault("oil", "slow")  # the feed lists the train first, then the oil
    environment = {**os.environ, "BRIEFBOT_DATA_DIR": str(data)}
    briefbot = Path(sys.executable).with_name("briefbot")
    process = subprocess.Popen(
        [str(briefbot), "ingest", site.feed_url("rss")],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while site.requests["/news/oil.html"] == 0:  # the train kept, inside the oil's fetch
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.01)
    finally:
        process.kill()
        process.wait(30)
    site.clear()
    kept = documents(data)  # every file there parses: none is half-written
    assert [d["title"] for d in kept] == ["Toluca train opens its last station"]
    assert not (data / "catalog.json").exists() or load_catalog(data / "catalog.json")
    code = main(["ingest", site.feed_url("rss")], out=io.StringIO())
    assert code == 0
    titles = sorted(d["title"] for d in documents(data))
    assert titles == ["Mexico ships oil to Cuba", "Toluca train opens its last station"]
    catalog = load_catalog(data / "catalog.json")
    assert sum(a.title == "Mexico ships oil to Cuba" for a in catalog.articles) == 1


def test_relative_item_links_are_read_against_the_feeds_address() -> None:
    from ingest.feeds import parse_feed

    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        b'<entry><title>A</title><link href="/news/a.html"/><id>urn:a</id></entry></feed>'
    )
    [item] = parse_feed(atom, "https://example.com/feeds/atom.xml").items
    assert item.link == "https://example.com/news/a.html"


def test_garbage_and_oversized_files_are_one_line_each(
    tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 40)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Año nuevo en Mazatlán: el carnaval empieza el sábado.".encode("latin-1"))
    monkeypatch.setenv("BRIEFBOT_FEED_MAX_BYTES", "5000")
    code, _, err = run(["ingest", str(garbage), str(latin)], capsys)
    assert code == 1 and "Traceback" not in err and "internal error" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert "too large" in lines[0] and "not UTF-8" in lines[1]
    assert documents(data) == []
