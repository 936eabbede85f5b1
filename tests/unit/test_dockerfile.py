"""The Docker image, checked without a Docker engine: what it copies, runs and exposes.

No engine runs where these tests run, so they read the Dockerfile and .dockerignore as
``docker build`` would and hold them to the project's own facts: the files it copies are in
the build context, the bot runs as the console script, as a user that is not root, on the
configured port, with only documented variables; the README's ``docker run`` lines agree.

Each check is a function that raises AssertionError; ``test_each_check_catches_its_mistake``
feeds every check a Dockerfile, .dockerignore or README with one plausible mistake, so that
a check which could no longer fail is noticed.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from briefings.catalog import DEFAULT_CATALOG, DEFAULT_SEEDS

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
CATALOG_FILE = DEFAULT_CATALOG.relative_to(ROOT).as_posix()
SEEDS_DIR = DEFAULT_SEEDS.relative_to(ROOT).as_posix()
ROOT_USERS = {"root", "0"}
GENERATED = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


@dataclass(frozen=True)
class Copy:
    workdir: str
    sources: tuple[str, ...]
    dest: str


@dataclass
class Build:
    """A Dockerfile and the .dockerignore of its build context (the repository)."""

    instructions: list[Instruction]
    ignore_rules: list[tuple[bool, re.Pattern[str]]]
    readme: str = ""
    stage: list[Instruction] = field(init=False)

    def __post_init__(self) -> None:
        starts = [i for i, ins in enumerate(self.instructions) if ins.keyword == "FROM"]
        assert starts, "the Dockerfile has no FROM"
        self.stage = self.instructions[starts[-1] :]  # the image that runs

    @classmethod
    def of(cls, dockerfile: str, dockerignore: str, readme: str = "") -> Build:
        return cls(parse_dockerfile(dockerfile), parse_dockerignore(dockerignore), readme)

    def all(self, keyword: str) -> list[Instruction]:
        return [ins for ins in self.stage if ins.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def index(self, ins: Instruction) -> int:
        return next(i for i, other in enumerate(self.stage) if other is ins)

    def env(self, before: int | None = None) -> dict[str, str]:
        """The image's environment (as of instruction ``before`` of the final stage)."""
        values: dict[str, str] = {}
        for ins in self.stage[:before]:
            if ins.keyword == "ENV":
                values.update(env_pairs(ins.args))
        return values

    def copies(self, before: int | None = None) -> list[Copy]:
        found: list[Copy] = []
        workdir = "/"
        for ins in self.stage[:before]:
            if ins.keyword == "WORKDIR":
                workdir = posixpath.join(workdir, ins.args.strip())
            elif ins.keyword in ("COPY", "ADD"):
                flags, words = split_flags(ins.args)
                if any(flag.startswith("--from") for flag in flags):
                    continue  # from another stage or image, not from the build context
                found.append(Copy(workdir, tuple(words[:-1]), words[-1]))
        return found

    def excluded(self, path: str) -> bool:
        """Whether .dockerignore keeps ``path`` (relative to the context) out of the build."""
        verdict = False
        for exclude, pattern in self.ignore_rules:
            if pattern.fullmatch(path):
                verdict = exclude
        return verdict

    def in_image(self, path: str, before: int | None = None) -> Path | None:
        """The repository file an image path is a copy of, or None."""
        for copy in reversed(self.copies(before)):
            dest = posixpath.join(copy.workdir, copy.dest)
            for source in copy.sources:
                origin = ROOT / source
                if origin.is_dir():  # a directory's contents go into dest
                    target = dest
                elif copy.dest.endswith("/") or len(copy.sources) > 1:
                    target = posixpath.join(dest, posixpath.basename(source))
                else:
                    target = dest
                target = posixpath.normpath(target)
                if path == target:
                    return origin
                if origin.is_dir() and path.startswith(target.rstrip("/") + "/"):
                    return origin / path[len(target.rstrip("/")) + 1 :]
        return None

    def reaches_image(self, repo_file: str) -> bool:
        """The file is in the build context and some COPY takes it into the image."""
        if self.excluded(repo_file):
            return False
        for copy in self.copies():
            for source in copy.sources:
                source = posixpath.normpath(source)
                if source == "." or repo_file == source or repo_file.startswith(source + "/"):
                    return True
        return False


def parse_dockerfile(text: str) -> list[Instruction]:
    instructions = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue  # as in Docker, comments and blank lines also vanish inside continuations
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, args = (pending + stripped).partition(" ")
        pending = ""
        instructions.append(Instruction(keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def parse_dockerignore(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """Docker's rules: Go path patterns plus ``**``; a match excludes what lies below it too;
    ``!`` lets a path back in; the last matching line wins."""
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exclude = not line.startswith("!")
        pattern = posixpath.normpath(line.lstrip("!").strip()).lstrip("/")
        rules.append((exclude, re.compile(_pattern_regex(pattern) + r"(?:/.*)?")))
    return rules


def _pattern_regex(pattern: str) -> str:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[" and "]" in pattern[i:]:
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out


def exec_form(args: str) -> list[str] | None:
    """The JSON array of an exec-form instruction, or None for the shell form."""
    if not args.startswith("["):
        return None
    words = json.loads(args)
    assert isinstance(words, list), args
    return [str(word) for word in words]


def split_flags(args: str) -> tuple[list[str], list[str]]:
    """``--chown=…``-style flags, then the words (or the JSON array) of an instruction."""
    flags = re.match(r"(?:--\S+\s+)*", args)
    assert flags is not None
    rest = args[flags.end() :]
    return flags[0].split(), exec_form(rest) or rest.split()


def env_pairs(args: str) -> list[tuple[str, str]]:
    words = shlex.split(args)
    if words and "=" not in words[0]:  # the old form: ENV NAME value with spaces
        name, _, value = args.partition(" ")
        return [(name, value.strip())]
    return [(word.partition("=")[0], word.partition("=")[2]) for word in words]


def configured_port() -> int:
    """The port the bot listens on unless told otherwise: ``DEFAULT_PORT`` in its settings."""
    from bot.operations import config

    port = getattr(config, "DEFAULT_PORT", None)
    if port is None:
        found = re.search(r"^DEFAULT_PORT\s*=\s*(\d+)", (ROOT / "bot" / "config.py").read_text())
        assert found, "bot/operations/config.py defines no DEFAULT_PORT"
        port = int(found[1])
    return int(port)


def documented_variables(readme: str) -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", readme, re.M))


def project_files(directory: str) -> list[str]:
    """The files of a repository directory, without caches that only exist locally."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / directory).rglob("*")
        if path.is_file() and not GENERATED & set(path.parts) and path.suffix != ".pyc"
    )


# The checks: each one is a promise to the person who builds and runs the image.


def check_copied_files_exist(build: Build) -> None:
    """Every COPY/ADD source is in the repository and not left out of the build context."""
    copies = build.copies()
    assert copies, "the Dockerfile copies nothing"
    for copy in copies:
        for source in copy.sources:
            assert not re.match(r"https?://|git@", source), f"{source}: fetched at build time"
            matches = sorted(ROOT.glob(source.rstrip("/"))) if source != "." else [ROOT]
            assert matches, f"COPY {source}: no such file in the repository"
            for match in matches:
                relative = match.relative_to(ROOT).as_posix()
                assert not build.excluded(relative), f"COPY {source}: .dockerignore excludes it"
                if match.is_dir() and relative != ".":
                    kept = [f for f in project_files(relative) if not build.excluded(f)]
                    assert kept, f"COPY {source}: .dockerignore excludes everything in it"


def check_code_catalog_and_seeds_reach_the_image(build: Build) -> None:
    """What ``pip install .`` and the bot need is copied: every file of the packages that
    pyproject.toml installs, pyproject.toml and its readme, the catalog and the seeds."""
    packages = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    directories = sorted(
        {p.name for pattern in packages for p in ROOT.glob(pattern.split(".")[0]) if p.is_dir()}
    )
    assert directories, "pyproject.toml's packages match no directory"
    needed = [
        "pyproject.toml",
        PYPROJECT["project"]["readme"],
        CATALOG_FILE,
        *project_files(SEEDS_DIR),
        *(f for directory in directories for f in project_files(directory)),
    ]
    missing = [f for f in needed if not build.reaches_image(f)]
    assert not missing, f"not in the image (not copied, or excluded): {missing}"


def check_the_bot_reads_the_copied_catalog(build: Build) -> None:
    """``pip install .`` puts the code in site-packages, away from catalog/ and seeds/, so
    the image must say where they are, and point at the copies of the repository's."""
    env = build.env()
    for name, repo_path in (("BRIEFBOT_CATALOG", CATALOG_FILE), ("BRIEFBOT_SEEDS", SEEDS_DIR)):
        assert name in env, f"ENV {name} is not set: the installed bot would not find it"
        assert build.in_image(env[name]) == ROOT / repo_path, (
            f"{name}={env[name]} is not where the Dockerfile copies {repo_path}"
        )


def check_the_catalog_is_verified_at_build_time(build: Build) -> None:
    """A stale catalog fails ``docker build``: the image serves what its seeds compile to."""
    runs = [ins for ins in build.all("RUN") if re.search(r"\bbriefbot\s+build\b", ins.args)]
    assert runs, "no RUN briefbot build --check: a stale catalog would be served"
    final = build.env()
    for run in runs:
        at = build.index(run)
        env = build.env(before=at)
        for name in ("BRIEFBOT_CATALOG", "BRIEFBOT_SEEDS"):
            assert env.get(name) == final.get(name), (
                f"briefbot build runs before ENV {name} is set: it checks another catalog"
            )
        catalog = env.get("BRIEFBOT_CATALOG", "")
        assert build.in_image(catalog, before=at) == ROOT / CATALOG_FILE, (
            "briefbot build runs before the catalog is copied"
        )


def check_the_base_is_a_slim_python_pyproject_accepts(build: Build) -> None:
    words = [w for w in build.stage[0].args.split() if not w.startswith("--")]
    image = words[0]
    found = re.fullmatch(
        r"(?:docker\.io/)?(?:library/)?python:(\d+\.\d+(?:\.\d+)?)-slim(?:-[a-z]+)?"
        r"(?:@sha256:[0-9a-f]{64})?",
        image,
    )
    assert found, f"FROM {image}: not a slim Python image"
    requires = PYPROJECT["project"]["requires-python"]
    assert Version(found[1]) in SpecifierSet(requires), (
        f"FROM {image}: Python {found[1]} does not satisfy requires-python {requires}"
    )


def check_the_bot_runs_as_a_user_that_is_not_root(build: Build) -> None:
    user = build.last("USER")
    assert user is not None, "no USER: the bot would run as root"
    name = user.args.split(":")[0]
    assert name not in ROOT_USERS, f"USER {user.args} is root"
    start = [ins for ins in build.stage if ins.keyword in ("ENTRYPOINT", "CMD")]
    assert start and build.index(user) < build.index(start[0]), "USER comes after the command"


def _accounts(build: Build) -> list[set[str]]:
    """Each user the image creates, as the set of its name and uid."""
    accounts = []
    for ins in build.all("RUN"):
        for command in re.findall(r"\buseradd\b[^&;|]*", ins.args):
            words = command.split()
            uid = re.search(r"(?<!\S)(?:--uid|-u)[=\s]+(\d+)", command)
            accounts.append({words[-1], *([uid[1]] if uid else [])})
    return accounts


def check_the_database_lives_in_a_volume_the_bot_can_write(build: Build) -> None:
    data = build.env().get("BRIEFBOT_DATA_DIR")
    assert data, "ENV BRIEFBOT_DATA_DIR is not set: the database would land in a home directory"
    volumes = [(ins, exec_form(ins.args) or ins.args.split()) for ins in build.all("VOLUME")]
    declared = [ins for ins, paths in volumes if data in paths]
    assert declared, f"no VOLUME {data}: the database would vanish with the container"
    user = build.last("USER")
    assert user is not None
    runner = user.args.split(":")[0]
    same_user = next((a for a in _accounts(build) if runner in a), {runner})
    owned = False
    for ins in build.all("RUN"):
        for owner, paths in re.findall(r"\bchown\s+(?:-\S+\s+)*(\S+)\s+([^&;|]*)", ins.args):
            if data in paths.split() and owner.split(":")[0] in same_user:
                owned = owned or build.index(ins) < build.index(declared[0])
    assert owned, f"{data} is not given to USER {user.args} before VOLUME: no database"


def check_the_container_runs_the_console_script(build: Build) -> None:
    """``briefbot run`` in exec form: the bot is PID 1 and gets docker stop's SIGTERM."""
    entrypoint, cmd = build.last("ENTRYPOINT"), build.last("CMD")
    command: list[str] = []
    for ins in (entrypoint, cmd):
        if ins is not None:
            words = exec_form(ins.args)
            assert words is not None, (
                f"{ins.keyword} {ins.args}: shell form puts /bin/sh in front, and SIGTERM "
                "would not reach the bot"
            )
            command += words
    assert command, "no ENTRYPOINT or CMD"
    assert command[0] in PYPROJECT["project"]["scripts"], (
        f"{command[0]} is not a console script of pyproject.toml"
    )
    assert command[1:2] == ["run"], f"the container runs {command}, not briefbot run"
    stop = build.last("STOPSIGNAL")
    assert stop is None or stop.args in ("SIGTERM", "TERM", "15"), "docker stop sends no SIGTERM"


def check_the_configured_port_is_exposed(build: Build) -> None:
    port = configured_port()
    assert build.env().get("BRIEFBOT_PORT", str(port)) == str(port), (
        f"ENV BRIEFBOT_PORT is not the configured {port}"
    )
    exposed = {int(p.split("/")[0]) for ins in build.all("EXPOSE") for p in ins.args.split()}
    assert port in exposed, f"EXPOSE {sorted(exposed)} does not include the bot's port {port}"


def check_the_health_check_asks_healthz_on_that_port(build: Build) -> None:
    health = build.last("HEALTHCHECK")
    assert health is not None, "no HEALTHCHECK"
    parts = re.fullmatch(r"(?:--\S+\s+)*CMD\s+(.*)", health.args, re.S)
    assert parts, f"HEALTHCHECK {health.args}: no CMD"
    command = parts[1]
    words = exec_form(command)
    tool = (words or shlex.split(command))[0]
    installed = any(
        re.search(rf"apt-get\s+install\b[^&;]*\b{re.escape(tool)}\b", ins.args)
        for ins in build.all("RUN")
    )
    assert tool in ("python", "python3") or installed, f"{tool} is not in the slim image"
    url = re.search(
        r"http://(?:127\.0\.0\.1|localhost|\[::1\]):"
        r"(\d+|\$\{BRIEFBOT_PORT(?::-(\d+))?\}|\$BRIEFBOT_PORT)(/[^\s'\"]*)",
        command,
    )
    assert url, f"the health check asks no local URL: {command}"
    assert url[3] == "/healthz", f"the health check asks {url[3]}, not /healthz"
    port = configured_port()
    if url[1].isdigit():
        assert int(url[1]) == port, f"the health check asks port {url[1]}, the bot is on {port}"
    else:
        assert words is None, "exec form does not expand $BRIEFBOT_PORT"
        assert build.env().get("BRIEFBOT_PORT", str(port)) == str(port)
        assert url[2] in (None, str(port)), f"the health check falls back to port {url[2]}"


def check_the_server_listens_on_every_interface(build: Build) -> None:
    """The bot's default, 127.0.0.1, would be unreachable from outside the container."""
    assert build.env().get("BRIEFBOT_LISTEN") == "0.0.0.0"


def check_every_variable_the_image_sets_is_documented(build: Build) -> None:
    names = {name for name in build.env() if not name.startswith("PYTHON")}
    undocumented = names - documented_variables(build.readme)
    assert not undocumented, f"ENV sets variables the README does not document: {undocumented}"


def check_secrets_and_the_local_venv_stay_out_of_the_build(build: Build) -> None:
    for path in (".env", ".venv", ".git"):
        assert build.excluded(path), f".dockerignore lets {path} into the build context"


def check_the_test_equipment_stays_out_of_the_image(build: Build) -> None:
    """The local Bot API, the tests and the benchmarks are for development, not for running:
    kept out of the build context, so no COPY, however broad, takes them in."""
    let_in = [
        f
        for directory in ("localapi", "tests", "bench")
        for f in project_files(directory)
        if not build.excluded(f)
    ]
    assert not let_in, f"test equipment in the build context: {let_in}"


@dataclass(frozen=True)
class DockerRun:
    line: str
    options: tuple[tuple[str, str | None], ...]
    image: str
    command: tuple[str, ...]

    def values(self, *names: str) -> list[str]:
        return [value for name, value in self.options if name in names and value is not None]

    @property
    def env(self) -> set[str]:
        return {value.partition("=")[0] for value in self.values("-e", "--env")}

    @property
    def published(self) -> list[str]:
        """The container side of each ``-p host:container``."""
        return [p.rsplit(":", 1)[-1].split("/")[0] for p in self.values("-p", "--publish")]

    @property
    def mounts(self) -> set[str]:
        targets = set()
        for value in self.values("-v", "--volume"):
            parts = value.split(":")
            targets.add(parts[1] if len(parts) > 1 else parts[0])
        for value in self.values("--mount"):
            fields = dict(item.partition("=")[::2] for item in value.split(","))
            targets.add(fields.get("target") or fields.get("dst") or fields.get("destination", ""))
        return {t for t in targets if t}

    @property
    def interactive(self) -> bool:
        return any(
            name == "--interactive" or re.fullmatch(r"-[a-z]*i[a-z]*", name)
            for name, _ in self.options
        )


VALUE_OPTIONS = {
    "-e", "--env", "--env-file", "-p", "--publish", "-v", "--volume", "--mount", "--name",
    "--restart", "--network", "--stop-timeout", "-u", "--user", "-w", "--workdir",
    "-h", "--hostname", "-m", "--memory", "--cpus", "-l", "--label", "--log-driver",
    "--log-opt", "--platform", "--pull", "--entrypoint", "--health-cmd",
}  # fmt: skip


def readme_commands(readme: str) -> Iterator[list[str]]:
    """Each command line of the README's code blocks, as the shell splits it."""
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", readme, re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            try:
                words = shlex.split(line, comments=True)
            except ValueError:
                continue  # not shell: a Caddyfile, nginx, YAML or a unit file
            if words:
                yield words


def docker_runs(readme: str) -> list[DockerRun]:
    runs = []
    for words in readme_commands(readme):
        if words[:2] != ["docker", "run"]:
            continue
        options: list[tuple[str, str | None]] = []
        i = 2
        while i < len(words) and words[i].startswith("-"):
            word = words[i]
            if word.startswith("--") and "=" in word:
                name, value = word.split("=", 1)
                options.append((name, value))
                i += 1
            elif word in VALUE_OPTIONS:
                options.append((word, words[i + 1]))
                i += 2
            else:
                options.append((word, None))
                i += 1
        runs.append(DockerRun(shlex.join(words), tuple(options), words[i], tuple(words[i + 1 :])))
    return runs


def check_the_readme_runs_the_image_it_builds(build: Build) -> None:
    """A new user copies the README's lines: they must work together and with the image."""
    tags = {
        words[i + 1]
        for words in readme_commands(build.readme)
        if words[:2] == ["docker", "build"]
        for i, word in enumerate(words[:-1])
        if word in ("-t", "--tag")
    }
    runs = docker_runs(build.readme)
    assert tags, "the README never builds the image (docker build -t NAME .)"
    assert runs, "the README has no docker run example"
    documented = documented_variables(build.readme)
    port = str(configured_port())
    data = build.env().get("BRIEFBOT_DATA_DIR")
    for run in runs:
        assert run.image in tags, f"docker run {run.image}: the README builds {sorted(tags)}"
        assert run.env <= documented, f"undocumented variables: {run.env - documented}"
        assert all(p == port for p in run.published), (
            f"docker run publishes container port {run.published}; the bot listens on {port}"
        )
        if run.command in ((), ("run",)) and not run.interactive:
            from_file = bool(run.values("--env-file"))
            assert "TELEGRAM_BOT_TOKEN" in run.env or from_file, (
                f"{run.line}: without a token the bot opens a console chat on a closed stdin"
            )
            assert "DATABASE_URL" in run.env or data in run.mounts or from_file, (
                f"{run.line}: no volume on {data}: the subscriptions go with the container"
            )
    assert any(port in run.published for run in runs), "no docker run publishes the health port"


CHECKS: list[Callable[[Build], None]] = [
    check_copied_files_exist,
    check_code_catalog_and_seeds_reach_the_image,
    check_the_bot_reads_the_copied_catalog,
    check_the_catalog_is_verified_at_build_time,
    check_the_base_is_a_slim_python_pyproject_accepts,
    check_the_bot_runs_as_a_user_that_is_not_root,
    check_the_database_lives_in_a_volume_the_bot_can_write,
    check_the_container_runs_the_console_script,
    check_the_configured_port_is_exposed,
    check_the_health_check_asks_healthz_on_that_port,
    check_the_server_listens_on_every_interface,
    check_every_variable_the_image_sets_is_documented,
    check_secrets_and_the_local_venv_stay_out_of_the_build,
    check_the_test_equipment_stays_out_of_the_image,
    check_the_readme_runs_the_image_it_builds,
]


FILES = ("Dockerfile", ".dockerignore", "README.md")


def read(name: str) -> str:
    return (ROOT / name).read_text("utf-8")


def the_build(files: dict[str, str] | None = None) -> Build:
    files = files or {name: read(name) for name in FILES}
    return Build.of(files["Dockerfile"], files[".dockerignore"], files["README.md"])


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__[len("check_") :])
def test_the_image(check: Callable[[Build], None]) -> None:
    check(the_build())


@dataclass(frozen=True)
class Mistake:
    file: str
    old: str
    new: str
    check: Callable[[Build], None]
    says: str


# One plausible mistake per line: (file, text, replacement, the check, what it says).
# fmt: off
MISTAKES = [
    Mistake("Dockerfile", "COPY seeds/ seeds/", "COPY seed/ seeds/",
            check_copied_files_exist, "no such file"),
    Mistake(".dockerignore", "\ntests\n", "\ntests\ncatalog/*.json\n",
            check_code_catalog_and_seeds_reach_the_image, "catalog/briefings.json"),
    Mistake(".dockerignore", "\ntests\n", "\ntests\n**/*.json\n",
            check_code_catalog_and_seeds_reach_the_image, "briefings/topics.json"),
    Mistake("Dockerfile", "COPY seeds/ seeds/\n", "",
            check_code_catalog_and_seeds_reach_the_image, "seeds/"),
    Mistake("Dockerfile", "BRIEFBOT_CATALOG=/app/catalog/", "BRIEFBOT_CATALOG=/srv/catalog/",
            check_the_bot_reads_the_copied_catalog, "BRIEFBOT_CATALOG"),
    Mistake("Dockerfile", " \\\n    BRIEFBOT_SEEDS=/app/seeds\n", "\n",
            check_the_bot_reads_the_copied_catalog, "ENV BRIEFBOT_SEEDS is not set"),
    Mistake("Dockerfile", "RUN briefbot build --check", "RUN briefbot topics",
            check_the_catalog_is_verified_at_build_time, "stale"),
    Mistake("Dockerfile", "ENV BRIEFBOT_CATALOG=", "RUN briefbot build\nENV BRIEFBOT_CATALOG=",
            check_the_catalog_is_verified_at_build_time, "another catalog"),
    Mistake("Dockerfile", "COPY catalog/ catalog/\n", "COPY catalog/ /srv/catalog/\n",
            check_the_catalog_is_verified_at_build_time, "before the catalog is copied"),
    Mistake("Dockerfile", "FROM python:3.11-slim", "FROM python:3.11",
            check_the_base_is_a_slim_python_pyproject_accepts, "not a slim"),
    Mistake("Dockerfile", "FROM python:3.11-slim", "FROM python:3.10-slim",
            check_the_base_is_a_slim_python_pyproject_accepts, "requires-python"),
    Mistake("Dockerfile", "USER 10001:10001", "USER root",
            check_the_bot_runs_as_a_user_that_is_not_root, "is root"),
    Mistake("Dockerfile", "USER 10001:10001", "",
            check_the_bot_runs_as_a_user_that_is_not_root, "no USER"),
    Mistake("Dockerfile", "chown briefbot:briefbot /data", "chown briefbot:briefbot /app",
            check_the_database_lives_in_a_volume_the_bot_can_write, "is not given"),
    Mistake("Dockerfile", "VOLUME /data", "VOLUME /var/lib/briefbot",
            check_the_database_lives_in_a_volume_the_bot_can_write, "no VOLUME"),
    Mistake("Dockerfile", 'CMD ["run"]', 'CMD ["chat"]',
            check_the_container_runs_the_console_script, "not briefbot run"),
    Mistake("Dockerfile", 'ENTRYPOINT ["briefbot"]', "ENTRYPOINT briefbot",
            check_the_container_runs_the_console_script, "shell form"),
    Mistake("Dockerfile", 'ENTRYPOINT ["briefbot"]', 'ENTRYPOINT ["brief-bot"]',
            check_the_container_runs_the_console_script, "not a console script"),
    Mistake("Dockerfile", "EXPOSE 8080", "EXPOSE 8000",
            check_the_configured_port_is_exposed, "EXPOSE"),
    Mistake("Dockerfile", "BRIEFBOT_PORT=8080", "BRIEFBOT_PORT=8000",
            check_the_configured_port_is_exposed, "BRIEFBOT_PORT"),
    Mistake("Dockerfile", "/healthz'", "/health'",
            check_the_health_check_asks_healthz_on_that_port, "not /healthz"),
    Mistake("Dockerfile", "${BRIEFBOT_PORT:-8080}", "8000",
            check_the_health_check_asks_healthz_on_that_port, "port 8000"),
    Mistake("Dockerfile", "${BRIEFBOT_PORT:-8080}", "${BRIEFBOT_PORT:-8000}",
            check_the_health_check_asks_healthz_on_that_port, "falls back to port 8000"),
    Mistake("Dockerfile", "CMD python -c", "CMD curl -fsS -c",
            check_the_health_check_asks_healthz_on_that_port, "curl is not in"),
    Mistake("Dockerfile", "BRIEFBOT_LISTEN=0.0.0.0", "BRIEFBOT_LISTEN=127.0.0.1",
            check_the_server_listens_on_every_interface, "127.0.0.1"),
    Mistake("Dockerfile", "EXPOSE 8080", "ENV BRIEFBOT_COLOUR=blue\nEXPOSE 8080",
            check_every_variable_the_image_sets_is_documented, "BRIEFBOT_COLOUR"),
    Mistake(".dockerignore", "\nlocalapi\n", "\n",
            check_the_test_equipment_stays_out_of_the_image, "localapi/server.py"),
    Mistake(".dockerignore", "\n.env\n", "\n",
            check_secrets_and_the_local_venv_stay_out_of_the_build, "lets .env into"),
    Mistake(".dockerignore", "\n.venv\n", "\n",
            check_secrets_and_the_local_venv_stay_out_of_the_build, "lets .venv into"),
    Mistake("README.md", "-p 127.0.0.1:8080:8080", "-p 127.0.0.1:8080:8000",
            check_the_readme_runs_the_image_it_builds, "publishes container port"),
    Mistake("README.md", "-e WEBHOOK_URL=", "-e BRIEFBOT_WEBHOOK=",
            check_the_readme_runs_the_image_it_builds, "BRIEFBOT_WEBHOOK"),
    Mistake("README.md", "docker build -t briefbot .", "docker build -t briefbot:1 .",
            check_the_readme_runs_the_image_it_builds, "the README builds"),
    Mistake("README.md", "  -e TELEGRAM_BOT_TOKEN \\\n", "",
            check_the_readme_runs_the_image_it_builds, "console chat"),
    Mistake("README.md", "  -v briefbot-data:/data \\\n", "",
            check_the_readme_runs_the_image_it_builds, "no volume on /data"),
]
# fmt: on


@pytest.mark.parametrize(
    "mistake", MISTAKES, ids=lambda m: f"{m.check.__name__.removeprefix('check_')}: {m.says}"
)
def test_each_check_catches_its_mistake(mistake: Mistake) -> None:
    files = {name: read(name) for name in FILES}
    assert mistake.old in files[mistake.file], f"{mistake.file} no longer has {mistake.old!r}"
    files[mistake.file] = files[mistake.file].replace(mistake.old, mistake.new)
    build = the_build(files)
    with pytest.raises(AssertionError, match=re.escape(mistake.says)):
        mistake.check(build)
