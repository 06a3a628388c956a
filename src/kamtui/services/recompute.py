"""Recomputing the derived values of a whole book, for a new date or a new configuration.

Every account goes through ``derive``, exactly as a single account does; what this module
adds is speed for large books. The accounts are cut into ranges of ids ("chunks"). From
``PARALLEL_MIN`` accounts up, worker processes take chunks from the front while this
process takes them from the back, each chunk going to whoever claims it first (a flag per
chunk, shared with the workers), so the work balances itself on any machine.

Workers are started with "spawn", never forked: the caller may be a thread of a running
Textual app, and forking a process that runs threads is unsafe. As always with "spawn",
the program's main module must be importable without side effects (``if __name__ ==
"__main__":``). Each worker opens the book read-only on its own connection and sees
exactly what the caller's transaction sees: the caller holds the write lock (``BEGIN
IMMEDIATE``) and has written nothing yet, so nobody can commit in between. Workers return
only what changed; the caller writes it in its own transaction. An exception in a worker is
raised again by ``changed_rows``.

No future is ever cancelled: Python 3.11 can hang at exit when a pool whose futures were
cancelled breaks (a worker killed, say). Chunks taken back are skipped by the workers instead.
"""

from __future__ import annotations

import atexit
import gc
import os
from array import array
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from multiprocessing import get_context
from multiprocessing.sharedctypes import SynchronizedArray
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from kamtui.config import BookConfig
from kamtui.domain.rfm import RFM, OrderStats, rfm_scores
from kamtui.services.derive import DeriveCache, derive
from kamtui.store import repo
from kamtui.store.db import Store, open_store

Row = tuple[Any, ...]
# changed rows by the columns that changed (indexes into repo.DERIVED_COLS); each row holds
# the new values of those columns, then the account id
Changes = dict[tuple[int, ...], list[Row]]
Progress = Callable[[int, int], None]

PARALLEL_MIN = 20_000  # accounts: a smaller book is recomputed in this process only
MIN_CHUNK = 1_000  # accounts: the smallest unit of work
MAX_WORKERS = 8

FREE, HERE, WORKER = 0, 1, 2  # who has taken a chunk


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a bulk computation runs.

    Loading a book makes millions of small objects that all stay alive until the end, and
    the collector would walk them again and again for nothing (a third of the time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def worker_count(accounts: int) -> int:
    """Processes to start besides this one: none for a small book or a single CPU."""
    if accounts < PARALLEL_MIN:
        return 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(0, min(cpus - 1, MAX_WORKERS))


def split(ids: list[int], processes: int) -> list[list[int]]:
    """Chunks of ``ids`` in order, large at both ends and smaller toward the middle.

    Workers start at the front and this process at the back; where they meet, the chunks
    are small, so that nobody waits long for the others to finish.
    """
    front: list[list[int]] = []
    back: list[list[int]] = []
    lo, hi = 0, len(ids)
    while lo < hi:
        size = min(hi - lo, max(MIN_CHUNK, (hi - lo) // (4 * processes)))
        front.append(ids[lo : lo + size])
        lo += size
        if lo < hi:
            size = min(hi - lo, max(MIN_CHUNK, (hi - lo) // (4 * processes)))
            back.append(ids[hi - size : hi])
            hi -= size
    return front + back[::-1]


def recompute_book(
    conn: Connection,
    path: Path,
    cfg: BookConfig,
    today: date,
    write: Callable[[Changes], None],
    progress: Progress | None = None,
) -> None:
    """Derive every account for ``today`` and pass what changed to ``write``.

    ``conn`` is the caller's write transaction, ``path`` the book it is open on (for the
    workers). ``write`` runs in this thread, inside that transaction: chunk by chunk when
    the book is in WAL mode (the workers' snapshots never see uncommitted rows), else once
    every worker is done (in rollback-journal mode, spilling written pages to the file
    would wait for the workers' read locks).
    """
    ids = repo.account_ids(conn)
    workers = worker_count(len(ids))
    chunks = split(ids, 1 + workers)
    if not workers:
        with paused_gc():
            _recompute(conn, cfg, today, ids, chunks, None, None, write, progress)
        return
    buffered: Changes = {}
    wal = repo.journal_mode(conn) == "wal"
    ctx = get_context("spawn")
    taken = ctx.Array("b", len(chunks))
    pool = ProcessPoolExecutor(
        workers,
        mp_context=ctx,
        initializer=_start_worker,
        initargs=(str(path.resolve()), cfg, today, taken),
    )
    try:
        for _ in range(workers):
            pool.submit(_ready)  # start the processes now: they import while RFM is ranked
        with paused_gc():
            _recompute(
                conn,
                cfg,
                today,
                ids,
                chunks,
                pool,
                taken,
                write if wal else partial(_merge, buffered),
                progress,
            )
    finally:
        # On success every chunk is done. On an error, leave the workers nothing to do.
        for i in range(len(chunks)):
            _take(taken, i, HERE)
        # wait=True: a worker still starting needs the chunk flags' lock to exist
        pool.shutdown(wait=True)
    if buffered:
        write(buffered)


def _recompute(
    conn: Connection,
    cfg: BookConfig,
    today: date,
    ids: list[int],
    chunks: list[list[int]],
    pool: ProcessPoolExecutor | None,
    taken: SynchronizedArray[int] | None,
    write: Callable[[Changes], None],
    progress: Progress | None,
) -> None:
    stats = repo.order_stats(conn, today, ids=ids)
    rfms = rfm_scores(stats)  # quintiles need the whole book
    futures: dict[int, Future[Changes]] = {}
    if pool is not None:
        for i, chunk in enumerate(chunks):
            packed = bytes(x for aid in chunk for x in rfms[aid])
            futures[i] = pool.submit(_worker_rows, i, array("q", chunk), packed)
    done = 0  # accounts whose changes have been written

    def collect(wait: bool) -> None:
        nonlocal done
        for i, future in list(futures.items()):
            if wait or future.done():
                write(future.result())
                del futures[i]
                if taken is not None and taken[i] == WORKER:
                    done += len(chunks[i])

    cache = DeriveCache()
    for i in reversed(range(len(chunks))):
        if not _take(taken, i, HERE):
            continue  # a worker has it
        write(_rows(conn, cfg, today, chunks[i], rfms, stats, cache))
        done += len(chunks[i])
        collect(wait=False)
        if progress:
            progress(done, len(ids))
    collect(wait=True)
    if progress:
        progress(len(ids), len(ids))


def _take(taken: SynchronizedArray[int] | None, i: int, who: int) -> bool:
    """Claim chunk ``i`` for ``who``; False when someone has it already."""
    if taken is None:
        return True
    with taken.get_lock():
        if taken[i] != FREE:
            return False
        taken[i] = who
        return True


def _merge(into: Changes, part: Changes) -> None:
    for columns, rows in part.items():
        into.setdefault(columns, []).extend(rows)


def _rows(
    conn: Connection,
    cfg: BookConfig,
    today: date,
    chunk: list[int] | array[int],
    rfms: Mapping[int, RFM],
    stats: Mapping[int, OrderStats],
    cache: DeriveCache,
) -> Changes:
    """The changes of the accounts of ``chunk`` (ids in order)."""
    inputs = repo.load_derive_inputs(conn, today, id_range=(chunk[0], chunk[-1]))
    out: Changes = {}
    for aid, a in inputs.items():
        cols = derive(a, cfg, today, rfms.get(aid), stats.get(aid), cache).columns()
        stored = a.stored
        if cols != stored:
            changed = tuple(
                i for i, (new, old) in enumerate(zip(cols, stored, strict=True)) if new != old
            )
            out.setdefault(changed, []).append((*(cols[i] for i in changed), aid))
    return out


# ---- in a worker process ----------------------------------------------------------------


@dataclass
class _Worker:
    path: str
    cfg: BookConfig
    today: date
    taken: SynchronizedArray[int]
    cache: DeriveCache
    # opened by the first chunk, so that failing to open the book is that chunk's exception
    store: Store | None = None


_worker: _Worker | None = None  # this process's state, when it is a worker


def _start_worker(path: str, cfg: BookConfig, today: date, taken: SynchronizedArray[int]) -> None:
    global _worker
    gc.disable()  # a worker lives for one recompute (see paused_gc)
    # Nothing to clean up at exit (connections close after each chunk, results are sent):
    # skip the interpreter's teardown, a full collection over all it loaded (0.1-0.3 s).
    atexit.register(os._exit, 0)
    _worker = _Worker(path, cfg, today, taken, DeriveCache())


def _ready() -> None:
    """Nothing: starting the process and importing this module is the work."""


def _worker_rows(i: int, chunk: array[int], packed_rfm: bytes) -> Changes:
    """Chunk ``i``, unless this process was too late for it; ``packed_rfm`` holds the
    R, F and M scores of its accounts, three bytes each."""
    w = _worker
    assert w is not None, "runs in a worker process"
    if not _take(w.taken, i, WORKER):
        return {}
    rfms = {aid: RFM(*packed_rfm[3 * k : 3 * k + 3]) for k, aid in enumerate(chunk)}
    if w.store is None:
        w.store = open_store(w.path, read_only=True)
    with w.store.reading() as conn:
        stats = repo.order_stats(conn, w.today, id_range=(chunk[0], chunk[-1]))
        return _rows(conn, w.cfg, w.today, chunk, rfms, stats, w.cache)
