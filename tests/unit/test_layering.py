"""Only the modules that talk to Telegram import it; the compiler and renderer are plain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The modules that may talk to Telegram: the application, its handlers, the console
# front end, the command line, the runner and its web server (webhook updates), and the
# per-update tracing. Everything else in bot/ is plain Python.
TELEGRAM_SIDE = {
    "operations/runner.py",
    "operations/web.py",
    "operations/tracing.py",
    "app.py",
    "console/chat.py",
    "operations/concurrency.py",
    "__main__.py",
    "operations/rate_limiter.py",
    "digests/delivery.py",
    "digests/jobs.py",
    "digests/service.py",
}
PLAIN = [
    *sorted((ROOT / "briefings").glob("*.py")),
    *sorted(
        p
        for p in (ROOT / "bot").rglob("*.py")
        if p.relative_to(ROOT / "bot").as_posix() not in TELEGRAM_SIDE
        and p.parent.name != "handlers"
    ),
    *sorted((ROOT / "localapi").glob("*.py")),
]


def test_the_telegram_side_is_small_and_named() -> None:
    talking = {
        p.relative_to(ROOT / "bot").as_posix()
        for p in (ROOT / "bot").rglob("*.py")
        if "telegram" in _imports(p)
    }
    assert talking <= {
        *TELEGRAM_SIDE,
        *(f"handlers/{p.name}" for p in (ROOT / "bot" / "handlers").glob("*.py")),
    }
    assert "app.py" in talking and "handlers/common.py" in talking


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", PLAIN, ids=lambda p: str(p.relative_to(ROOT)))
def test_plain_modules_do_not_import_telegram(path: Path) -> None:
    assert "telegram" not in _imports(path)


@pytest.mark.parametrize("path", sorted((ROOT / "briefings").glob("*.py")), ids=lambda p: p.name)
def test_the_compiler_does_not_import_the_bot(path: Path) -> None:
    assert "bot" not in _imports(path)


def test_logic_never_reads_the_wall_clock() -> None:
    offenders = []
    for path in [*(ROOT / "briefings").glob("*.py"), *(ROOT / "bot").rglob("*.py")]:
        text = path.read_text("utf-8")
        for needle in ("datetime.now(", "dt.datetime.now(", "date.today(", "time.time("):
            if needle in text and path.name != "clock.py":
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []
