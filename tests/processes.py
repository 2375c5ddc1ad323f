"""Servers the tests start for real (gunicorn, the one-command start, SeaweedFS): a free
loopback port, and an end that never leaves one running."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen, timeout: float) -> None:
    """Ask the process to end; kill it if it has not within ``timeout`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Gunicorn:
    """gunicorn with two workers on a free port; ``lines`` holds what it printed, access log
    lines as ``ACCESS <pid> <status> <path>``."""

    def __init__(self, env: dict[str, str], overrides: dict):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "-",
                "--access-logformat",
                "ACCESS %(p)s %(s)s %(U)s",
                f"elections:create_app({overrides!r})",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited:\n" + "".join(self.lines)
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise AssertionError("gunicorn did not serve:\n" + "".join(self.lines))

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.base + path, timeout=20) as answer:  # noqa: S310
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    def pids(self, path_prefix: str) -> set[str]:
        found = set()
        for line in list(self.lines):
            match = re.match(r"ACCESS <?(\d+)>? (\d+) (\S+)", line)
            if match and match.group(3).startswith(path_prefix):
                found.add(match.group(1))
        return found

    def stop(self) -> None:
        stop(self.process, timeout=20)
        self.process.stdout.close()
