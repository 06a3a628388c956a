"""How large a number the book holds: whatever a rep types or imports is refused beyond it.

The book keeps whole numbers in SQLite's signed 64-bit integers and amounts as doubles,
which hold fifteen digits exactly (as Excel does). Every amount and whole number (revenue,
employees, branches, deal and order amounts, users, logins …) therefore lies within
±``MAX_NUMBER``, fifteen nines: stored exactly, and far enough below 2⁶³ that sums over
many rows cannot overflow either. A larger number is refused by name, never stored rounded,
infinite or not at all.
"""

from __future__ import annotations

MAX_NUMBER = 10**15 - 1
MAX_CADENCE_DAYS = 3650  # a touch cadence of ten years is as long as one can mean
