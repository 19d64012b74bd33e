"""How a run's time grows with its input, for the linear-time tests of issue 14.

A wall-clock bound ("under 3 s") fails whenever the machine is busy, and passes a quadratic
algorithm on a fast one. The ratio of two sizes does neither: quadrupling the input quadruples
a linear run's time and multiplies a quadratic one's by sixteen, however fast the machine is.
The best of a few runs keeps other processes' turns out of the figure. Sizes must be large
enough that the small run takes tens of milliseconds, or fixed costs and the CPU's caches
weigh more than the algorithm.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

#: Quadrupling the input: a linear run takes about 4 times as long, a quadratic one 16 times.
FACTOR = 4
#: Above this, the run grew faster than linearly: between 4 and 16, with room for a busy machine.
LINEAR_AT_MOST = 10.0


def best_time(run: Callable[[], object], repeats: int) -> float:
    """The shortest of `repeats` runs of `run`, in seconds, without the garbage collector (whose
    full passes cost more the more the test process holds, not the more the run reads)."""
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
    finally:
        gc.enable()
    return min(times)


def growth(run: Callable[[int], object], size: int, repeats: int = 3) -> float:
    """How many times longer `run(FACTOR * size)` takes than `run(size)`."""
    run(size)  # warm caches and lazy imports, which would count against the small size
    small = best_time(lambda: run(size), repeats)
    large = best_time(lambda: run(FACTOR * size), repeats)
    return large / small
