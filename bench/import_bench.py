"""Import benchmark: a generated CSV of N account rows (default 100,000) into an empty book.

    .venv/bin/python bench/import_bench.py                 # 100,000 rows, 3 runs
    .venv/bin/python bench/import_bench.py --rows 5000 --runs 1

Each run creates a new empty book and times ``kamtui import accounts`` as the CLI does it
(``importer.import_file``): read and parse the file, then match, write and recompute the
derived values in one transaction. A
second import of the same file into the filled book (everything matches, nothing changes)
is timed too. Prints the median of the runs; timing goals live here, never in unit tests.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from kamtui.services import importer
from kamtui.services.book import Book

TODAY = date(2026, 11, 23)
CITIES = ["上海", "北京", "深圳", "杭州", "成都", "Singapore", "London", "Sydney"]
WORDS = ["云翔", "华信", "恒泰", "东方", "中科", "Apex", "Northwind", "Summit", "Harbor", "Falcon"]
SUFFIXES = ["有限公司", "集团", "股份有限公司", " Inc", " Ltd"]
OWNERS = ["张伟", "李娜", "王芳", "Alex Chen", "Maria Garcia"]
HEADER = ["客户名称", "行业", "地区", "年营业额", "员工数", "负责人", "状态", "赛道", "痛点",
          "战略匹配度", "盈利潜力", "合作稳定性", "市场影响力"]  # fmt: skip


def make_csv(path: Path, rows: int, seed: int = 1) -> None:
    r = random.Random(seed)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for n in range(rows):
            w.writerow(
                [
                    f"{r.choice(CITIES)}{r.choice(WORDS)}{n:06d}{r.choice(SUFFIXES)}",
                    r.choice(["制造业", "Retail", "金融", "Logistics"]),
                    r.choice(CITIES),
                    r.choice([f"{r.randint(1, 900)}万", f"{r.randint(1, 90)}.5亿",
                              f"{r.randint(10**5, 10**9):,}", f"¥{r.randint(1000, 99999):,}"]),
                    f"{r.randint(10, 90000):,}",
                    r.choice(OWNERS),
                    r.choice(["客户", "prospect", "潜在客户", "former"]),
                    r.choice(["价值导向型", "price", "战略灯塔型"]),
                    r.choice(["数据孤岛，报表靠手工", "Legacy ERP cannot scale", ""]),
                    *(r.randint(1, 5) for _ in range(4)),
                ]
            )  # fmt: skip


def timed(book: Book, path: Path) -> tuple[float, float, importer.ImportResult]:
    """Wall and CPU seconds of one import, and its result."""
    start, cpu = time.perf_counter(), time.process_time()
    _, result = importer.import_file(book, "accounts", path, TODAY)
    return time.perf_counter() - start, time.process_time() - cpu, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if args.rows < 1 or args.runs < 1:
        ap.error("--rows and --runs must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = folder / "accounts.csv"
        start = time.perf_counter()
        make_csv(csv_path, args.rows)
        size = csv_path.stat().st_size
        print(
            f"generated {args.rows:,} rows ({size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s"
        )
        first: list[float] = []
        first_cpu: list[float] = []
        again: list[float] = []
        for run in range(args.runs):
            db = folder / f"book{run}.db"
            with Book.create(db) as book:
                t1, c1, r1 = timed(book, csv_path)
                t2, _, r2 = timed(book, csv_path)
                assert r1.created == args.rows and r2.unchanged == args.rows, (r1, r2)
                tiers = book.summary().by_tier
            first.append(t1)
            first_cpu.append(c1)
            again.append(t2)
            print(
                f"run {run + 1}: import {t1:.2f} s (CPU {c1:.2f} s), "
                f"re-import (all unchanged) {t2:.2f} s; tiers {tiers}"
            )
    print(
        f"median import of {args.rows:,} account rows into an empty book: "
        f"{statistics.median(first):.2f} s (CPU {statistics.median(first_cpu):.2f} s)"
    )
    print(f"median re-import of the same file (nothing changes): {statistics.median(again):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
