"""``ledger token`` and ``ledger serve --demo`` as real processes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def ledger(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "ledger.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_tokens_are_issued_listed_and_revoked(tmp_path: Path) -> None:
    issued = ledger(
        tmp_path,
        "token",
        "issue",
        "--actor",
        "a-1",
        "--name",
        "王审",
        "--role",
        "auditor",
        "--expires",
        "30",
    )
    assert issued.returncode == 0, issued.stderr
    token = re.search(r"lg_[0-9a-f]{16}_\S+", issued.stdout).group(0)
    token_id = token.split("_")[1]
    listed = ledger(tmp_path, "token", "list")
    assert token_id[:6] in listed.stdout and "有效" in listed.stdout
    assert token.split("_", 2)[2] not in listed.stdout
    revoked = ledger(tmp_path, "token", "revoke", token_id)
    assert revoked.returncode == 0 and "已吊销" in revoked.stdout
    assert "已吊销" in ledger(tmp_path, "token", "list").stdout


def test_bad_token_requests_are_refused_in_chinese(tmp_path: Path) -> None:
    unit = ledger(
        tmp_path, "token", "issue", "--actor", "u", "--name", "联络员", "--role", "responsible_unit"
    )
    assert unit.returncode == 2 and "须指定所属单位" in unit.stderr
    role = ledger(tmp_path, "token", "issue", "--actor", "x", "--name", "某", "--role", "king")
    assert role.returncode == 2 and "role" in role.stderr
    gone = ledger(tmp_path, "token", "revoke", "0000000000000000")
    assert gone.returncode == 2 and "没有编号" in gone.stderr


def test_serve_demo_prints_a_token_per_role_and_serves_them(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "ledger.cli", "serve", "--demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        lines = []
        while not any("/docs" in line for line in lines):
            line = server.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        tokens = re.findall(r"lg_[0-9a-f]{16}_\S+", "".join(lines))
        assert len(tokens) == 6
        url = f"http://127.0.0.1:{port}/api/v1"
        for _ in range(100):
            try:
                httpx.get(f"{url}/health")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        counts = httpx.get(f"{url}/inspections", headers={"Authorization": f"Bearer {tokens[0]}"})
        assert counts.status_code == 200
        assert counts.json()[0]["total"] == 68
        assert httpx.get(f"{url}/inspections").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=20)
