"""The README documents every setting the code reads, and the two contract commands."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.operations.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


class _RecordingEnvironment(dict[str, str]):
    """An empty environment that notes every variable the settings code asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)


def _variables_in_code() -> set[str]:
    environment = _RecordingEnvironment()
    load_settings(environment)
    return environment.asked


def test_every_environment_variable_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.M))
    assert _variables_in_code() == documented


def test_readme_first_screen_shows_make_run_and_make_test() -> None:
    first_screen = "\n".join((ROOT / "README.md").read_text("utf-8").splitlines()[:30])
    assert "make run" in first_screen and "make test" in first_screen


def test_seeds_are_the_shared_seeds_byte_for_byte() -> None:
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip(f"no {shared} beside this clone to compare the seeds with")
    originals = sorted(path.name for path in shared.glob("*.txt"))
    assert originals, f"{shared} holds no seeds"
    assert sorted(path.name for path in (ROOT / "seeds").glob("*.txt")) == originals
    for name in originals:
        assert (ROOT / "seeds" / name).read_bytes() == (shared / name).read_bytes(), name
