"""The team view: several reps' books shown as one read-only book.

A manager opens each rep's file read-only (``Book.open(..., read_only=True)``: the file's
bytes and modification time stay as they were and no file is created beside it) and sees
them as one book. ``TeamBook`` answers every read the screens make (the Book's rows,
summary, owners, health, pipeline, weekly plan, one account) across all the files and
refuses every write.

- *Ids.* An account, deal or task keeps its id in its own file; the team calls it
  ``(file index + 1) * ID_SPAN + id`` so ids of different files never meet, and maps
  such an id back to its file and local id.
- *Paging a merged sort.* Each file pages its own rows in SQL in the sort's order; the
  team merges them. A page at ``offset`` needs, from every file, the rows from the nearest
  known position to the page: positions where it is known how many rows of each file come
  before (``_Walk.marks``; the start and the end are always known) are recorded every
  ``MARK_EVERY`` rows, and a page near the end is read backwards from the end, in the
  exact reverse order. So scrolling costs a page per file, and a jump costs at most the
  distance to the nearer end.
- *Same customer, several files.* Names are compared by ``parsing.match_key`` (the
  import's normaliser: full-width → half-width, case, spaces and punctuation, and the
  legal form: 有限公司, Inc, Ltd …). An account whose key appears in another file is
  marked with the other files and owners.
- *Derived values.* A file whose stored tiers and health were computed on another day
  than ``today`` is listed in the summary (``TeamSummary.stale``); its health, tiers and
  plan are computed for ``today`` in memory, while the Book's rows, sorted and filtered in
  SQL, show its stored values (the summary says so).
"""

from __future__ import annotations

import glob
import heapq
import os
import shlex
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from kamtui.store.db import Connection  # a transaction on a book, as the store gives it

from kamtui.config import BookConfig
from kamtui.domain import stages as sop
from kamtui.domain.errors import InputError, KamError
from kamtui.domain.health import Flag
from kamtui.domain.parsing import match_key
from kamtui.domain.plan import (
    BATCH,
    IsoWeek,
    PlanItem,
    SnoozedItem,
    WeekPlan,
    batch_item,
    kind_rank,
)
from kamtui.domain.rfm import concentration
from kamtui.domain.scoring import tier_rank
from kamtui.services.book import (
    AccountRow,
    AccountView,
    Book,
    BookQuery,
    DealCard,
    DealHit,
    FlaggedAccount,
    PipelineColumn,
    Progress,
    Summary,
)
from kamtui.store import repo
from kamtui.store import team as team_repo
from kamtui.store.db import Store

ID_SPAN = 1_000_000_000
MARK_EVERY = 100  # rows between two recorded positions of a merged sort
WALKS_KEPT = 8  # merged sorts (queries) whose positions are remembered


class TeamReadOnlyError(KamError):
    """A write asked of the team view."""


READ_ONLY_MESSAGE = (
    "The team view is read-only: nothing was changed. To change an account, open its "
    "rep's file on its own (kamtui --db FILE)."
)


# ---- what the team view shows on top of a book --------------------------------------------


class SharedWith(NamedTuple):
    """The same customer (same normalised name) in another file."""

    book: str  # the file's label
    owner: str
    name: str  # as written in that file
    account_id: int  # team id


@dataclass(frozen=True)
class TeamRow(AccountRow):
    """A line of the team's Book: which file it comes from, and where else the customer is."""

    book: str = ""
    shared: tuple[SharedWith, ...] = ()


@dataclass(frozen=True)
class OwnerTotal:
    owner: str
    books: tuple[str, ...]  # the files holding this owner's accounts
    accounts: int
    red: int
    yellow: int
    deals: int  # open deals
    amount: float  # their amount


@dataclass(frozen=True)
class StaleBook:
    """A file whose stored tiers and health are from another day than today."""

    book: str
    derived_on: date | None


@dataclass(frozen=True)
class TeamSummary(Summary):
    books: tuple[str, ...] = ()
    owner_totals: tuple[OwnerTotal, ...] = ()
    stale: tuple[StaleBook, ...] = ()
    shared: int = 0  # accounts whose customer is in more than one file


@dataclass(frozen=True)
class TeamAccountView(AccountView):
    book: str = ""
    shared: tuple[SharedWith, ...] = ()
    config: BookConfig | None = None  # its file's (files may score with different models)


# ---- opening -------------------------------------------------------------------------------


def split_paths(text: str) -> list[str]:
    """Paths typed into a dialog: one per line, or several on one line separated by spaces
    (quote a path holding spaces); ``~`` is expanded and wildcards (``*.db``) too."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1:
        try:
            words = shlex.split(lines[0], posix=os.name != "nt")
        except ValueError as e:
            raise InputError(f"The paths cannot be read ({e}); check the quotes.") from None
    else:
        words = [line.strip("\"'") for line in lines]
    out: list[str] = []
    for word in words:
        word = os.path.expanduser(word)
        found = sorted(glob.glob(word)) if glob.has_magic(word) else []
        out.extend(found or [word])
    return out


def labels_for(paths: Sequence[Path]) -> list[str]:
    """Short names telling the files apart: the file name, with as many folders as needed."""
    parts = [p.absolute().parts for p in paths]
    depth = 1
    while True:
        labels = [str(Path(*p[-depth:])) for p in parts]
        if len(set(labels)) == len(labels) or depth >= max(len(p) for p in parts):
            return labels
        depth += 1


def _file_state(path: Path) -> tuple[object, ...]:
    """What changes when anyone writes the book: the file's and its ``-wal``'s identity,
    size and time."""
    out: list[object] = []
    for p in (path, Path(f"{path}-wal")):
        try:
            st = p.stat()
        except OSError:
            out.append(None)
            continue
        out.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


class _TeamStore(Store):
    """What a team has instead of one file's store: it refuses every write, and every read
    that no ``TeamBook`` method maps to the files."""

    def __init__(self, label: str) -> None:
        super().__init__(Path(label), True)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        raise InputError(
            "The team view cannot show this; open the rep's file on its own (kamtui --db FILE)."
        )
        yield  # pragma: no cover

    @contextmanager
    def writing(self, *, bulk: bool = False, derived: bool = False) -> Iterator[Connection]:
        raise TeamReadOnlyError(READ_ONLY_MESSAGE)
        yield  # pragma: no cover

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class Member:
    index: int
    book: Book
    label: str


# ---- merging sorted pages ------------------------------------------------------------------

# the Book's sorts (repo.BOOK_SORTS) as positions in a team row: (column, has "IS NULL" term)
_ID, _NAME, _TRACK, _SCORE, _HSCORE, _STAGE, _TOUCH, _NEXT, _OWNER, _RANK = (
    0, 3, 4, 5, 7, 8, 9, 10, 11, 12,
)  # fmt: skip
SORT_TERMS: dict[str, tuple[tuple[int, bool], ...]] = {
    "tier": ((_RANK, False), (_NAME, False)),
    "name": ((_NAME, False),),
    "track": ((_TRACK, False), (_NAME, False)),
    "score": ((_SCORE, True),),
    "health": ((_HSCORE, True),),
    "stage": ((_STAGE, True),),
    "last_touch": ((_TOUCH, True),),
    "next_action": ((_NEXT, False),),
    "owner": ((_OWNER, False), (_NAME, False)),
}


def sort_key(sort: str, descending: bool) -> Callable[[tuple[Any, ...], int], tuple[Any, ...]]:
    """The key that orders team rows (row, file index) as SQLite orders each file's rows
    (``BookQuery.order_by``), ties between files broken by file index; in the direction of
    the sort, use it with ``reverse=descending``. Text compares as SQLite's BINARY
    collation does (by code point), and ``X IS NULL`` terms stay ascending."""
    terms = SORT_TERMS[sort]
    flip = -1 if descending else 1

    def key(row: tuple[Any, ...], index: int) -> tuple[Any, ...]:
        out: list[Any] = []
        for col, nullable in terms:
            value = row[col]
            if nullable:
                out.append(flip * (value is None))
                out.append(0 if value is None else value)
            else:
                out.append("" if value is None else value)
        out.append(row[_ID])
        out.append(index)
        return tuple(out)

    return key


@dataclass
class _Walk:
    """One query's merged sort: each file's count, and positions where it is known how
    many rows of each file come before."""

    counts: tuple[int, ...]
    marks: dict[int, tuple[int, ...]] = field(default_factory=dict)


# ---- the team book -------------------------------------------------------------------------


class TeamBook(Book):
    """Several books read as one, read-only. Ids are team ids (see the module's notes)."""

    def __init__(
        self,
        books: Sequence[Book],
        labels: Sequence[str] | None = None,
        today: date | None = None,
    ) -> None:
        # no Book.__init__: a team has no single store
        if not books:
            raise InputError("A team view needs at least one book.")
        labels = list(labels or labels_for([b.path for b in books]))
        self.members = [
            Member(n, b, lab) for n, (b, lab) in enumerate(zip(books, labels, strict=True))
        ]
        self.label = ", ".join(labels)
        self.store = _TeamStore(self.label)
        self.config = books[0].config
        self.has_history = False
        self.today = today  # the day health is computed for when a screen does not say
        self._lock = threading.RLock()
        self._computing = threading.Lock()  # one file's values for today at a time
        self._walks: OrderedDict[tuple[BookQuery, tuple[object, ...]], _Walk] = OrderedDict()
        self._names: dict[int, tuple[tuple[object, ...], dict[int, tuple[str, str, str]]]] = {}
        self._shared: dict[tuple[int, int], tuple[tuple[int, int], ...]] = {}
        self._shared_for: tuple[object, ...] = ()
        self._today: dict[
            tuple[int, date], tuple[tuple[object, ...], dict[int, _Today] | None]
        ] = {}

    @classmethod
    def open_files(
        cls, paths: Sequence[str | os.PathLike[str]], today: date | None = None
    ) -> TeamBook:
        """Open the files read-only as one team; a file that cannot be opened is named.
        ``today`` is the day health is computed for in files whose values are older."""
        unique: list[Path] = []
        seen: set[str] = set()
        for p in paths:
            path = Path(p).expanduser()
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                unique.append(path)
        if not unique:
            raise InputError("Name at least one book file for the team view.")
        books: list[Book] = []
        try:
            for path in unique:
                books.append(Book.open(path, read_only=True))
        except BaseException:
            for b in books:
                b.close()
            raise
        return cls(books, today=today)

    # ---- what a book is ------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return Path(self.label)

    @property
    def read_only(self) -> bool:
        return True

    @property
    def read_only_reason(self) -> str:
        return ""

    @property
    def paths(self) -> list[Path]:
        return [m.book.path for m in self.members]

    def close(self) -> None:
        for m in self.members:
            m.book.close()

    def warm_up(self) -> None:
        for m in self.members:
            m.book.warm_up()

    def __enter__(self) -> TeamBook:
        return self

    @contextmanager
    def _write(self, *, bulk: bool = False, derived: bool = False) -> Iterator[Connection]:
        raise TeamReadOnlyError(READ_ONLY_MESSAGE)
        yield  # pragma: no cover

    def check(self) -> str:
        """What SQLite's quick check finds wrong in the files, each named."""
        found = ((m.label, m.book.check()) for m in self.members)
        return "; ".join(f"{label}: {problem}" for label, problem in found if problem)

    def stop_writing(self, damage: str) -> None:
        """A team view never writes: only remember what was found."""
        self.damage = damage

    def newest_backup(self) -> Path | None:
        return None  # a team view is several files

    def derived_on(self) -> date | None:
        """The oldest day any file's derived values were computed for."""
        days = [m.book.derived_on() for m in self.members]
        return None if any(d is None for d in days) else min(d for d in days if d)

    def is_fresh(self, today: date) -> bool:
        return all(m.book.is_fresh(today) for m in self.members)

    def refresh(self, today: date, progress: Progress | None = None) -> int:
        """Nothing: the files are never written; stale values are computed in memory."""
        return 0

    def stale_accounts(self, today: date) -> int:
        return sum(m.book.stale_accounts(today) for m in self.members)

    def stale_books(self, today: date) -> list[StaleBook]:
        out = []
        for m in self.members:
            on = m.book.derived_on()
            if on != today:
                out.append(StaleBook(m.label, on))
        return out

    # ---- ids -----------------------------------------------------------------------------
    def team_id(self, member: Member, local: int) -> int:
        if not 0 < local < ID_SPAN:
            raise InputError(f"{member.label} holds an id ({local}) the team view cannot show.")
        return (member.index + 1) * ID_SPAN + local

    def local(self, team_id: int, what: str = "account") -> tuple[Member, int]:
        index, local = divmod(team_id, ID_SPAN)
        if not 1 <= index <= len(self.members) or local == 0:
            raise InputError(f"There is no {what} {team_id} in the team view.")
        return self.members[index - 1], local

    # ---- the Book ------------------------------------------------------------------------
    def _walk(self, query: BookQuery) -> _Walk:
        key = (query, tuple(_file_state(m.book.path) for m in self.members))
        with self._lock:
            walk = self._walks.get(key)
            if walk is not None:
                self._walks.move_to_end(key)
                return walk
        counts = tuple(m.book.count(query) for m in self.members)
        walk = _Walk(counts, {0: (0,) * len(counts), sum(counts): counts})
        with self._lock:
            self._walks[key] = walk
            while len(self._walks) > WALKS_KEPT:
                self._walks.popitem(last=False)
        return walk

    def count(self, query: BookQuery) -> int:
        return sum(self._walk(query).counts)

    def page(
        self, query: BookQuery, offset: int, limit: int, matching: int | None = None
    ) -> list[AccountRow]:
        """Rows ``offset`` … ``offset + limit`` of the team's Book, as ``TeamRow``s."""
        rows = self._merged(query, max(0, offset), limit)
        shared = self._shared_index()
        out: list[AccountRow] = []
        for r, i in rows:
            m = self.members[i]
            others = shared.get((i, r[0]), ())
            out.append(
                TeamRow(
                    self.team_id(m, r[0]),
                    r[1],
                    bool(r[2]),
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    r[8],
                    repo.d(r[9]),
                    r[10],
                    r[11],
                    book=m.label,
                    shared=self._shared_with(others),
                )  # fmt: skip
            )
        return out

    def _merged(
        self, query: BookQuery, offset: int, limit: int
    ) -> list[tuple[tuple[Any, ...], int]]:
        walk = self._walk(query)
        total = sum(walk.counts)
        end = min(offset + limit, total)
        if offset >= end:
            return []
        with self._lock:
            positions = list(walk.marks)
        below = max(p for p in positions if p <= offset)
        above = min(p for p in positions if p >= end)
        if end - below <= above - offset:
            return self._forward(query, walk, below, offset, end)
        return self._backward(query, walk, above, offset, end)

    def _fetch(
        self, query: BookQuery, walk: _Walk, offsets: Sequence[int], sizes: Sequence[int],
        backward: bool,
    ) -> list[list[tuple[tuple[Any, ...], tuple[Any, ...], int]]]:  # fmt: skip
        key = sort_key(query.sort, query.descending)
        lists = []
        for m, start, size in zip(self.members, offsets, sizes, strict=True):
            rows: list[tuple[Any, ...]] = []
            if size > 0:
                with m.book.store.reading() as conn:
                    rows = team_repo.account_rows(
                        conn, query, start, size, backward=backward,
                        matching=walk.counts[m.index],
                    )  # fmt: skip
            lists.append([(key(r, m.index), r, m.index) for r in rows])
        return lists

    def _forward(
        self, query: BookQuery, walk: _Walk, start: int, offset: int, end: int
    ) -> list[tuple[tuple[Any, ...], int]]:
        base = walk.marks[start]
        need = end - start
        sizes = [min(need, n - o) for n, o in zip(walk.counts, base, strict=True)]
        lists = self._fetch(query, walk, base, sizes, backward=False)
        used = list(base)
        out: list[tuple[tuple[Any, ...], int]] = []
        marks: dict[int, tuple[int, ...]] = {}
        pos = start
        for _, row, i in heapq.merge(*lists, key=itemgetter(0), reverse=query.descending):
            if pos >= end:
                break
            if pos >= offset:
                out.append((row, i))
            used[i] += 1
            pos += 1
            if pos % MARK_EVERY == 0 or pos == end:
                marks[pos] = tuple(used)
        with self._lock:
            walk.marks.update(marks)
        return out

    def _backward(
        self, query: BookQuery, walk: _Walk, start: int, offset: int, end: int
    ) -> list[tuple[tuple[Any, ...], int]]:
        """Rows ``offset`` … ``end`` read back from the known position ``start`` (≥ end)."""
        base = walk.marks[start]
        need = start - offset
        sizes = [min(need, o) for o in base]
        from_end = [n - o for n, o in zip(walk.counts, base, strict=True)]
        lists = self._fetch(query, walk, from_end, sizes, backward=True)
        used = list(base)
        out: list[tuple[tuple[Any, ...], int]] = []
        marks: dict[int, tuple[int, ...]] = {}
        pos = start
        for _, row, i in heapq.merge(*lists, key=itemgetter(0), reverse=not query.descending):
            if pos <= offset:
                break
            pos -= 1
            used[i] -= 1
            if pos < end:
                out.append((row, i))
            if pos % MARK_EVERY == 0 or pos == offset:
                marks[pos] = tuple(used)
        with self._lock:
            walk.marks.update(marks)
        out.reverse()
        return out

    def owners(self) -> list[str]:
        return sorted({o for m in self.members for o in m.book.owners()})

    # ---- the same customer in several files ----------------------------------------------
    def _names_of(self, m: Member) -> dict[int, tuple[str, str, str]]:
        """local id → (match key, name, owner) of every account of one file."""
        state = _file_state(m.book.path)
        cached = self._names.get(m.index)
        if cached is not None and cached[0] == state:
            return cached[1]
        with m.book.store.reading() as conn:
            rows = team_repo.account_names(conn)
        names = {aid: (match_key(name), name, owner) for aid, name, owner in rows}
        self._names[m.index] = (state, names)
        return names

    def _shared_index(self) -> dict[tuple[int, int], tuple[tuple[int, int], ...]]:
        """(file index, local id) → the accounts of other files with the same match key."""
        with self._lock:
            states = tuple(_file_state(m.book.path) for m in self.members)
            if states == self._shared_for:
                return self._shared
            by_key: dict[str, list[tuple[int, int]]] = {}
            for m in self.members:
                for aid, (key, _, _) in self._names_of(m).items():
                    if key:
                        by_key.setdefault(key, []).append((m.index, aid))
            shared: dict[tuple[int, int], tuple[tuple[int, int], ...]] = {}
            for found in by_key.values():
                if len({i for i, _ in found}) < 2:
                    continue
                for i, aid in found:
                    shared[(i, aid)] = tuple(x for x in found if x[0] != i)
            self._shared, self._shared_for = shared, states
            return shared

    def _shared_with(self, others: Sequence[tuple[int, int]]) -> tuple[SharedWith, ...]:
        out = []
        for i, aid in others:
            m = self.members[i]
            found = self._names_of(m).get(aid)
            if found is not None:  # else the file changed meanwhile
                out.append(SharedWith(m.label, found[2], found[1], self.team_id(m, aid)))
        return tuple(out)

    def shared_accounts(self) -> int:
        """How many accounts have the same customer in another file."""
        return len(self._shared_index())

    # ---- values for today ----------------------------------------------------------------
    def _values_today(self, m: Member, today: date) -> dict[int, _Today] | None:
        """A stale file's tiers and health computed for ``today`` (local id → values), or
        None when its stored values are today's. Computed once per file and day (the
        summary and the Health screen ask at the same time), again if the file changes."""
        with self._computing:
            state = _file_state(m.book.path)
            cached = self._today.get((m.index, today))
            if cached is not None and cached[0] == state:
                return cached[1]
            values: dict[int, _Today] | None = None
            if not m.book.is_fresh(today):
                names = self._names_of(m)
                with m.book.store.reading() as conn:
                    computed = m.book.compute(conn, today)
                values = {}
                for aid, (_, dv) in computed.items():
                    _, name, owner = names.get(aid, ("", "", ""))
                    h = dv.health
                    values[aid] = _Today(name, owner, dv.tier, h.score, h.color, tuple(h.flags))
            self._today[(m.index, today)] = (state, values)
        return values

    # ---- the summary ---------------------------------------------------------------------
    def summary(self, today: date | None = None) -> TeamSummary:
        """Counts per tier and health colour, the pipeline by stage, totals per owner and,
        given ``today``, revenue concentration over the whole team."""
        by_tier: dict[str, int] = {}
        by_color: dict[str, int] = {}
        pipeline: dict[int, tuple[int, float]] = {}
        owners: dict[str, list[Any]] = {}
        monetary: dict[int, Decimal] = {}
        names: dict[int, str] = {}

        def owner(name: str, label: str) -> list[Any]:
            row = owners.setdefault(name, [set(), 0, 0, 0, 0, 0.0])
            row[0].add(label)
            return row

        for m in self.members:
            values = self._values_today(m, today) if today is not None else None
            base = m.book.summary()
            with m.book.store.reading() as conn:
                stored_owners = team_repo.owner_counts(conn)
                deals = team_repo.owner_deals(conn)
                stats = repo.order_stats(conn, today, last_order=False) if today else {}
            if values is None:
                tiers, colors = base.by_tier, base.by_color
                for name, n, red, yellow in stored_owners:
                    row = owner(name, m.label)
                    row[1] += n
                    row[2] += red or 0
                    row[3] += yellow or 0
            else:
                tiers, colors = {}, {}
                for v in values.values():
                    tiers[v.tier or "unscored"] = tiers.get(v.tier or "unscored", 0) + 1
                    colors[v.color or "none"] = colors.get(v.color or "none", 0) + 1
                    row = owner(v.owner, m.label)
                    row[1] += 1
                    row[2] += v.color == "red"
                    row[3] += v.color == "yellow"
            for k, n in tiers.items():
                by_tier[k] = by_tier.get(k, 0) + n
            for k, n in colors.items():
                by_color[k] = by_color.get(k, 0) + n
            for stage, (n, amount) in base.pipeline.items():
                old = pipeline.get(stage, (0, 0.0))
                pipeline[stage] = (old[0] + n, old[1] + amount)
            for name, (n, amount) in deals.items():
                row = owner(name, m.label)
                row[4] += n
                row[5] += amount
            for aid, s in stats.items():
                monetary[self.team_id(m, aid)] = s.monetary
        conc = None
        if today is not None:
            conc = concentration(monetary)
            for dep, _ in conc.dependencies:
                team_id = int(dep)  # type: ignore[call-overload]
                m, local = self.local(team_id)
                names[team_id] = self._names_of(m).get(local, ("", str(local), ""))[1]
        totals = tuple(
            OwnerTotal(name, tuple(sorted(r[0])), r[1], r[2], r[3], r[4], r[5])
            for name, r in sorted(owners.items(), key=lambda kv: (-kv[1][1], kv[0]))
        )
        return TeamSummary(
            sum(by_tier.values()), by_tier, by_color, pipeline, conc, names,
            books=tuple(m.label for m in self.members), owner_totals=totals,
            stale=tuple(self.stale_books(today)) if today is not None else (),
            shared=self.shared_accounts(),
        )  # fmt: skip

    def concentration(self, today: date) -> Any:
        conc = self.summary(today).concentration
        assert conc is not None
        return conc

    # ---- health --------------------------------------------------------------------------
    def flagged(self, owner: str | None = None, today: date | None = None) -> list[FlaggedAccount]:
        """Flagged accounts of every file, red first, then by score. Given ``today``, a stale
        file's health is computed for that day."""
        out: list[tuple[tuple[Any, ...], FlaggedAccount]] = []
        today = today or self.today
        for m in self.members:
            values = self._values_today(m, today) if today is not None else None
            if values is None:
                found = [f._replace(id=self.team_id(m, f.id)) for f in m.book.flagged(owner)]
            else:
                found = [
                    FlaggedAccount(self.team_id(m, aid), v.name, v.owner, v.tier, v.score, v.color, v.flags)
                    for aid, v in values.items()
                    if v.flags and (owner is None or v.owner == owner)
                ]  # fmt: skip
            for f in found:
                rank = {"red": 0, "yellow": 1}.get(f.color or "", 2)
                key = (rank, f.score is not None, f.score or 0, tier_rank(f.tier), f.name, m.index)
                out.append((key, f))
        out.sort(key=itemgetter(0))
        return [f for _, f in out]

    # ---- the pipeline board --------------------------------------------------------------
    def pipeline(
        self, today: date, owner: str | None = None, tier: str | None = None, per_stage: int = 200
    ) -> list[PipelineColumn]:
        columns = [m.book.pipeline(today, owner, tier, per_stage) for m in self.members]
        out = []
        for n, st in enumerate(sop.STAGES):
            cards: list[tuple[tuple[Any, ...], DealCard]] = []
            deals, total = 0, 0.0
            for m, cols in zip(self.members, columns, strict=True):
                col = cols[n]
                deals += col.deals
                total += col.total
                for c in col.cards:
                    card = c._replace(
                        id=self.team_id(m, c.id), account_id=self.team_id(m, c.account_id)
                    )
                    cards.append(((-c.amount, m.index, c.id), card))
            cards.sort(key=itemgetter(0))
            out.append(
                PipelineColumn(
                    st.number,
                    deals,
                    total,
                    sop.weighted_value(st.number, total),
                    [c for _, c in cards[:per_stage]],
                )  # fmt: skip
            )
        return out

    # ---- the weekly plan -----------------------------------------------------------------
    def plan(self, week: IsoWeek, today: date, owner: str | None = None) -> WeekPlan:
        """Every file's plan (each with its own cadences and capacity), in one order: S tier
        first, then the most urgent; a rep's batches of several files are one."""
        items: list[tuple[tuple[Any, ...], PlanItem]] = []
        folded: list[tuple[tuple[Any, ...], PlanItem]] = []
        snoozed: list[SnoozedItem] = []
        batches: dict[str, list[PlanItem]] = {}
        done: dict[str, date] = {}
        for m in self.members:
            made = m.book.plan(week, today, owner)

            def mine(it: PlanItem, m: Member = m) -> PlanItem:
                if it.kind == BATCH:
                    return it
                return it._replace(
                    account_id=self.team_id(m, it.account_id),
                    ref=None if it.ref is None else self.team_id(m, it.ref),
                )

            for it in (*made.items, *made.folded, *(x for b in made.batches.values() for x in b)):
                if it.key in made.done:
                    done[mine(it).key] = made.done[it.key]
            for source, into in ((made.items, items), (made.folded, folded)):
                for it in source:
                    key = (tier_rank(it.tier), it.due, kind_rank(it.kind), it.account,
                           it.ref or 0, m.index)  # fmt: skip
                    if it.kind == BATCH and it.key in batches:  # the rep's batch of another file
                        batches[it.key] += [mine(x) for x in made.batches[it.key]]
                        continue
                    if it.kind == BATCH:
                        batches[it.key] = [mine(x) for x in made.batches[it.key]]
                    into.append((key, mine(it)))
            snoozed += [z._replace(item=mine(z.item)) for z in made.snoozed]
        for into in (items, folded):
            for n, (_, it) in enumerate(into):
                if it.kind == BATCH:  # due when the most urgent of all its files' is
                    members = batches[it.key]
                    members.sort(key=lambda x: (x.due, x.account, x.account_id))
                    it = batch_item(it.owner, members, done)
                    done.pop(it.key, None)
                    if all(x.key in done for x in members):
                        done[it.key] = max(done[x.key] for x in members)
                    into[n] = ((tier_rank(it.tier), it.due, kind_rank(it.kind), "", 0, 0), it)
        items.sort(key=itemgetter(0))
        folded.sort(key=itemgetter(0))
        snoozed.sort(key=lambda z: (z.until, tier_rank(z.item.tier), z.item.due, z.item.account))
        return WeekPlan(
            week, [it for _, it in items], [it for _, it in folded], snoozed, batches, done,
            self.config.plan_capacity,
        )  # fmt: skip

    def find_deals(self, text: str, limit: int = 20) -> list[DealHit]:
        """Open deals of every file whose name contains ``text``, largest first."""
        hits = [
            h._replace(id=self.team_id(m, h.id), account_id=self.team_id(m, h.account_id))
            for m in self.members
            for h in m.book.find_deals(text, limit)
        ]
        return sorted(hits, key=lambda h: (-h.amount, h.id))[:limit]

    # ---- one account ---------------------------------------------------------------------
    def account_view(self, account_id: int, today: date) -> TeamAccountView:
        m, local = self.local(account_id)
        view = m.book.account_view(local, today)
        values = {f.name: getattr(view, f.name) for f in fields(view)}
        values.update(
            id=account_id,
            deals=tuple(replace(d, id=self.team_id(m, d.id)) for d in view.deals),
            tasks=tuple(t._replace(id=self.team_id(m, t.id)) for t in view.tasks),
            snoozes=tuple(
                z._replace(ref=self.team_id(m, z.ref)) if z.ref else z for z in view.snoozes
            ),
            book=m.label,
            config=m.book.config,
            shared=self._shared_with(self._shared_index().get((m.index, local), ())),
        )  # fmt: skip
        return TeamAccountView(**values)

    def account_version(self, account_id: int) -> int:
        m, local = self.local(account_id)
        return m.book.account_version(local)

    def deal_state(self, deal_id: int) -> tuple[int, int, str, set[str], int]:
        m, local = self.local(deal_id, "deal")
        account_id, stage, status, checked, version = m.book.deal_state(local)
        return self.team_id(m, account_id), stage, status, checked, version

    # ---- export --------------------------------------------------------------------------
    def account_records(self, today: date) -> list[dict[str, Any]]:
        """Every file's account records, ids made team ids, with the file they come from."""
        out = []
        for m in self.members:
            for rec in m.book.account_records(today):
                out.append({**rec, "id": self.team_id(m, rec["id"]), "book": m.label})
        return out


class _Today(NamedTuple):
    """An account's tier and health computed for today (a stale file's)."""

    name: str
    owner: str
    tier: str | None
    score: int | None
    color: str | None
    flags: tuple[Flag, ...]
