"""Write-ahead-log checkpoints on a thread of their own, off the writer's commits.

In WAL mode every commit appends pages to the ``-wal`` file, and SQLite copies them back
into the database (a *checkpoint*) once the log holds ``wal_autocheckpoint`` pages — inside
the commit that crossed the line. On a hub of a million records that copy writes pages
all over a large file and syncs it: a one-record ingest whose commit took ~0.4 ms took
17–31 ms on the one commit in fifteen that checkpointed, which made the whole tail of
ingest latency.

:class:`Checkpointer` runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection after
commits (at most every ``pause`` seconds). A passive checkpoint never blocks the writer
or readers: SQLite lets one checkpointer copy frames while the writer appends new ones.
The writer keeps SQLite's own checkpoint at 1,000 pages: small commits no longer reach
it (this thread has copied their pages by then, so the log restarts), while a large
write (a bulk ingest, a batch resolve) checkpoints in its commit as before — letting a
thread copy gigabytes behind a bulk writer made the log grow and the writer slower.
Crash safety is SQLite's: a checkpoint cut short is redone from the log when the file is
next opened.
"""

from __future__ import annotations

import sqlite3
import threading

__all__ = ["Checkpointer"]


class Checkpointer:
    """A daemon thread that checkpoints one database's write-ahead log when asked.

    Args:
        path: The database file.
        timeout: Seconds its connection waits for a lock.
        pause: Least seconds between two checkpoints (commits in between share one).
    """

    def __init__(self, path: str, *, timeout: float, pause: float = 0.1) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.checkpoints = 0  # completed runs (for tests and diagnostics)
        self._thread = threading.Thread(
            target=self._run, args=(path, timeout, pause), name="dchkit-checkpoint", daemon=True
        )
        self._thread.start()

    def notify(self) -> None:
        """Ask for a checkpoint soon (cheap: the writer calls it after each commit)."""
        self._wake.set()

    def close(self) -> None:
        """Stop the thread (after the checkpoint under way, if any) and close its connection."""
        self._stop.set()
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self, path: str, timeout: float, pause: float) -> None:
        try:
            db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        except sqlite3.Error:
            return  # the writer's own autocheckpoint still bounds the log
        try:
            while True:
                self._wake.wait()
                if self._stop.is_set():
                    return
                self._wake.clear()
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error:
                    # Busy or locked: harmless, the next commit asks again and the
                    # writer's autocheckpoint is the fallback.
                    pass
                if self._stop.wait(pause):
                    return
        finally:
            db.close()
