"""Keep a long-running server's memory level: big blocks go back to the system when freed.

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

Streamlit also runs a full garbage collection after every run of the script
(``runner.postScriptGC``), which walks every object the server holds: its modules, the
gazetteer's tables, the cached stories. That took 90 ms of each click's 120 ms on the server
(bench/responsive.py). :func:`freeze_survivors`, once the server has loaded what it keeps,
leaves those objects out of every later collection; new garbage is still collected.
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
    """Collect garbage, then move every object still alive into the collector's permanent
    generation (``gc.freeze``), so that later collections skip them. Returns how many
    objects are frozen. Frozen objects are still freed when nothing refers to them; only a
    cycle among them would never be collected, so call it once, when the process holds
    what it keeps for good."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
