"""Load over HTTP from ``wrk``, a load generator written in C, when it is installed.

The Python load generator (``loadgen.py``) runs one thread per client in one
process: on two cores it takes a core the server needs, and an answer that
has arrived waits for the interpreter before its thread stamps the time, so
its latencies include the client's own scheduling. ``wrk`` costs a fraction
of that and stamps the time in C as the answer is parsed.

Each round writes a Lua script to a temporary file and runs ``wrk`` with one
thread per client and one connection per thread. Because a thread has a
single connection, its ``response()`` is the answer to its last
``request()``: the script stamps both ends of every request itself (exact
percentiles, no correction applied), knows which finding each receipt is
for, and stops the thread at the deadline right after an answer, so no
command is left in flight when the round ends. ``done()`` prints one JSON
line with the figures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

MARK = "LEDGER-BENCH "

# The names in braces are filled in per round.
SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct {{ long tv_sec; long tv_nsec; }} bench_timespec;
int clock_gettime(int clock, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC: one clock for every thread
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) * 1e-9
end

local IDS = {{{ids}}}
local PATH, METHOD, BODY = {path}, {method}, {body}
local SECONDS, RECEIPTS, CLIENTS = {seconds}, {receipts}, {clients}
local HEADERS = {{["Authorization"] = "Bearer {token}"}}
if BODY then HEADERS["Content-Type"] = "application/json" end

-- main state: one deadline for every thread, and the threads for done()
local threads = {{}}
function setup(thread)
  deadline = deadline or now() + SECONDS
  thread:set("index", #threads)
  thread:set("deadline", deadline)
  threads[#threads + 1] = thread
end

-- thread state: one connection, so each response answers the last request
function init(args)
  turn, sent, answered = index, 0, 0
  latencies, statuses, receipts = {{}}, {{}}, {{}}
  outstanding, started, first, last, current = false, 0, nil, nil, nil
end

function request()
  current = IDS[turn % #IDS + 1]
  turn = turn + CLIENTS  -- as loadgen.py: client k asks ids k, k + clients, …
  sent = sent + 1
  local body = BODY and string.format(BODY, index, sent) or nil
  outstanding, started = true, now()
  first = first or started
  return wrk.format(METHOD, string.format(PATH, current), HEADERS, body)
end

function response(status, headers, body)
  local t = now()
  outstanding = false
  answered = answered + 1
  latencies[answered] = t - started
  last = t
  statuses[status] = (statuses[status] or 0) + 1
  if RECEIPTS and status >= 200 and status < 300 then
    receipts[#receipts + 1] = current .. ":" .. (string.match(body, '"version":%s*(%d+)') or "?")
  end
  if t >= deadline then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local all, codes, kept = {{}}, {{}}, {{}}
  local unanswered, first, last = 0, nil, nil
  for _, thread in ipairs(threads) do
    for _, x in ipairs(thread:get("latencies")) do all[#all + 1] = x end
    for code, n in pairs(thread:get("statuses")) do
      codes[tostring(code)] = (codes[tostring(code)] or 0) + n
    end
    for _, r in ipairs(thread:get("receipts")) do kept[#kept + 1] = '"' .. r .. '"' end
    if thread:get("outstanding") then unanswered = unanswered + 1 end
    local f, l = thread:get("first"), thread:get("last")
    if f and (first == nil or f < first) then first = f end
    if l and (last == nil or l > last) then last = l end
  end
  table.sort(all)
  local function pct(q)
    if #all == 0 then return 0 end
    return all[math.min(#all, math.floor(q * #all) + 1)] * 1000
  end
  local e = summary.errors
  local parts = {{}}
  for code, n in pairs(codes) do parts[#parts + 1] = string.format('"%s": %d', code, n) end
  io.write(string.format(
    '{mark}{{"answered": %d, "elapsed": %.6f, "p50": %.3f, "p99": %.3f, ' ..
    '"statuses": {{%s}}, "unanswered": %d, "socket_errors": %d, "receipts": [%s]}}\\n',
    #all, (last or 0) - (first or 0), pct(0.5), pct(0.99), table.concat(parts, ", "),
    unanswered, e.connect + e.read + e.write + e.timeout, table.concat(kept, ", ")))
end
"""


@dataclass
class Round:
    """One round's figures: requests/s, p50 and p99 in ms, failed requests, receipts."""

    rate: float
    p50: float
    p99: float
    errors: int
    receipts: list[tuple[str, int]] = field(default_factory=list)


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    port: int,
    token: str,
    clients: int,
    seconds: float,
    path: str,
    ids: list[str],
    body: str | None = None,
) -> Round:
    """``clients`` connections for ``seconds``, ``path`` (with ``%s``) over ``ids`` in turn.

    With ``body`` (a format string taking the thread and a counter) the requests
    are POSTs and every 2xx answer's ``version`` is kept as a receipt."""
    script = SCRIPT.format(
        ids=", ".join(_lua(i) for i in ids),
        path=_lua(path),
        method=_lua("POST" if body else "GET"),
        body="nil" if body is None else _lua(body),
        seconds=repr(float(seconds)),
        receipts="true" if body else "false",
        clients=clients,
        token=token,
        mark=MARK,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        # wrk's own clock runs a little past the script's deadline, so that the
        # last request of every thread is answered before wrk stops the threads.
        command = ["wrk", "-t", str(clients), "-c", str(clients), "-d", f"{seconds + 3:.0f}s"]
        command += ["--timeout", "30s", "-s", file.name, f"http://127.0.0.1:{port}"]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(file.name)
    return _parse(out)


def _parse(out: str) -> Round:
    line = next(x for x in out.splitlines() if x.startswith(MARK))
    figures = json.loads(line[len(MARK) :])
    ok = sum(n for code, n in figures["statuses"].items() if 200 <= int(code) < 300)
    errors = figures["answered"] - ok + figures["unanswered"] + figures["socket_errors"]
    receipts = [(r.rsplit(":", 1)[0], int(r.rsplit(":", 1)[1])) for r in figures["receipts"]]
    rate = figures["answered"] / figures["elapsed"] if figures["elapsed"] else 0.0
    return Round(rate, figures["p50"], figures["p99"], errors, receipts)


def _lua(text: str) -> str:
    """A Lua string literal (JSON's escapes are Lua's for these characters)."""
    return json.dumps(text, ensure_ascii=False)
