"""The incremental build: a warm StageCache gives the very bytes of a full build, whether
documents are added, changed or removed, and processes only what is new."""

from __future__ import annotations

import hashlib

from bench.build_scale import synthetic_seeds
from briefings.catalog import (
    DEFAULT_SEEDS,
    Seed,
    StageCache,
    compile_catalog,
    read_seeds,
    render_catalog,
)


def _seeds(documents: list[tuple[str, str]]) -> list[Seed]:
    return [Seed(n, t, hashlib.sha256(t.encode()).hexdigest()) for n, t in documents]


def test_a_warm_cache_builds_the_same_bytes_as_a_full_build() -> None:
    shipped = read_seeds(DEFAULT_SEEDS)
    synthetic = _seeds(synthetic_seeds(60))
    added = _seeds([("zz_added.txt", t) for _, t in synthetic_seeds(10, seed=3)])
    cache = StageCache()
    compile_catalog([*shipped, *synthetic], cache=cache)
    misses = cache.misses
    grown = compile_catalog([*shipped, *synthetic, *added], cache=cache)
    assert cache.misses == misses + 1  # only the new document was segmented and cleaned
    assert render_catalog(grown) == render_catalog(compile_catalog([*shipped, *synthetic, *added]))
    # A changed document and a removed one: again what a full build gives.
    name, text = synthetic_seeds(60)[2]
    changed = [
        s if s.name != name else _seeds([(name, text.replace("the", "a"))])[0]
        for s in synthetic[:-1]
    ]
    shrunk = compile_catalog([*shipped, *changed, *added], cache=cache)
    assert render_catalog(shrunk) == render_catalog(compile_catalog([*shipped, *changed, *added]))
