"""Load over HTTP with as little client work as possible: ``ledger serve`` in a child
process, raw keep-alive HTTP/1.1 connections, one thread each.

Shared by ``api.py`` and ``scale.py``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import httpx

API = "/api/v1"


class Server:
    """``ledger serve`` in a child process."""

    def __init__(self, url: str, workers: int, python: str = sys.executable) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, "LEDGER_DATABASE_URL": url}
        command = [python, "-m", "ledger.cli", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen([*command, "--workers", str(workers)], env=env)
        self.base = f"http://127.0.0.1:{self.port}{API}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Connection:
    """One keep-alive HTTP/1.1 connection with the least client work possible.

    The load generator must cost far less than the server it measures; on two
    cores a full HTTP client library in the same process was the bottleneck
    (httpx's async client topped out at ~250 requests/s), so requests are
    written as bytes and answers read by Content-Length.
    """

    def __init__(self, port: int, token: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")
        self.auth = f"Authorization: Bearer {token}\r\n".encode()

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = f"{method} {API}{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode() + self.auth
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n".encode()
        self.sock.sendall(head + b"\r\n" + body)
        status = int(self.file.readline().split()[1])
        length = 0
        while (line := self.file.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, self.file.read(length)

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def load(
    port: int, token: str, clients: int, seconds: float, request: Any
) -> tuple[float, list[float], int]:
    """``clients`` threads, one connection each, for ``seconds``: requests/s, latencies, errors."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.perf_counter() + seconds

    def loop(k: int) -> None:
        connection = Connection(port, token)
        i = k
        try:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                status = request(connection, i)
                latencies[k].append(time.perf_counter() - began)
                errors[k] += not 200 <= status < 300
                i += clients
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    every = [x for per in latencies for x in per]
    return len(every) / elapsed, every, sum(errors)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
