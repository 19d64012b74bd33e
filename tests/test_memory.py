"""geo.memory: with the mmap threshold fixed, a big block freed goes back to the system.

Each case runs in a fresh interpreter, since glibc's threshold is state of the process."""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
import sys
from pathlib import Path

import pytest

from geo.memory import MMAP_THRESHOLD, fix_mmap_threshold

ROOT = Path(__file__).resolve().parent.parent

glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or not hasattr(ctypes.CDLL(ctypes.util.find_library("c")), "mallinfo2"),
    reason="glibc 2.33 or later only",
)

#: Frees a 4 MiB block, then reports how many bytes a 1 MiB block took from mmap (glibc's
#: ``hblkhd``): all of it when it is mapped on its own, none when it is cut from a heap.
_PROBE = """
import ctypes, ctypes.util, sys
from geo.memory import fix_mmap_threshold

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.mallinfo2.restype = Mallinfo2
if sys.argv[1] == "fixed":
    assert fix_mmap_threshold()
big = bytearray(4 << 20)
del big  # glibc alone now raises its threshold above 4 MiB
before = libc.mallinfo2().hblkhd
block = bytearray(1 << 20)
print(libc.mallinfo2().hblkhd - before)
"""


def mapped_bytes(mode: str) -> int:
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},  # no MALLOC_* tunables from the caller
    )
    return int(run.stdout)


@glibc
def test_a_big_block_is_mapped_on_its_own_after_the_fix() -> None:
    assert mapped_bytes("fixed") >= 1 << 20


@glibc
def test_glibc_alone_cuts_it_from_a_heap() -> None:
    """Why the fix exists: the dynamic threshold this test shows is what let the app's
    server grow rerun after rerun."""
    assert mapped_bytes("default") == 0


@glibc
def test_fixing_twice_is_harmless() -> None:
    assert fix_mmap_threshold() and fix_mmap_threshold(MMAP_THRESHOLD)


def test_elsewhere_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert fix_mmap_threshold() is False


def test_the_load_benchmark_tells_levelling_off_from_growth() -> None:
    from bench.load import growth

    # 400 reruns read every 100: 40 MiB in the first 200 reruns, nothing in the last 200
    levels_off = [300_000, 320_000, 340_000, 340_000, 340_000]
    assert growth(levels_off, 400) == (200.0, 0.0)
    keeps_growing = [300_000, 310_000, 320_000, 330_000, 340_000]
    assert growth(keeps_growing, 400) == (100.0, 100.0)


#: Keeps 100,000 lists and freezes them, then makes a cycle and drops it: prints how many
#: objects were frozen, how many the next full collection walked, and whether the cycle went.
_FREEZE = """
import gc, weakref
from geo.memory import freeze_survivors

kept = [[n] for n in range(100_000)]
frozen = freeze_survivors()

class Node:
    pass

node = Node()
node.self = node
gone = weakref.ref(node)
del node
gc.collect()
print(frozen, len(gc.get_objects()), gone() is None)
"""


def test_frozen_survivors_are_left_out_of_later_collections_and_new_garbage_is_not() -> None:
    run = subprocess.run(
        [sys.executable, "-c", _FREEZE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    frozen, walked, collected = run.stdout.split()
    assert int(frozen) > 100_000  # the kept lists, and what the interpreter had loaded
    assert int(walked) < 1_000
    assert collected == "True"
