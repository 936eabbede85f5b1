"""The import structure: no circles, a small named Telegram side, no test equipment shipped.

Every import counts (module level, inside functions, under ``TYPE_CHECKING``), and the
checks follow imports transitively: a plain module that imports a module which imports
``telegram`` talks to Telegram too.
"""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "briefings", "ingest")  # what the wheel and the image ship
TEST_EQUIPMENT = ("localapi", "tests", "bench")
# The modules that may talk to Telegram: the application and its shared pieces, the
# keyboard builder, the handlers, the digests' jobs and sender, the console front end, the
# command line, and the operations that sit on PTB's own seams (runner, webhook server,
# update processor, its tracing and its getUpdates screen, rate limiter). Everything else
# in bot/ is plain Python.
TELEGRAM_SIDE = {
    "bot.__main__",
    "bot.app",
    "bot.services",
    "bot.keyboards",
    "bot.console.chat",
    "bot.handlers",
    "bot.digests.jobs",
    "bot.digests.sender",
    "bot.digests.service",
    "bot.feeds.jobs",
    "bot.operations.runner",
    "bot.operations.web",
    "bot.operations.tracing",
    "bot.operations.concurrency",
    "bot.operations.update_screen",
    "bot.operations.rate_limiter",
    "bot.operations.update_queue",
    "bot.operations.instances",
}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


MODULES = {
    _module_name(path): path
    for package in (*PRODUCT, "localapi")
    for path in sorted((ROOT / package).rglob("*.py"))
}


@cache
def _imports(name: str) -> frozenset[str]:
    """Every module name ``name`` imports, with ``from a import b`` also counted as ``a.b``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                base = ".".join([*name.split(".")[: -node.level], node.module])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(names)


def _edges(name: str) -> set[str]:
    """The project modules ``name`` imports."""
    return {other for other in _imports(name) if other in MODULES and other != name}


def _reachable(name: str) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        for other in _edges(todo.pop()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def _top(imported: str) -> str:
    return imported.split(".")[0]


def _on_telegram_side(name: str) -> bool:
    return any(name == side or name.startswith(side + ".") for side in TELEGRAM_SIDE)


def test_there_are_no_import_circles() -> None:
    circles = sorted(name for name in MODULES if name in _reachable(name))
    assert circles == []


def test_the_telegram_side_is_small_and_named() -> None:
    talking = {name for name in MODULES if any(_top(i) == "telegram" for i in _imports(name))}
    outside = sorted(name for name in talking if not _on_telegram_side(name))
    assert outside == []
    assert {"bot.app", "bot.services", "bot.handlers.common"} <= talking


PLAIN = sorted(name for name in MODULES if not _on_telegram_side(name))


@pytest.mark.parametrize("name", PLAIN)
def test_plain_modules_reach_no_telegram_even_indirectly(name: str) -> None:
    assert not any(_top(i) == "telegram" for i in _imports(name))
    assert sorted(other for other in _reachable(name) if _on_telegram_side(other)) == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _top(n) in PRODUCT))
def test_the_product_does_not_import_the_test_equipment(name: str) -> None:
    """localapi/, tests/ and bench/ are not in the wheel or the image: importing them
    from bot/ or briefings/ would work in a checkout and fail once installed."""
    assert sorted(i for i in _imports(name) if _top(i) in TEST_EQUIPMENT) == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _top(n) == "briefings"))
def test_the_compiler_does_not_import_the_bot(name: str) -> None:
    assert not any(_top(i) == "bot" for i in _imports(name))


def test_the_checks_see_the_tree() -> None:
    """A check over no modules cannot fail: make sure the walk found them."""
    assert {"bot.app", "bot.conversation.render", "briefings.catalog", "localapi"} <= set(MODULES)
    assert "bot.conversation.reply" in _reachable("bot.handlers.start")


def test_logic_never_reads_the_wall_clock() -> None:
    offenders = []
    for path in [p for package in PRODUCT for p in (ROOT / package).rglob("*.py")]:
        text = path.read_text("utf-8")
        for needle in ("datetime.now(", "dt.datetime.now(", "date.today(", "time.time("):
            if needle in text and path.name != "clock.py":
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []


def test_the_wheel_ships_the_product_and_not_the_test_equipment() -> None:
    """pyproject's package patterns, applied to the packages in the tree, as setuptools does."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    packages = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in ROOT.glob("*/**/__init__.py")
        if not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
    }
    shipped = {p for p in packages if any(fnmatch.fnmatchcase(p, pat) for pat in patterns)}
    assert {"bot", "bot.console", "bot.handlers", "briefings"} <= shipped
    assert sorted(p for p in shipped if _top(p) not in PRODUCT) == []
