"""Shared fixtures: the real seeds compiled once per session."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings

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

# The nightly-style run (make test-long): the long variants, and fuzzing with thousands of
# cases per property instead of the handful `make test` can afford.
LONG_TESTS = os.environ.get("BRIEFBOT_LONG_TESTS") == "1"
_FUZZ = {"deadline": None, "print_blob": True, "suppress_health_check": list(HealthCheck)}
settings.register_profile("suite", max_examples=40, **_FUZZ)
settings.register_profile("nightly", max_examples=2_500, **_FUZZ)
FUZZ_PROFILE = "nightly" if LONG_TESTS else "suite"
settings.load_profile(FUZZ_PROFILE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``long`` run only in the nightly-style run."""
    if LONG_TESTS:
        return
    skip = pytest.mark.skip(
        reason="a long variant: run with BRIEFBOT_LONG_TESTS=1 (make test-long)"
    )
    for item in items:
        if item.get_closest_marker("long"):
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    run = "nightly-style (BRIEFBOT_LONG_TESTS=1)" if LONG_TESTS else "default (make test)"
    return f"briefbot: {run} run, hypothesis profile {FUZZ_PROFILE}"


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
