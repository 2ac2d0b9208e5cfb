"""Worker processes for normalization: whole batches of a large read, or a large column.

The costly normalizers (phonenumbers, email-validator, pykakasi, address rules) are pure
Python, so threads do not help; the work goes to forked worker processes instead, in two
ways:

- **Batches of a read** (:func:`submit`, used by the connectors' pipeline): each batch of
  a large read is built and normalized in a worker or in this process, whichever is free
  (:func:`read_processes`). Three quarters of a read's work moves this way, so on idle
  cores a read runs up to ~1.5x faster with two processes; but it costs ~15 % more CPU
  time and, on a machine whose cores are already busy, was not faster (see
  ``benchmarks/README.md``), so it is off unless asked for.
- **Distinct values of one column** (:func:`parallel_map`): a column with thousands of
  distinct values is cut into chunks, workers take chunks from the front while this
  process works from the back, and the results are put together in the original order.
  Alone, a large phone, e-mail or address column runs ~1.7x faster with two processes;
  inside a read's pipeline (:func:`inline`) it stays in this process, whose workers are
  busy with batches. Small columns, and functions that cannot be sent to another
  process (a lambda), stay here too.

Both are off unless asked for: ``set_workers(2)``, or ``DCHKIT_WORKERS=2`` (``auto``: one
per CPU) in the environment.

Workers are forked (where the platform can), so they need no ``if __name__ ==
"__main__"`` guard in the user's script and start with the normalizers already imported.
The pool starts on first use and lives until :func:`set_workers` changes it or the
interpreter exits.

Examples:
    >>> from dchkit.normalize import set_workers, worker_count
    >>> set_workers(2)  # two processes for large columns
    >>> worker_count() in (1, 2)  # 1 where processes cannot be forked
    True
    >>> set_workers(None)  # back to the default: DCHKIT_WORKERS, else this process only
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from dchkit.errors import ConfigError

__all__ = [
    "inline",
    "parallel_map",
    "read_processes",
    "reset_pool",
    "set_workers",
    "submit",
    "worker_count",
]

T = TypeVar("T")

#: Fewest distinct values worth sending to other processes (below it, pickling and
#: waiting cost more than they save).
MIN_PARALLEL = 4096
_CHUNKS_PER_WORKER = 16

_lock = threading.Lock()
_requested: int | None = None
_pool: ProcessPoolExecutor | None = None
_in_worker = False
_local = threading.local()  # .inline: parallel_map stays in this process


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _set_count() -> int | None:
    """Processes set by :func:`set_workers` or ``DCHKIT_WORKERS``; None when neither is."""
    if _requested is not None:
        return _requested
    env = os.environ.get("DCHKIT_WORKERS", "").strip().lower()
    if env.isdigit():
        return max(1, int(env))
    return _available_cpus() if env == "auto" else None


def _can_fork() -> bool:
    return not _in_worker and "fork" in multiprocessing.get_all_start_methods()


def worker_count() -> int:
    """Processes that normalize a large column (this one included); 1 means no pool.

    Set by :func:`set_workers`, else by ``DCHKIT_WORKERS`` (a number, or ``auto`` for one
    per CPU), else 1.
    """
    if not _can_fork():
        return 1
    count = _set_count()
    return 1 if count is None else count


def read_processes() -> int:
    """Processes that build and normalize the batches of a large read (this one included).

    Set by :func:`set_workers`, else by ``DCHKIT_WORKERS`` (a number, or ``auto`` for one
    per CPU), else 1; 1 where processes cannot be forked.
    """
    return worker_count()


@contextlib.contextmanager
def inline() -> Iterator[None]:
    """Within the block, :func:`parallel_map` runs in this process (the workers are busy)."""
    before = getattr(_local, "inline", False)
    _local.inline = True
    try:
        yield
    finally:
        _local.inline = before


def set_workers(count: int | None) -> None:
    """Set how many processes normalize a large column (1: no pool; None: the default).

    Stops the current worker pool; a new one starts on the next large column.

    Raises:
        ConfigError: ``count`` is not None or an integer of at least 1.
    """
    global _requested, _pool
    if count is not None and (type(count) is not int or count < 1):
        msg = f"workers must be None or an integer >= 1, got {count!r}"
        raise ConfigError(msg, fix="use 1 to normalize in this process only", value=count)
    with _lock:
        _requested = count
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _mark_worker() -> None:
    global _in_worker, _pool
    _in_worker = True
    _pool = None  # a forked copy of the parent's handle, not ours to use


def _get_pool(helpers: int) -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("fork")
            _pool = ProcessPoolExecutor(helpers, mp_context=context, initializer=_mark_worker)
        return _pool


def submit(processes: int, func: Callable[..., T], *args: Any) -> Future[T] | None:
    """Run ``func(*args)`` in a worker of a pool of ``processes - 1`` workers.

    Returns None when it cannot (fewer than 2 processes, no fork, the pool shut down):
    the caller then runs it itself.
    """
    if processes < 2 or not _can_fork():
        return None
    try:
        pool = _get_pool(processes - 1)
        with warnings.catch_warnings():  # 3.12+ warns about forking a threaded process
            warnings.filterwarnings("ignore", ".*fork.*", DeprecationWarning)
            return pool.submit(func, *args)
    except (RuntimeError, BrokenProcessPool):  # shut down meanwhile, or a worker died
        _reset_broken_pool()
        return None


def reset_pool() -> None:
    """Drop a broken pool; the next use starts a new one."""
    _reset_broken_pool()


def _run(func: Callable[[str | None], Any], chunk: Sequence[str | None], fields: Any) -> list[Any]:
    results = [func(value) for value in chunk]
    return results if fields is None else [fields(result) for result in results]


def _picklable(func: Callable[..., Any]) -> bool:
    try:
        pickle.dumps(func)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def parallel_map(
    func: Callable[[str | None], Any],
    values: Sequence[str | None],
    fields: Callable[[Any], Any] | None = None,
) -> list[Any]:
    """Return ``[fields(func(v)) for v in values]`` (or ``func(v)``), maybe in several processes.

    ``fields`` turns a result into something cheap to send back (a tuple of its fields).
    The order of the results is always the order of ``values``.
    """
    processes = 1 if getattr(_local, "inline", False) else worker_count()
    if processes < 2 or len(values) < MIN_PARALLEL or not _picklable(func):
        return _run(func, values, fields)
    helpers = processes - 1
    size = max(MIN_PARALLEL // 8, -(-len(values) // (processes * _CHUNKS_PER_WORKER)))
    chunks = [values[i : i + size] for i in range(0, len(values), size)]
    try:
        pool = _get_pool(helpers)
        with warnings.catch_warnings():  # 3.12+ warns about forking a threaded process
            warnings.filterwarnings("ignore", ".*fork.*", DeprecationWarning)
            futures: list[Future[list[Any]]] = [
                pool.submit(_run, func, chunk, fields) for chunk in chunks
            ]
    except RuntimeError:  # the pool was shut down meanwhile, or the interpreter is exiting
        return _run(func, values, fields)
    results: list[list[Any] | None] = [None] * len(chunks)
    for index in reversed(range(len(chunks))):  # workers start at the front, we at the back
        if not futures[index].cancel():
            break
        results[index] = _run(func, chunks[index], fields)
    out: list[Any] = []
    for index, chunk in enumerate(chunks):
        done = results[index]
        if done is None:
            try:
                done = futures[index].result()
            except BrokenProcessPool:  # a worker died: start afresh next time, finish here
                _reset_broken_pool()
                done = _run(func, chunk, fields)
            except Exception:  # the function's own error: raise it from here
                done = _run(func, chunk, fields)
        out.extend(done)
    return out


def _reset_broken_pool() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
