"""The tree answers "where is X?": few entries at bot/'s top, each package says what it
owns, and the README's "How it works" names every module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"


def _tree() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", section, re.M | re.S)
    assert blocks, "How it works has no tree"
    return blocks[0]


def test_bot_has_few_entries_at_its_top() -> None:
    entries = [p for p in BOT.iterdir() if p.name != "__pycache__"]
    assert len(entries) <= 20, sorted(p.name for p in entries)


def test_every_package_says_what_it_owns() -> None:
    silent = [
        init.parent.relative_to(ROOT).as_posix()
        for init in sorted([*BOT.rglob("__init__.py"), *(ROOT / "localapi").glob("__init__.py")])
        if not ast.get_docstring(ast.parse(init.read_text("utf-8")))
    ]
    assert silent == []


def _paths(tree: str) -> set[str]:
    """The tree's entries as paths: two spaces of indent per level, folders end in '/'."""
    paths: set[str] = set()
    folders: list[str] = []
    for line in tree.splitlines():
        found = re.match(r"^( *)([\w.]+/|[\w.]+\.py)(\s|$)", line)
        if found is None:
            continue  # a description running on
        depth, name = len(found.group(1)) // 2, found.group(2)
        folders = folders[:depth]
        paths.add("".join(folders) + name)
        if name.endswith("/"):
            folders.append(name)
    return paths


def test_the_readme_tree_names_every_module_of_the_bot() -> None:
    named = _paths(_tree())
    missing = []
    for path in sorted(BOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if path.name == "__init__.py":
            wanted = relative.removesuffix("__init__.py")
        elif path.parent.name in {"handlers", "store", "console", "texts"}:
            continue  # described as a group: one module per feature, or files named inline
        else:
            wanted = relative
        if wanted not in named:
            missing.append(relative)
    assert missing == []
    assert "bot/digests/schedule.py" in named  # the walk reads nesting
