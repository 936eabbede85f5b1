"""Every word the bot says lives in bot/texts, the same in English and Spanish."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from typing import Any

import pytest

from bot.texts import en, es

ROOT = Path(__file__).resolve().parents[2]


def _public(module: object) -> dict[str, Any]:
    return {name: value for name, value in vars(module).items() if name.isupper()}


def _shape(value: Any, where: str) -> list[tuple[str, str]]:
    """(path, kind) for every leaf, so two languages can be compared key by key."""
    if isinstance(value, dict):
        return [leaf for key in value for leaf in _shape(value[key], f"{where}[{key!r}]")]
    if isinstance(value, tuple | list):
        return [leaf for i, item in enumerate(value) for leaf in _shape(item, f"{where}[{i}]")]
    return [(where, type(value).__name__)]


def _leaves(value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for key in value for k, v in _leaves(value[key], f"{where}[{key!r}]").items()}
    if isinstance(value, tuple | list):
        found: dict[str, Any] = {}
        for i, item in enumerate(value):
            found.update(_leaves(item, f"{where}[{i}]"))
        return found
    return {where: value}


def test_both_languages_have_the_same_names_and_keys() -> None:
    english, spanish = _public(en), _public(es)
    assert sorted(english) == sorted(spanish)
    assert english, "bot/texts/en.py holds no texts"
    for name in english:
        assert _shape(english[name], name) == _shape(spanish[name], name)


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_both_languages_fill_the_same_placeholders() -> None:
    english = {k: v for n, t in _public(en).items() for k, v in _leaves(t, n).items()}
    spanish = {k: v for n, t in _public(es).items() for k, v in _leaves(t, n).items()}
    differ = [
        where
        for where, text in english.items()
        if isinstance(text, str) and _placeholders(text) != _placeholders(spanish[where])
    ]
    assert differ == []


def _speaks(node: ast.Dict) -> bool:
    """A dict keyed by language codes with written words in it: {"en": "…", "es": "…"}."""
    keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
    if not {"en", "es"} <= keys:
        return False
    return any(
        isinstance(inner, ast.Constant)
        and isinstance(inner.value, str)
        and re.search(r"[A-Za-z]{2}", inner.value)
        for value in node.values
        for inner in ast.walk(value)
    )


SPEAKING = sorted(
    path
    for path in (ROOT / "bot").rglob("*.py")
    if "texts" not in path.relative_to(ROOT / "bot").parts
)


@pytest.mark.parametrize("path", SPEAKING, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_other_module_holds_reply_text(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    found = [
        node.lineno for node in ast.walk(tree) if isinstance(node, ast.Dict) and _speaks(node)
    ]
    assert found == [], f"texts in both languages belong in bot/texts (lines {found})"


def test_the_heuristic_sees_texts() -> None:
    """The check above cannot pass by seeing nothing: it finds the catalog's own shape."""
    sample = ast.parse('T = {"en": {"hi": "Hello"}, "es": {"hi": "Hola"}}')
    assert any(isinstance(n, ast.Dict) and _speaks(n) for n in ast.walk(sample))
