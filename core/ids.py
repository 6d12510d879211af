"""Time-ordered UUIDs (the layout of UUID version 7, RFC 9562) for rows written in bulk.

A random UUID (`uuid4`, `gen_random_uuid()`) lands anywhere in its unique index, so tens of
thousands of them touch tens of thousands of index pages. UUIDs that start with the time
land together at the right edge of the index, as sequential ids do.
"""

from __future__ import annotations

import secrets
import time


def uuid7_block() -> tuple[str, int]:
    """A block of time-ordered UUIDs to number in SQL: a 24-character text prefix and a start.

    The n-th UUID of the block (n ≥ 0) is `(prefix || lpad(to_hex(start + n), 12, '0'))::uuid`:
    48 bits of Unix milliseconds, the version (7), 12 random bits, the variant, 14 random bits,
    then a 48-bit counter from a random start below 2^47 (room for 2^47 rows per block).
    """
    ms = time.time_ns() // 1_000_000
    value = (
        (ms & (2**48 - 1)) << 80
        | 0x7 << 76
        | secrets.randbits(12) << 64
        | 0b10 << 62
        | secrets.randbits(14) << 48
    )
    text = f"{value:032x}"
    prefix = f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-"
    return prefix, secrets.randbits(47)
