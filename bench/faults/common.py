"""What the fault scripts share: a server in a child process, clients that send
keyed commands, and the checks made on the ledger afterwards.

Every command is ``POST /findings/{id}/progress`` with a narrative equal to
its idempotency key, so the log itself says which key each event came from.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.infrastructure.credentials import Credentials

OFFICE = Actor(id="faults-office", name="故障演练", role="inspection_office")
API = "/api/v1"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as children:
                    todo += [int(c) for c in children.read().split()]
        except OSError:
            continue
    return found


class Served:
    """``ledger serve`` in a process group of its own (so kill -9 reaches every worker)."""

    def __init__(self, url: str, workers: int = 1, env: dict[str, str] | None = None) -> None:
        self.url = url
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}{API}"
        self.env = {**os.environ, "LEDGER_DATABASE_URL": url, **(env or {})}
        fd, self.log_path = tempfile.mkstemp(prefix="ledger-faults-", suffix=".log")
        self.log = os.fdopen(fd, "wb")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, seconds: float = 120) -> float:
        """Start and wait until it answers; returns how long that took."""
        began = time.monotonic()
        command = [sys.executable, "-m", "ledger.cli", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--workers", str(self.workers)],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while time.monotonic() - began < seconds:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"服务进程退出(代码 {self.process.returncode}),见 {self.log.name}"
                )
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return time.monotonic() - began
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"服务在 {seconds} 秒内未就绪,见 {self.log_path}")

    def signal(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)

    def processes(self) -> list[int]:
        """The server's process and its workers."""
        return sorted(tree(self.process.pid)) if self.process else []

    def kill9(self) -> None:
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        self.signal(signal.SIGTERM)
        if self.process is not None:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()


def prepare(url: str, findings: int) -> tuple[list[str], str]:
    """An inspection with ``findings`` long-term findings, and an office token."""
    ledger = Ledger(Settings(url))
    try:
        inspection = ledger.open_inspection(
            OFFICE, kind="tour", title="故障演练", inspecting_body="巡察组", inspected_body="某局"
        ).id
        with ledger.batch():
            ids = [
                str(
                    ledger.record_finding(
                        OFFICE,
                        inspection,
                        category=["一、类别"],
                        number=str(n),
                        text="问题",
                        long_term=True,
                    ).id
                )
                for n in range(findings)
            ]
        token, _ = Credentials(ledger.projector.db.engine).issue(
            actor_id=OFFICE.id, name=OFFICE.name, role=OFFICE.role.value
        )
        return ids, token
    finally:
        ledger.close()


@dataclass
class Tally:
    """What the clients sent and saw, over the whole run."""

    keys: dict[str, list[str]]  # finding -> the keys issued for it, in sending order
    acked: dict[str, int] = field(default_factory=dict)  # key -> version in its receipt
    sent: Counter[str] = field(default_factory=Counter)  # key -> times sent
    replayed: set[str] = field(default_factory=set)  # answered from the stored receipt
    statuses: Counter[int | str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    ack_times: list[tuple[float, str]] = field(default_factory=list)  # (when, server)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, findings: list[str]) -> Tally:
        return cls({f: [] for f in findings})

    @property
    def total(self) -> int:
        return sum(map(len, self.keys.values()))

    @property
    def pending(self) -> int:
        """Keys sent and not (yet) acknowledged."""
        return self.total - len(self.acked)

    @property
    def resent(self) -> int:
        """Keys sent more than once (their first attempt got no acknowledgement)."""
        return sum(1 for n in self.sent.values() if n > 1)

    def next_key(self, finding: str, drain: bool) -> str | None:
        """The key still unacknowledged, else a new one (none when draining)."""
        keys = self.keys[finding]
        if keys and keys[-1] not in self.acked:
            return keys[-1]
        if drain:
            return None
        keys.append(f"{finding[:8]}-{len(keys)}")
        return keys[-1]

    def note(self, key: str, status: int | str, took: float) -> None:
        with self.lock:
            self.sent[key] += 1
            self.statuses[status] += 1
            self.latencies.append(took)


def send(
    base: str,
    token: str,
    finding: str,
    tally: Tally,
    stop: threading.Event,
    *,
    patient: bool,
    drain: bool = False,
) -> None:
    """Send keyed commands on one finding, one at a time, each until acknowledged.

    Not patient (kill -9): the first transport error ends the thread; the key
    is resent after the restart. Patient (database restarts): a 503 or a
    transport error is waited out and the same key sent again. Draining:
    only the key left unacknowledged is sent, then the thread ends.
    """
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        while not stop.is_set() and (key := tally.next_key(finding, drain)) is not None:
            began = time.monotonic()
            try:
                answer = client.post(
                    f"/findings/{finding}/progress",
                    json={"narrative": key},
                    headers={"Idempotency-Key": key},
                )
            except httpx.TimeoutException:
                tally.note(key, "timeout", time.monotonic() - began)
                continue
            except httpx.TransportError:
                tally.note(key, "transport", time.monotonic() - began)
                if not patient:
                    return
                time.sleep(0.2)
                continue
            tally.note(key, answer.status_code, time.monotonic() - began)
            if answer.status_code == 201:
                tally.acked[key] = answer.json()["version"]
                tally.ack_times.append((time.monotonic(), base))
                if answer.headers.get("Idempotent-Replayed") == "true":
                    tally.replayed.add(key)
            elif answer.status_code == 503:
                time.sleep(min(float(answer.headers.get("Retry-After", "1")), 0.5))
            else:
                stop.set()  # anything else is a defect: stop everyone and report
                raise RuntimeError(f"{key}: {answer.status_code} {answer.text}")


def clients(
    bases: str | list[str],
    token: str,
    tally: Tally,
    stop: threading.Event,
    *,
    patient: bool,
    drain: bool = False,
) -> list[threading.Thread]:
    """One thread per finding, started; findings are spread over the servers."""
    servers = [bases] if isinstance(bases, str) else bases
    how = {"patient": patient, "drain": drain}
    threads = [
        threading.Thread(
            target=send,
            args=(servers[i % len(servers)], token, f, tally, stop),
            kwargs=how,
            daemon=True,
        )
        for i, f in enumerate(tally.keys)
    ]
    for t in threads:
        t.start()
    return threads


def temp_sqlite() -> str:
    return f"sqlite:///{tempfile.mkdtemp(prefix='ledger-faults-')}/ledger.db"


def key_dir() -> dict[str, str]:
    """A signing-key directory of the run's own (``ledger checkpoint`` and ``verify``)."""
    return {"LEDGER_KEY_DIR": tempfile.mkdtemp(prefix="ledger-faults-key-")}


def ledger_cli(url: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ledger.cli", "--database", url, *args]
    return subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, timeout=600
    )


def checkpoint(url: str, env: dict[str, str]) -> Path:
    """Export a signed checkpoint of the log as it is now."""
    out = Path(env["LEDGER_KEY_DIR"]) / f"checkpoint-{time.time_ns()}.txt"
    done = ledger_cli(url, env, "checkpoint", "--out", str(out))
    if done.returncode != 0:
        raise RuntimeError(f"ledger checkpoint 失败:{done.stderr}")
    return out
