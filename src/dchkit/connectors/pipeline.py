"""Map a read's raw batches in order, finishing large reads on several cores.

Mapping a batch has two parts (see :class:`~dchkit.connectors.mapper.Mapper`):
:meth:`~dchkit.connectors.mapper.Mapper.prepare` decides each row's fate and must see
the batches in order (an id is a duplicate if an earlier batch had it), while
:meth:`~dchkit.connectors.mapper.Mapper.finish` builds and normalizes the rows kept and
depends on nothing else: it is ~3/4 of the work. :func:`map_batches` prepares every
batch here and, when worker processes are asked for (:func:`dchkit.normalize.set_workers`,
``DCHKIT_WORKERS``) and the read is large (past its first batch and
:data:`MIN_PARALLEL_ROWS` rows), finishes batches in worker processes and in this
process, whichever is free, keeping the batches' order. The output is the same either way: each
batch is finished by the same pure function.

Reading itself (parsing JSON or CSV, transcoding) can run a batch ahead in a thread
(:func:`prefetched`, for connectors whose source may be read from another thread): pyarrow
parses without holding the GIL, so the next batch is parsed while this one is prepared.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.connectors.mapper import Mapper, RawBatch
    >>> from dchkit.connectors.mapping import Mapping
    >>> mapper = Mapper(Mapping.model_validate({"records": {"id": "id", "emails": "email"}}),
    ...                 source="app")
    >>> raws = [RawBatch(data=pa.record_batch({"id": [str(i)], "email": ["A@x.jp"]}),
    ...                  row_numbers=pa.array([i])) for i in (1, 2, 1)]
    >>> [b.report.records for b in map_batches(mapper, raws)]  # the third repeats id 1
    [1, 1, 0]
"""

from __future__ import annotations

import collections
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import cast

from dchkit.connectors.mapper import Mapper, PreparedBatch, RawBatch
from dchkit.connectors.mapping import Mapping
from dchkit.connectors.normalizing import NormalizeOptions
from dchkit.connectors.report import ConnectorBatch
from dchkit.normalize._parallel import inline, read_processes, reset_pool, submit

__all__ = ["MIN_PARALLEL_ROWS", "map_batches", "prefetched"]

#: Rows a read must reach (over more than one batch) before batches go to other processes.
MIN_PARALLEL_ROWS = 50_000
# Batches waiting per worker: one being finished, one queued (so a worker never idles).
_QUEUED_PER_WORKER = 2


def _finish(
    mapping: Mapping, source: str, options: NormalizeOptions, work: PreparedBatch
) -> ConnectorBatch:
    """Finish one batch in a worker (a module-level function, so it can be sent there)."""
    return Mapper(mapping, source=source, options=options).finish(work)


class _Raise:
    """An error of a batch, raised when the batches before it are out."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


_Slot = ConnectorBatch | _Raise | tuple[Future[ConnectorBatch], PreparedBatch]


def map_batches(
    mapper: Mapper,
    raws: Iterable[RawBatch],
    *,
    on_prepared: Callable[[RawBatch, PreparedBatch], None] | None = None,
) -> Iterator[ConnectorBatch]:
    """Map raw batches with ``mapper``, yielding one batch per raw batch, in order.

    Args:
        mapper: The read's mapper (its state: the ids read so far).
        raws: The raw batches, read lazily.
        on_prepared: Called with each raw batch and its prepared form, in order (the
            Segment connector collects its visitors there).

    Raises:
        Whatever mapping a batch raises, after the batches before the failing one.
    """
    processes = read_processes()
    pending: collections.deque[_Slot] = collections.deque()
    rows = 0
    for number, raw in enumerate(raws):
        try:
            prepared = mapper.prepare(raw)
        except Exception as error:  # raised in order, after the batches before it
            pending.append(_Raise(error))
            break
        if on_prepared is not None:
            on_prepared(raw, prepared)
        rows += raw.data.num_rows
        # The first batch is finished here, so that workers forked later start with its
        # caches (distinct values, pykakasi's dictionary) already filled.
        parallel = processes > 1 and number > 0 and rows >= MIN_PARALLEL_ROWS
        queued = sum(1 for slot in pending if isinstance(slot, tuple) and not slot[0].done())
        future = None
        if parallel and queued < _QUEUED_PER_WORKER * (processes - 1):
            future = submit(
                processes, _finish, mapper.mapping, mapper.source, mapper.options, prepared
            )
        if future is not None:
            pending.append((future, prepared))
        else:
            try:
                with inline():  # the workers are busy with other batches
                    pending.append(mapper.finish(prepared))
            except Exception as error:  # raised in order, after the batches before it
                pending.append(_Raise(error))
                break
        if number == 0 and processes > 1 and rows >= MIN_PARALLEL_ROWS:
            # Fork the workers now, with the first batch's caches filled and before a
            # read-ahead thread starts (it starts when the next batch is asked for): a
            # process forked while another thread runs may inherit a lock that thread held.
            submit(processes, int)
        while pending and _ready(pending[0]):
            yield _take(pending.popleft(), mapper)
        while len(pending) > _QUEUED_PER_WORKER * processes + 1:  # bound the memory held
            yield _take(pending.popleft(), mapper)
    while pending:
        yield _take(pending.popleft(), mapper)


def _ready(slot: _Slot) -> bool:
    return not isinstance(slot, tuple) or slot[0].done()


def _take(slot: _Slot, mapper: Mapper) -> ConnectorBatch:
    if isinstance(slot, _Raise):
        raise slot.error
    if not isinstance(slot, tuple):
        return slot
    future, prepared = slot
    try:
        return future.result()
    except BrokenProcessPool:  # a worker died: start afresh next time, finish this one here
        reset_pool()
    except Exception:  # the batch's own error: finishing it here raises it as itself
        pass
    with inline():
        return mapper.finish(prepared)


_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetched(raws: Iterator[RawBatch], depth: int = 2) -> Iterator[RawBatch]:
    """Yield ``raws``, reading up to ``depth`` batches ahead in a thread after the first.

    The first batch is read here (a one-batch read starts no thread). Errors are raised
    where the batch would have come; closing the iterator stops the thread.
    """
    first = next(raws, None)
    if first is None:
        return
    yield first
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def read() -> None:
        try:
            for raw in raws:
                if not put(raw):
                    return
        except BaseException as error:  # handed over, raised in the reading thread
            put(_Failed(error))
            return
        put(_DONE)

    thread = threading.Thread(target=read, name="dchkit-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast(RawBatch, item)
    finally:
        stop.set()
        thread.join()
        close = getattr(raws, "close", None)
        if close is not None:
            close()
