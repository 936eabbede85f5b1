"""The catalog is deterministic, current, written atomically, and seeds fail cleanly."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from briefings import catalog as catalog_module
from briefings import documents as documents_module
from briefings.catalog import (
    DEFAULT_CATALOG,
    CatalogError,
    SeedError,
    build,
    compile_catalog,
    is_stale,
    load_catalog,
    read_seeds,
    render_catalog,
    save_catalog,
)
from briefings.model import SCHEMA_VERSION, Catalog
from tests.conftest import SEEDS


def test_two_builds_give_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    build(SEEDS, first)
    build(SEEDS, second)
    assert first.read_bytes() == second.read_bytes()


def test_the_committed_catalog_is_current() -> None:
    assert is_stale(SEEDS, DEFAULT_CATALOG) is None


def test_catalog_carries_schema_and_seed_digest(catalog: Catalog) -> None:
    data = json.loads(render_catalog(catalog))
    assert data["schema_version"] == SCHEMA_VERSION
    expected = hashlib.sha256()
    for path in sorted(SEEDS.glob("*.txt")):
        expected.update(f"{path.name}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    assert data["seeds_sha256"] == expected.hexdigest()
    assert list(data) == sorted(data)
    assert len(catalog.version) == 12


def test_round_trip_through_the_file(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "catalog.json"
    save_catalog(catalog, path)
    assert load_catalog(path) == catalog


def test_a_changed_seed_makes_the_catalog_stale(tmp_path: Path, seed_copy: Path) -> None:
    target = tmp_path / "catalog.json"
    build(seed_copy, target)
    assert is_stale(seed_copy, target) is None
    seed = next(seed_copy.glob("002_*.txt"))
    seed.write_text(
        seed.read_text("utf-8") + "\nA new paragraph about Cuba and Mexico.\n", "utf-8"
    )
    problem = is_stale(seed_copy, target)
    assert problem is not None and "other seeds" in problem


def test_a_failed_build_leaves_the_old_catalog_intact(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "catalog.json"
    save_catalog(catalog, path)
    before = path.read_bytes()

    def disk_full(_: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(documents_module.os, "fsync", disk_full)  # fails after the write began
    with pytest.raises(OSError, match="No space"):
        save_catalog(catalog, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.json"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"caf\xe9 con leche\n", "not UTF-8"),
        (b"text\x00with a NUL\n", "binary"),
    ],
)
def test_bad_seeds_stop_the_build_naming_file_and_reason(
    seed_copy: Path, content: bytes, reason: str
) -> None:
    (seed_copy / "003_bad.txt").write_bytes(content)
    with pytest.raises(SeedError, match=rf"003_bad\.txt: .*{reason}"):
        read_seeds(seed_copy)


def test_an_unreadable_seed_is_named(seed_copy: Path) -> None:
    (seed_copy / "004_dir.txt").mkdir()
    with pytest.raises(SeedError, match=r"004_dir\.txt: cannot be read"):
        read_seeds(seed_copy)


def test_no_seeds_at_all(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="no seed files"):
        read_seeds(tmp_path)
    with pytest.raises(SeedError, match="not a directory"):
        read_seeds(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "run 'briefbot build' first"),
        ("{not json", "not valid JSON"),
        ('{"schema_version": 999}', "has schema 999"),
        ('{"schema_version": 2, "topics": "x"}', "damaged"),
    ],
)
def test_bad_catalog_files_get_clear_errors(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "catalog.json"
    if content is not None:
        path.write_text(content, "utf-8")
    with pytest.raises(CatalogError, match=message):
        load_catalog(path)


def test_truncated_and_random_seed_text_never_crashes_the_compiler() -> None:
    text = (SEEDS / "001_a482a83a0f983083.txt").read_text("utf-8")
    for cut in (1, 50, 777, 5000, len(text) // 2):
        compiled = compile_catalog([catalog_module.Seed("cut.txt", text[:cut], "0" * 64)])
        assert isinstance(compiled, Catalog)
    noise = "".join(chr(c) for c in range(32, 3000, 7)) * 3
    assert isinstance(compile_catalog([catalog_module.Seed("n.txt", noise, "0" * 64)]), Catalog)
