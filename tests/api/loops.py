"""Running a coroutine on a loop of its own.

A browser test (Playwright's sync API) may leave this thread's event loop
running, and ``asyncio.run`` refuses to start inside a running loop; so
tests that drive the server or the writer from a coroutine run it on a new
loop in a thread of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def on_own_loop(work: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()
