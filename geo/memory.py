"""Keep a long-running server's memory level and its garbage collector brief.

**Big blocks go back to the system when freed** (:func:`fix_mmap_threshold`).

Each run of the app makes a few megabytes of short-lived text and bytes (the map's HTML, the
article's segments, the messages to the browser). glibc's ``malloc`` maps a block of 128 KiB
or more on its own at first, but each time it frees such a block it raises that threshold to
the block's size (up to 32 MiB), so later big blocks are cut from its heaps instead. The holes
they leave are reused badly, and a server that reruns the same page kept growing: 36–94 KiB a
rerun, 279 → 334 MiB over 600 reruns (``bench/load.py``, ``bench/results.md``). With the
threshold fixed, big blocks are mapped on their own and unmapped when freed.

Only glibc has this tunable; elsewhere (macOS, Windows, musl) :func:`fix_mmap_threshold` does
nothing and says so. The same can be had with the environment variable
``MALLOC_MMAP_THRESHOLD_`` where one controls how the server starts, which a hosted app does
not.

**Full collections walk only what is new** (:func:`freeze_survivors`). Streamlit runs a full
cyclic garbage collection (``gc.collect(2)``) after every script run, and Python runs one now
and then; it walks every object the collector tracks, in one call that holds the GIL. The
app's server holds about 190,000 such objects once its first page is drawn (modules, the base
map's 48,000 town labels, …), and each collection took 0.1–0.4 s (90 ms of a focus click's
120 ms on a quiet server): while it ran, no other session, not even the health check, got an
answer. Frozen once the server is warm, those objects are never walked again (they are still
freed by reference counting, like any other).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys

__all__ = ["MMAP_THRESHOLD", "fix_mmap_threshold", "freeze_survivors"]

#: Blocks of this many bytes or more are mapped on their own (glibc starts at 128 KiB).
MMAP_THRESHOLD = 256 * 1024

_M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>


def fix_mmap_threshold(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes for this process. True if it took;
    False where the C library has no such setting. Calling it again is harmless."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version"):  # musl has a mallopt that does nothing
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, threshold))


def freeze_survivors() -> int:
    """Collect the cyclic garbage there is, then move every object left into the collector's
    permanent generation (``gc.freeze``), which no later collection walks; returns how many
    objects are frozen in all. Call it once the long-lived objects exist and the short-lived
    ones of the moment are gone: whatever is frozen stays until the process ends unless its
    references drop to zero."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
