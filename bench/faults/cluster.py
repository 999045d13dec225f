"""A PostgreSQL server of the fault scripts' own, in a temporary directory.

Restarting the machine's PostgreSQL would break everyone else's work on it,
so ``pg_restart.py`` starts its own server (the same binaries, its own data
directory and loopback port) unless asked to use the system one. The server
must not run as root: when this script is root, ``pg_ctl`` runs as the
``postgres`` user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time


class ClusterError(RuntimeError):
    """The private server could not be made or started."""


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return os.path.dirname(found[-1])
    on_path = shutil.which("pg_ctl")
    if on_path:
        return os.path.dirname(on_path)
    raise ClusterError("找不到 pg_ctl:请安装 PostgreSQL 服务器程序,或改用 --cluster system")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateCluster:
    """initdb, start, restart and remove a throwaway server on 127.0.0.1."""

    def __init__(self) -> None:
        self.bindir = _bindir()
        self.port = free_port()
        self.home = tempfile.mkdtemp(prefix="ledger-faults-pg-")
        self.data = os.path.join(self.home, "data")
        self.log = os.path.join(self.home, "server.log")
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.home, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [*self.as_user, os.path.join(self.bindir, args[0]), *args[1:]]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise ClusterError(f"{args[0]} 失败:{done.stderr.strip() or done.stdout.strip()}")

    def create(self) -> None:
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        settings = {
            "port": self.port,
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": self.home,
            # scale.py --against runs two sets of servers, each with its pools.
            "max_connections": 150,
            "shared_buffers": "64MB",
        }
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as conf:
            for key, value in settings.items():
                conf.write(f"{key} = '{value}'\n")
        self.start()

    def start(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-m", "fast", "-w", "restart")

    def remove(self) -> None:
        with contextlib.suppress(ClusterError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.home, ignore_errors=True)


def wait_until_up(url: str, seconds: float = 60) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.Error:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
