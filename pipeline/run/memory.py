"""Bounded memory for long runs: glibc's allocator keeps no multi-megabyte buffers parked in its heaps.

glibc's ``malloc`` serves a block above ``M_MMAP_THRESHOLD`` with its own
``mmap`` and gives it back to the system when it is freed; below it, the
block comes from a heap, whose freed space the process keeps. By default the
threshold moves up to the size of the largest block freed so far (up to
32 MiB), so after the first batch every 30 MB read block, Arrow IPC buffer
and long page lands in a heap, and on a long run those heaps (one per thread
that allocates) fill with freed, fragmented space: on ``mixed10x`` (545,300
docs) the calling process's peak RSS was ~1,150 MB against ~950 MB on
``mixed`` (1.2x, 1.12-1.25x from run to run). With the threshold fixed at
4 MiB, blocks that large are always mapped and unmapped (1,050 against
~900 MB, 1.16-1.18x, and steadier), at ~3 % of the long run's time; a 512 MiB trim threshold keeps the heaps from being trimmed and
regrown at every batch, which is what made a plain fixed threshold slow.

``sieve clean`` calls :func:`bound_malloc_retention` first thing. Values the
user set in the environment (``MALLOC_MMAP_THRESHOLD_``,
``MALLOC_TRIM_THRESHOLD_``) win. Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import os

#: blocks this large are mmap'd and unmapped when freed (glibc ``M_MMAP_THRESHOLD``)
MMAP_THRESHOLD = 4 << 20
#: free space a heap may keep at its top before it is trimmed (glibc ``M_TRIM_THRESHOLD``)
TRIM_THRESHOLD = 512 << 20

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def bound_malloc_retention() -> bool:
    """Fix glibc's mmap and trim thresholds in this process and the processes it starts.

    Returns whether this process's allocator took them (``False`` without glibc).
    """
    mmap_threshold = os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(MMAP_THRESHOLD))
    trim_threshold = os.environ.setdefault("MALLOC_TRIM_THRESHOLD_", str(TRIM_THRESHOLD))
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt  # glibc's, in the running process
        return bool(mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold)) and mallopt(_M_TRIM_THRESHOLD, int(trim_threshold)))
    except (OSError, AttributeError, ValueError):
        return False
