"""Shared fixtures: the real seeds compiled once per session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefings.catalog import DEFAULT_SEEDS, compile_catalog, read_seeds
from briefings.clean import clean_article
from briefings.model import Article, Catalog
from briefings.segment import segment

pytest_plugins = ["tests.postgres"]  # the throwaway PostgreSQL server: postgres_server

SEEDS = DEFAULT_SEEDS
MEXICO_CITY = ZoneInfo("America/Mexico_City")
TODAY = dt.datetime(2026, 11, 25, 12, 0, tzinfo=MEXICO_CITY)
FEB_FIRST = dt.datetime(2026, 2, 1, 9, 0, tzinfo=MEXICO_CITY)
SECOND_SEED = "001_a482a83a0f983083.txt"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return compile_catalog(read_seeds(SEEDS))


@pytest.fixture(scope="session")
def articles() -> list[Article]:
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        found.extend(clean_article(r) for r in segment(path.name, path.read_text("utf-8")))
    return found


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seeds directory."""
    target = tmp_path / "seeds"
    target.mkdir()
    for path in SEEDS.glob("*.txt"):
        (target / path.name).write_bytes(path.read_bytes())
    return target


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes a database into the developer's home: each gets its own data dir."""
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "briefbot-data"))
