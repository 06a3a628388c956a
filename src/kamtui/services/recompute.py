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
IMMEDIATE``) and has not committed, so nobody can commit in between. Workers read their
chunk while this process ranks RFM across the book (shared memory, published once), then
derive it and return only what changed; the caller writes it in its own transaction. An
exception in a worker is raised again by ``recompute_book``.

Starting processes can fail where a thread cannot: under Textual, ``sys.stderr`` has no
file descriptor for multiprocessing to hand on (see ``_stderr_for_children``); a sandbox
or a container may forbid them; a worker may be killed. None of it is the user's concern:
what the workers cannot do is done here, and the log says why.

No future is ever cancelled: Python 3.11 can hang at exit when a pool whose futures were
cancelled breaks (a worker killed, say). Chunks taken back are skipped by the workers instead.

A refresh for a later day than the last one (``since``) derives only the accounts whose
values may have changed: those whose stored ``valid_until`` has come (or was reset by a
change to their inputs, see ``store.repo.VALID_UNTIL``), those whose RFM moved in the new
ranking, and those that RFM and tier now set at odds (the only inputs ranked across the
book). The others keep values that no day up to their ``valid_until`` changes.
"""

from __future__ import annotations

import atexit
import gc
import os
import sqlite3
import sys
from array import array
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import chain, compress
from multiprocessing import get_context, parent_process
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray
from multiprocessing.synchronize import Event
from operator import ne
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtui import logs
from kamtui.config import BookConfig
from kamtui.domain.health import Flag, rfm_mismatch_flag
from kamtui.domain.rfm import RFM, OrderStats, rfm_mismatch_since, rfm_scores, rfm_tier_mismatch
from kamtui.services.derive import (
    DeriveCache,
    Derived,
    derive,
    parse_rfm,
    records_json,
    rfm_text,
)
from kamtui.store import repo
from kamtui.store.repo import DeriveInputs

if TYPE_CHECKING:  # a worker reads through the driver alone: no SQLAlchemy to import
    from sqlalchemy import Connection

LOGGER = logs.LOGGER.getChild("recompute")

Row = tuple[Any, ...]
# changed rows by the columns that changed (indexes into repo.REFRESH_COLS); each row holds
# the new values of those columns, then the account id
Changes = dict[tuple[int, ...], list[Row]]
Progress = Callable[[int, int], None]

PARALLEL_MIN = 20_000  # accounts: a smaller book is recomputed in this process only
MIN_CHUNK = 1_000  # accounts: the smallest unit of work
MAX_WORKERS = 8

FREE, HERE, WORKER = 0, 1, 2  # who has taken a chunk
RANKING, RANKED, FAILED = 0, 1, 2  # the RFM ranking, as the workers see it


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a bulk computation runs.

    Loading a book makes millions of small objects that all stay alive until the end, and
    the collector would walk them again and again for nothing (a third of the time).
    Afterwards the objects still alive (a result of hundreds of thousands of tuples, say)
    join the oldest generation at once (``gc.freeze`` and ``gc.unfreeze`` move them
    there), instead of being walked by the young generations' collection that the next
    allocation would start: a full collection still sees them (and any cycle among them).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
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


@dataclass
class _Shared:
    """What this process and its workers share, made before the workers start."""

    taken: SynchronizedArray[int]  # FREE, HERE or WORKER, per chunk
    rfm: Any  # R, F and M of every account, three bytes each, in id order (a RawArray)
    ranking: Synchronized[int]  # RANKING, RANKED or FAILED
    ranked: Event  # set when ``ranking`` is no longer RANKING


def recompute_book(
    conn: Connection,
    path: Path,
    cfg: BookConfig,
    today: date,
    write: Callable[[Changes], None],
    progress: Progress | None = None,
    since: date | None = None,
) -> None:
    """Derive every account for ``today`` and pass what changed to ``write``; given
    ``since`` (a day up to ``today`` for which the stored values and their ``valid_until``
    were computed, with this configuration), only the accounts that may have changed.

    ``conn`` is the caller's write transaction, ``path`` the book it is open on (for the
    workers). ``write`` runs in this thread, inside that transaction: chunk by chunk when
    the book is in WAL mode (the workers' snapshots never see uncommitted rows), else once
    every worker is done (in rollback-journal mode, spilling written pages to the file
    would wait for the workers' read locks). If the transaction has already changed rows,
    which workers could not see, everything is computed here.
    """
    ids = repo.account_ids(conn)
    workers = 0 if repo.rows_changed(conn) else worker_count(len(ids))
    chunks = split(ids, 1 + workers)
    every = since is None or since > today
    started = (
        _start_workers(workers, chunks, len(ids), path, cfg, today, every) if workers else None
    )
    if started is None:
        with paused_gc():
            _recompute(conn, cfg, today, every, ids, chunks, None, write, progress)
        return
    buffered: Changes = {}
    wal = repo.journal_mode(conn) == "wal"
    try:
        with paused_gc():
            _recompute(
                conn,
                cfg,
                today,
                every,
                ids,
                chunks,
                started,
                write if wal else partial(_merge, buffered),
                progress,
            )
    finally:
        # On success every chunk is done. On an error, leave the workers nothing to do.
        shared = started.shared
        for i in range(len(chunks)):
            _take(shared, i, HERE)
        if shared.ranking.value == RANKING:
            shared.ranking.value = FAILED
            shared.ranked.set()
        # wait=True: a worker still starting needs the shared locks to exist
        started.pool.shutdown(wait=True)
    if buffered:
        write(buffered)


@dataclass
class _Started:
    """Worker processes at work: each chunk submitted, to be taken by whoever comes first."""

    pool: ProcessPoolExecutor
    shared: _Shared
    futures: dict[int, Future[Changes]]


def _start_workers(
    workers: int,
    chunks: list[list[int]],
    accounts: int,
    path: Path,
    cfg: BookConfig,
    today: date,
    every: bool,
) -> _Started | None:
    """The pool, what it shares with this process, and every chunk submitted to it (which
    starts the processes: they read while this process ranks RFM). None when processes
    cannot be started here (some containers lack the shared memory for their locks; a
    sandbox may forbid new processes): the caller then computes everything itself, and the
    log says why."""
    ctx = get_context("spawn")
    pool: ProcessPoolExecutor | None = None
    try:
        with _stderr_for_children() as stderr_to:
            shared = _Shared(
                ctx.Array("b", len(chunks)),
                ctx.RawArray("B", 3 * accounts),
                ctx.Value("b", RANKING),
                ctx.Event(),
            )
            pool = ProcessPoolExecutor(
                workers,
                mp_context=ctx,
                initializer=_start_worker,
                initargs=(str(path.resolve()), cfg, today, every, shared, stderr_to),
            )
            futures: dict[int, Future[Changes]] = {}
            offset = 0
            for i, chunk in enumerate(chunks):
                futures[i] = pool.submit(_worker_rows, i, offset, array("q", chunk))
                offset += len(chunk)
    except Exception:
        LOGGER.warning(
            "worker processes (%d wanted) could not start; recomputing in this process only",
            workers,
            exc_info=True,
        )
        if pool is not None:
            pool.shutdown(wait=True)
        return None
    return _Started(pool, shared, futures)


@contextmanager
def _stderr_for_children() -> Iterator[str | None]:
    """While processes are started: a ``sys.stderr`` with a real file descriptor.

    multiprocessing hands ``sys.stderr``'s descriptor to the resource tracker it starts;
    under Textual ``sys.stderr`` is a capture whose ``fileno()`` is -1, and the start fails
    (ValueError: "bad value… in fds_to_keep"). Then the log file (or the null device) stands in, and
    its path is given to the workers too, whose own output would otherwise land in the
    middle of the app's screen (they inherit the terminal). Yields that path, or None when
    ``sys.stderr`` is a real file.
    """
    try:
        real = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        real = False
    if real:
        yield None
        return
    target = str(logs.log_path() or os.devnull)
    saved = sys.stderr
    with open(_owner_only(target), "a", encoding="utf-8") as stand_in:
        sys.stderr = stand_in
        try:
            yield target
        finally:
            sys.stderr = saved


def _owner_only(path: str) -> int:
    """A descriptor appending to ``path``, a file made readable by its owner only."""
    if path != os.devnull:
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)


def _recompute(
    conn: Connection,
    cfg: BookConfig,
    today: date,
    every: bool,
    ids: list[int],
    chunks: list[list[int]],
    started: _Started | None,
    write: Callable[[Changes], None],
    progress: Progress | None,
) -> None:
    shared = started.shared if started is not None else None
    futures = started.futures if started is not None else {}
    # the workers read while RFM is ranked; the latest order of accounts without one in the
    # last 12 months is read by chunk
    stats = repo.order_stats(conn, today, ids=ids, last_order=False)
    rfms = rfm_scores(stats)  # quintiles need the whole book
    if shared is not None:
        memoryview(shared.rfm).cast("B")[:] = bytes(chain.from_iterable(map(rfms.__getitem__, ids)))
        shared.ranking.value = RANKED
        shared.ranked.set()
    done = 0  # accounts whose changes have been written

    def written(changes: Changes, accounts: int) -> None:
        nonlocal done
        write(changes)
        done += accounts
        if progress and accounts:
            progress(done, len(ids))

    cache = DeriveCache()

    def here(i: int) -> None:
        id_range = (chunks[i][0], chunks[i][-1])
        repo.add_last_orders(stats, repo.last_orders(conn, today, id_range))
        if every:
            inputs = repo.load_derive_inputs(conn, today, id_range=id_range, until=True)
        else:
            state = repo.refresh_state(conn, id_range)
            todo = _due(state, today) + _moved(state, today, rfms, stats)
            inputs = _load(conn, today, sorted(todo), id_range, _changed(state))
        written(_changes(inputs, cfg, today, rfms, stats, cache), len(chunks[i]))

    broken: list[int] = []

    def collect(wait: bool) -> None:
        for i, future in list(futures.items()):
            if wait or future.done():
                del futures[i]
                try:
                    changes = future.result()
                except BrokenProcessPool:
                    # a worker died (killed, out of memory, could not start): every chunk
                    # not done here is done here now
                    if not broken:
                        broken.append(i)
                        LOGGER.warning(
                            "a worker process ended early; its chunks are computed here",
                            exc_info=True,
                        )
                    if _take_back(shared, i):
                        here(i)
                    continue
                # a chunk that this process took comes back empty
                theirs = shared is not None and shared.taken[i] == WORKER
                written(changes, len(chunks[i]) if theirs else 0)

    for i in reversed(range(len(chunks))):
        if not _take(shared, i, HERE):
            continue  # a worker has it
        here(i)
        collect(wait=False)
    collect(wait=True)


def _take(shared: _Shared | None, i: int, who: int) -> bool:
    """Claim chunk ``i`` for ``who``; False when someone has it already."""
    if shared is None:
        return True
    with shared.taken.get_lock():
        if shared.taken[i] != FREE:
            return False
        shared.taken[i] = who
        return True


def _take_back(shared: _Shared | None, i: int) -> bool:
    """Claim chunk ``i`` for this process unless it has it already (its worker died)."""
    if shared is None:
        return False
    with shared.taken.get_lock():
        if shared.taken[i] == HERE:
            return False
        shared.taken[i] = HERE
        return True


# see repo.refresh_state
State = list[tuple[int, str, str | None, str, str | None, str | None, str]]


def _due(state: State, today: date) -> list[int]:
    """Accounts whose values may have changed by ``today`` whatever the ranking: never
    computed, changed since, or past their ``valid_until``."""
    day = today.isoformat()
    return [aid for aid, _, _, _, until, _, _ in state if until is None or until <= day]


def _changed(state: State) -> list[int]:
    """Accounts whose inputs changed since the last refresh (or that it never derived)."""
    return [aid for aid, _, _, _, until, _, _ in state if until is None]


def _moved(
    state: State, today: date, rfms: Mapping[int, RFM], stats: Mapping[int, OrderStats]
) -> list[int]:
    """The other accounts that the new ranking and orders may change: their RFM moved, or
    their tier/RFM mismatch flag is not the one stored (it came, went, or tells another
    reason or date)."""
    day = today.isoformat()
    out = []
    for aid, status, tier, stored_rfm, until, flags, created in state:
        if until is None or until <= day:
            continue  # due anyway
        rfm = rfms.get(aid)
        if rfm is None:  # not in the ranking: cannot tell, derive it
            out.append(aid)
            continue
        if rfm_text(rfm) != stored_rfm:
            out.append(aid)
            continue
        s = stats.get(aid)
        reason = rfm_tier_mismatch(tier, rfm, s) if status != "prospect" else None
        if reason is None or s is None:
            if flags is not None:
                out.append(aid)
        elif flags is None:
            out.append(aid)
        else:
            since = rfm_mismatch_since(tier, s, today, date.fromisoformat(created))
            if _flag_json(rfm_mismatch_flag(reason, since)) not in flags:
                out.append(aid)
    return out


def _flag_json(flag: Flag) -> str:
    """A flag as the stored flags' JSON holds it (see ``derive``)."""
    return records_json([flag.as_dict()])[1:-1]


def _load(
    conn: Connection | sqlite3.Connection,
    today: date,
    ids: list[int],
    id_range: tuple[int, int],
    changed: list[int],
) -> dict[int, DeriveInputs]:
    """The inputs of ``ids``; ratings only for those whose inputs ``changed`` since the
    last refresh (the others' stored score still holds)."""
    if not ids:
        return {}
    return repo.load_derive_inputs(
        conn, today, ids, id_range=id_range, every_contact=False, until=True, rated=changed
    )


STALE_PAGE = 5_000  # accounts read at a time by ``stale_values``


def stale_values(
    conn: Connection, cfg: BookConfig, today: date, *, every: bool, page: int = STALE_PAGE
) -> dict[int, Derived]:
    """The derived values for ``today`` that differ from the stored ones, computed in
    memory and written nowhere (the plan of a read-only book for a later day, say): an
    account missing from the result has ``today``'s values stored.

    Unless ``every``, the stored values and their ``valid_until`` are those of a refresh
    for an earlier day with ``cfg`` (see ``Book._refreshed_on``), and only the accounts
    that a refresh for ``today`` would derive again are derived (see the module's notes).
    The book is read a page of account ids at a time: what is held at once is the RFM
    ranking of the book, one page's inputs and the values that differ."""
    ids = repo.account_ids(conn)
    out: dict[int, Derived] = {}
    with paused_gc():
        stats = repo.order_stats(conn, today, ids=ids, last_order=False)
        rfms = rfm_scores(stats)  # quintiles need the whole book
        cache = DeriveCache()
        for start in range(0, len(ids), page):
            id_range = (ids[start], ids[min(start + page, len(ids)) - 1])
            repo.add_last_orders(stats, repo.last_orders(conn, today, id_range))
            if every:
                inputs = repo.load_derive_inputs(conn, today, id_range=id_range)
            else:
                state = repo.refresh_state(conn, id_range)
                todo = _due(state, today) + _moved(state, today, rfms, stats)
                inputs = _load(conn, today, sorted(todo), id_range, _changed(state))
            for aid, a in inputs.items():
                dv = derive(a, cfg, today, rfms.get(aid), stats.get(aid), cache)
                if dv.columns() != a.stored:
                    out[aid] = dv
            del inputs
    return out


def _merge(into: Changes, part: Changes) -> None:
    for columns, rows in part.items():
        into.setdefault(columns, []).extend(rows)


Change = tuple[tuple[int, ...], Row] | None  # the columns that changed and the row, or None


def _account_changes(
    inputs: Mapping[int, DeriveInputs],
    cfg: BookConfig,
    today: date,
    rfms: Mapping[int, RFM | None],
    stats: Mapping[int, OrderStats],
    cache: DeriveCache,
) -> dict[int, Change]:
    """What ``derive`` gives for each of these accounts where it differs from what is stored
    (``valid_until`` included): the indexes of those columns and the row to write."""
    out: dict[int, Change] = {}
    for aid, a in inputs.items():
        dv = derive(a, cfg, today, rfms.get(aid), stats.get(aid), cache, until=True)
        cols = (*dv.columns(), dv.valid_until.isoformat() if dv.valid_until else None)
        stored = (*a.stored, a.stored_until)
        if cols == stored:
            out[aid] = None
        else:
            changed = tuple(compress(range(len(cols)), map(ne, cols, stored)))
            out[aid] = (changed, (*(cols[i] for i in changed), aid))
    return out


def _grouped(changes: Mapping[int, Change]) -> Changes:
    out: Changes = {}
    for change in changes.values():
        if change is not None:
            out.setdefault(change[0], []).append(change[1])
    return out


def _changes(
    inputs: Mapping[int, DeriveInputs],
    cfg: BookConfig,
    today: date,
    rfms: Mapping[int, RFM],
    stats: Mapping[int, OrderStats],
    cache: DeriveCache,
    early: Mapping[int, Change] | None = None,
    guess: Mapping[int, RFM | None] | None = None,
) -> Changes:
    """The changed rows of these accounts derived with ``rfms``, by the columns that
    changed. ``early``: some of them derived already with the RFMs of ``guess`` (a worker
    does it while the ranking is made), kept where the guess was right."""
    out = dict(early or {})
    if out and guess is not None:
        inputs = {
            aid: a for aid, a in inputs.items() if aid not in out or guess[aid] != rfms.get(aid)
        }
    out.update(_account_changes(inputs, cfg, today, rfms, stats, cache))
    return _grouped(out)


# ---- in a worker process ----------------------------------------------------------------


@dataclass
class _Worker:
    path: str
    cfg: BookConfig
    today: date
    every: bool  # derive every account, else only those that may have changed
    shared: _Shared
    cache: DeriveCache
    # opened by the first chunk, so that failing to open the book is that chunk's exception
    conn: sqlite3.Connection | None = None


_worker: _Worker | None = None  # this process's state, when it is a worker


def _start_worker(
    path: str, cfg: BookConfig, today: date, every: bool, shared: _Shared, stderr_to: str | None
) -> None:
    global _worker
    if stderr_to is not None:  # not the terminal the app draws on (see _stderr_for_children)
        fd = _owner_only(stderr_to)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    gc.disable()  # a worker lives for one recompute (see paused_gc)
    # Nothing to clean up at exit (the read-only connection holds no transaction between
    # chunks, results are sent): skip the interpreter's teardown, a full collection over
    # all it loaded (0.1-0.3 s).
    atexit.register(os._exit, 0)
    _worker = _Worker(path, cfg, today, every, shared, DeriveCache())


def _worker_rows(i: int, offset: int, chunk: array[int]) -> Changes:
    """Chunk ``i`` (its accounts start at ``offset`` in the book's ids), unless this process
    came too late for it."""
    w = _worker
    assert w is not None, "runs in a worker process"
    if not _take(w.shared, i, WORKER):
        return {}
    if w.conn is None:
        w.conn = _read_only(w.path)
    id_range = (chunk[0], chunk[-1])
    state: State = []
    with _reading(w.conn) as conn:
        stats = repo.order_stats(conn, w.today, id_range=id_range)
        if w.every:
            inputs = repo.load_derive_inputs(conn, w.today, id_range=id_range, until=True)
        else:  # those due whatever the ranking now, the others once it is known
            state = repo.refresh_state(conn, id_range)
            inputs = _load(conn, w.today, _due(state, w.today), id_range, _changed(state))
    guess: dict[int, RFM | None] = {}
    early: dict[int, Change] = {}
    if not w.shared.ranked.is_set():
        # Rather than wait for the ranking, derive with the RFM each account has stored
        # (a new day seldom moves it); once the ranking is known, the accounts whose RFM it
        # moved are derived again. Derive is a function of its inputs, so what is kept is
        # exactly what deriving with the ranking gives.
        guess = {aid: parse_rfm(a.stored_rfm) for aid, a in inputs.items()}
        early = _account_changes(inputs, w.cfg, w.today, guess, stats, w.cache)
    while not w.shared.ranked.wait(1.0):
        if not _parent_alive():
            return {}
    if w.shared.ranking.value != RANKED:
        return {}
    packed = memoryview(w.shared.rfm).cast("B")[3 * offset : 3 * (offset + len(chunk))]
    rfms = {aid: RFM(*packed[3 * k : 3 * k + 3]) for k, aid in enumerate(chunk)}
    if state:
        moved = _moved(state, w.today, rfms, stats)
        if moved:
            # the caller still holds the write lock without having committed: this second
            # read sees what the first one saw
            with _reading(w.conn) as conn:
                inputs.update(_load(conn, w.today, moved, id_range, []))
    return _changes(inputs, w.cfg, w.today, rfms, stats, w.cache, early, guess)


WORKER_BUSY_MS = 5000


def _read_only(path: str) -> sqlite3.Connection:
    """A worker's connection to the book: read-only, through the caller's ``-wal`` if the
    book has one (the caller holds the book open for writing, so it exists)."""
    con = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True, isolation_level=None)
    con.execute(f"PRAGMA busy_timeout = {WORKER_BUSY_MS}")
    return con


@contextmanager
def _reading(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction: what the caller's transaction saw before it wrote."""
    con.execute("BEGIN")
    try:
        yield con
    finally:
        con.execute("COMMIT")


def _parent_alive() -> bool:
    parent = parent_process()
    return parent is None or parent.is_alive()
