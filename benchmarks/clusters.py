"""PostgreSQL clusters of a drill's or a test's own: ``initdb`` and ``pg_basebackup`` in a
temporary folder, on free loopback ports, removed afterwards.

A primary streams to its standbys (synchronously when asked: ``remote_apply``, so a commit
is acknowledged only once the standby shows it), archives its WAL when asked (for a
point-in-time restore), and can be killed with SIGKILL. As root, the server programs run as
the ``postgres`` user, which PostgreSQL requires.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from benchmarks.common import free_port


def _bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL's server programs (initdb) are not installed")
    return Path(initdb).resolve().parent


BIN = _bin()
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def run(*command: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [*AS_POSTGRES, *command], capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class Cluster:
    """One PostgreSQL server in ``folder/name``, listening on 127.0.0.1:``port``."""

    def __init__(self, folder: Path, name: str):
        self.name = name
        self.data = folder / name
        self.port = free_port()
        self.log = folder / f"{name}.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def configure(self, **settings) -> None:
        lines = [f"{key} = '{value}'" for key, value in settings.items()]
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write("\n".join(lines) + "\n")

    def start(self, wait: bool = True) -> Cluster:
        run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w" if wait else "-W",
            "-t", "120", "start")  # fmt: skip
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def kill(self) -> int:
        """SIGKILL the postmaster, as a machine that loses power would stop it; its backends
        end when they notice (within a moment). Returns the killed pid."""
        pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)
        for line in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True,
                                   check=False).stdout.split():  # fmt: skip
            os.kill(int(line), signal.SIGKILL)
        return pid

    def promote(self) -> None:
        run(str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "promote")

    def sql(self, statement: str, database: str = "postgres"):
        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def create_database(self, name: str) -> str:
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sql("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


class Clusters:
    """A temporary folder for a drill's clusters; ``close()`` stops them and removes it."""

    def __init__(self, label: str):
        self.folder = Path(tempfile.mkdtemp(prefix=f"pg-{label}-"))
        if AS_POSTGRES:
            shutil.chown(self.folder, "postgres", "postgres")
        self.members: list[Cluster] = []
        self.archive = self.folder / "archive"

    def primary(self, name: str = "primary", sync_standby: str | None = None,
                archive: bool = False, **settings) -> Cluster:  # fmt: skip
        cluster = Cluster(self.folder, name)
        run(str(BIN / "initdb"), "-D", str(cluster.data), "-U", "postgres", "--auth=trust",
            "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": cluster.port,
            "unix_socket_directories": str(self.folder),
            "wal_level": "replica",
            "max_wal_senders": 10,
            "wal_keep_size": "256MB",
            **settings,
        }
        if sync_standby:
            settings["synchronous_standby_names"] = sync_standby
            settings["synchronous_commit"] = "remote_apply"
        if archive:
            self.archive.mkdir(exist_ok=True)
            if AS_POSTGRES:
                shutil.chown(self.archive, "postgres", "postgres")
            settings["archive_mode"] = "on"
            settings["archive_command"] = f"test ! -f {self.archive}/%f && cp %p {self.archive}/%f"
            settings["archive_timeout"] = "1s"
        cluster.configure(**settings)
        self.members.append(cluster)
        return cluster.start()

    def base_backup(self, source: Cluster, name: str) -> Cluster:
        """A copy of ``source``'s data folder as it is now, WAL included, not started."""
        copy = Cluster(self.folder, name)
        run(str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(source.port), "-U",
            "postgres", "-D", str(copy.data), "-X", "stream", "-c", "fast")  # fmt: skip
        copy.configure(port=copy.port)
        self.members.append(copy)
        return copy

    def standby(self, primary: Cluster, name: str = "standby") -> Cluster:
        """A hot standby streaming from ``primary`` under the application name ``name``."""
        standby = self.base_backup(primary, name)
        (standby.data / "standby.signal").touch()
        if AS_POSTGRES:
            shutil.chown(standby.data / "standby.signal", "postgres", "postgres")
        conninfo = f"host=127.0.0.1 port={primary.port} user=postgres application_name={name}"
        standby.configure(primary_conninfo=conninfo, hot_standby="on")
        return standby.start()

    def close(self) -> None:
        for cluster in reversed(self.members):
            # Killed already, or never started: the folder goes all the same.
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                cluster.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


# WAL positions as byte offsets, which Python compares as integers.
WRITTEN = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint"
REPLAYED = "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint"


def wait_for_replay(primary: Cluster, standby: Cluster, timeout: float = 60) -> float:
    """Wait until the standby has replayed everything the primary has written now; returns
    the seconds it took."""
    ((target,),) = primary.sql(WRITTEN)
    started = time.monotonic()
    while standby.sql(REPLAYED)[0][0] < target:
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{standby.name} did not replay to byte {target} in {timeout} s")
        time.sleep(0.01)
    return time.monotonic() - started
