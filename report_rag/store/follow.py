"""Keep a long-running process's library in step with the shared database.

A UI or API server holds the FAISS index and BM25 catalog in memory; ingest workers on other
machines commit to the same SQL store. `Follower` polls the library's generation (one small
query) and, when it moved, takes the writer lock just long enough to pull the new vectors
from SQL — searches see another machine's report within about one interval.
"""

from __future__ import annotations

import logging
import threading

from report_rag.store.library import Library
from report_rag.store.locks import ReadWriteLock

log = logging.getLogger(__name__)


class Follower:
    def __init__(self, library: Library, lock: ReadWriteLock, interval_s: float) -> None:
        self.library, self.lock, self.interval_s = library, lock, interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def catch_up(self) -> bool:
        """Sync now if another process moved the library; True if anything changed."""
        if not self.library.behind():
            return False
        with self.lock.writing():
            return self.library.sync()

    def start(self) -> Follower:
        if self.interval_s > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="report-rag-follow", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.catch_up()
            except Exception:  # a database hiccup must not end following for good
                log.warning("catching up with the shared library failed; retrying", exc_info=True)
