"""A throwaway PostgreSQL server for the tests: started once per session, on 127.0.0.1.

The store must behave the same on SQLite and PostgreSQL, and several instances sharing one
PostgreSQL must deliver each digest once; only a real server shows that. So the first test
that asks for ``postgres_server`` gets a cluster of its own: ``initdb`` into a temporary
directory (on tmpfs when there is room; trust authentication, user ``postgres``), started
on a free port with durability off (``fsync``, ``synchronous_commit``, ``full_page_writes``:
nothing here must survive a crash) and its sockets in that directory, so it touches neither
a system cluster nor port 5432. It is stopped (``-m immediate``) and deleted when the
session ends. Every test gets a fresh, empty database from :meth:`PostgresServer.database`.

PostgreSQL refuses to run as root; under root (CI) the server runs as the ``postgres`` user
(``nobody`` if there is none), which owns the temporary directory. Where no PostgreSQL is
installed (``scripts/ensure-postgres`` installs Debian's package when it can), the tests
that need it are skipped with that reason, and the report header says so up front.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

START_TIMEOUT = 30  # seconds; a cold start takes well under one
_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",  # two bot instances' pools and the tests' own engines
    "shared_buffers": "32MB",
    "max_wal_size": "256MB",  # in memory, when the cluster lives on tmpfs
}
SHARED_MEMORY = Path("/dev/shm")
PREFIX = "briefbot-pg-"


def find_binaries() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres: from PATH, else Debian's layout."""
    candidates = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")],
        reverse=True,
    )
    candidates.extend(Path(p) for p in debian)
    for directory in candidates:
        if all((directory / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _scratch_dir() -> Path | None:
    """tmpfs when it has room: a database is created there in 10 ms instead of 150."""
    try:
        found = os.statvfs(SHARED_MEMORY)
    except OSError:
        return None
    roomy = found.f_bavail * found.f_frsize >= 1 << 30
    if not roomy or not os.access(SHARED_MEMORY, os.W_OK):
        return None
    hour_ago = time.time() - 3600
    for stale in SHARED_MEMORY.glob(PREFIX + "*"):  # left by a session killed mid-way
        running = (stale / "data" / "postmaster.pid").exists()
        if not running and stale.stat().st_mtime < hour_ago:
            shutil.rmtree(stale, ignore_errors=True)
    return SHARED_MEMORY


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: ourselves, unless we are root, which PostgreSQL refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise LookupError("running as root and there is neither a 'postgres' nor a 'nobody' user")


@dataclass
class PostgresServer:
    """A running cluster; hands out one empty database per test."""

    binaries: Path
    root: Path
    port: int
    user: pwd.struct_passwd | None
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        """The plain URL, as a user would put it in ``DATABASE_URL``."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    async def database(self) -> str:
        """A fresh, empty database's URL (``postgresql://…``, no driver in it)."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        connection = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user="postgres", database="postgres"
        )
        # FILE_COPY (PostgreSQL 15's other way) writes no WAL for the copy: less memory.
        strategy = " STRATEGY FILE_COPY" if connection.get_server_version().major >= 15 else ""
        try:
            await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE template0{strategy}')
        finally:
            await connection.close()
        return self.url(name)

    def _run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        switch = self.user is not None  # root: drop to the server's user, and its groups only
        return subprocess.run(
            [str(self.binaries / arguments[0]), *arguments[1:]],
            cwd=self.root,  # the server's user may not be allowed into ours
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=False,
            user=self.user.pw_uid if self.user else None,
            group=self.user.pw_gid if self.user else None,
            extra_groups=[] if switch else None,
        )

    def _log_tail(self) -> str:
        log = self.root / "server.log"
        return log.read_text(errors="replace")[-1500:] if log.exists() else ""

    def start(self) -> None:
        made = self._run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        if made.returncode:
            raise RuntimeError(f"initdb failed: {made.stderr.strip() or made.stdout.strip()}")
        self.resume()

    def halt(self, mode: str = "fast") -> None:
        """Stop the server and keep its data: a database outage, until :meth:`resume`.

        ``mode`` is pg_ctl's: ``fast`` ends every session cleanly first, ``immediate`` kills
        the server as a crash would (the next start recovers from the write-ahead log).
        """
        self._run("pg_ctl", "--pgdata", str(self.data), f"--mode={mode}", "--wait", "stop")

    def freeze(self) -> None:
        """Suspend every server process (SIGSTOP): connections stay open and nothing answers,
        as in a network partition, until :meth:`thaw`."""
        self._signal_all(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal_all(signal.SIGCONT)

    def _signal_all(self, signum: int) -> None:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        for pid in [postmaster, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def resume(self) -> None:
        """Start the (initialised) cluster on its port."""
        for attempt in range(3):  # the free port may be taken between probe and start
            options = " ".join(
                [f"-p {self.port}", f"-k {self.root}"]
                + [f"-c {name}={value}" for name, value in _SERVER_SETTINGS.items()]
            )
            started = self._run(
                "pg_ctl",
                "--pgdata",
                str(self.data),
                "--log",
                str(self.root / "server.log"),
                "--options",
                options,
                "--wait",
                f"--timeout={START_TIMEOUT}",
                "start",
            )
            if started.returncode == 0:
                return
            if attempt < 2 and "could not bind" in self._log_tail():
                self.port = free_port()
                continue
            raise RuntimeError(f"PostgreSQL did not start:\n{self._log_tail()}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "--pgdata", str(self.data), "--mode=immediate", "--wait", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def _not_installed_reason() -> str:
    reason = (
        "PostgreSQL is not installed: no initdb on PATH or in /usr/lib/postgresql/*/bin "
        "(`make test` runs scripts/ensure-postgres, which installs Debian's package as root)"
    )
    if os.environ.get("CI"):  # said twice on purpose: half of the store went untested
        reason = f"CI ran WITHOUT PostgreSQL! {reason}; see ensure-postgres's line above"
    return reason


def start_server() -> PostgresServer:
    """initdb and start a cluster in a new temporary directory; skip if there is no server."""
    binaries = find_binaries()
    if binaries is None:
        pytest.skip(_not_installed_reason())
    try:
        user = _server_user()
    except LookupError as error:
        pytest.skip(f"PostgreSQL cannot run here: {error}")
    root = Path(tempfile.mkdtemp(prefix=PREFIX, dir=_scratch_dir()))
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    server = PostgresServer(binaries, root, free_port(), user)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A server of one's own, started, then stopped and deleted on leaving."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (started on first use), or a skip saying why not."""
    with running_server() as server:
        yield server


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the session's server (``postgresql://…``)."""
    return await postgres_server.database()


def pytest_report_header() -> str:
    found = find_binaries()
    if found is None:
        return "postgresql: " + _not_installed_reason()
    return f"postgresql: {found} (a throwaway cluster on 127.0.0.1 when a test needs it)"
