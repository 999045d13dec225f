"""A TCP gate between a server under test and PostgreSQL, to take the database away.

Every connection through the gate is a real PostgreSQL connection; the gate
only copies bytes. ``close()`` drops every connection and refuses new ones
(the database is down), ``open()`` lets them through again (it is back),
``cut()`` drops the open connections but keeps accepting (a restart, as the
server sees it). Only the connections of the server under test go through
the gate: the shared database is never touched.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from urllib.parse import urlsplit, urlunsplit


class Gate:
    """Forwards 127.0.0.1:``port`` to ``target`` while open."""

    @classmethod
    def before(cls, url: str) -> Gate:
        """A gate in front of the PostgreSQL server of ``url``."""
        parts = urlsplit(url)
        return cls((parts.hostname or "127.0.0.1", parts.port or 5432))

    def through(self, url: str) -> str:
        """``url`` with its host and port replaced by the gate's."""
        parts = urlsplit(url)
        auth = f"{parts.username}@" if parts.username else ""
        return urlunsplit(parts._replace(netloc=f"{auth}127.0.0.1:{self.port}"))

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port: int = probe.getsockname()[1]
        probe.close()
        self.open()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._stop = threading.Event()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener, self._stop), daemon=True).start()

    def close(self) -> None:
        """Refuse new connections and drop the open ones."""
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self.cut()

    def cut(self) -> None:
        """Drop every open connection (both sides see the socket closed)."""
        with self._lock:
            doomed = list(self._sockets)
            self._sockets.clear()
        for s in doomed:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                ready, _, _ = select.select([listener], [], [], 0.1)
                if not ready:
                    continue
                client, _ = listener.accept()
            except (OSError, ValueError):
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets.difference_update((source, sink))
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
