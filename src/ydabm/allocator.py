"""The C allocator's handling of large arrays freed and allocated again every step.

A step allocates and frees the same large arrays every quarter: at 1e6 workers about 10 MB of
arrays of 128 KB to a few MB (copies of the employer column, the labour market's selections over
the workers, firm columns); at one agent per person arrays of 100 MB to 1.2 GB (the employer
column's copy, 600 MB; the layoffs' candidates; the accounts' stacked firm columns). glibc's
``malloc`` serves blocks above its mmap threshold (128 KB, raised as blocks are freed, at most
32 MB) from fresh pages, which the kernel maps and zeroes at first touch, and returns freed memory
above its trim threshold to the kernel: at 1e6 workers about 2,500 page faults and 4-8 ms of
system time a step (6-10 % of its CPU time); at one agent per person (151 million workers), with
the thresholds of before (64 and 256 MB), 4.3-4.9 s of system time in a quarter of 14.8 s CPU, for
no change in any result. :func:`keep_freed_memory` raises both thresholds (to the most ``mallopt``
takes) so that such blocks are reused from the heap instead: 0.6-0.9 s of system time in a quarter
of 10.3-12.2 s there, with the same peak resident memory (8.3-8.5 GB either way).

Nothing here runs on import: a process that wants it (a benchmark, a long run, a sweep worker)
calls it once, before or after building models.
"""

from __future__ import annotations

import ctypes
import ctypes.util

#: glibc's ``mallopt`` parameters (malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
#: blocks up to this size (2 GiB, the most ``mallopt`` takes: every array of a run at one agent per
#: person) come from the heap
MMAP_THRESHOLD = 2**31 - 1
#: free memory at the top of the heap kept for reuse rather than returned to the kernel (up to 2 GiB:
#: a step's largest temporaries at one agent per person)
TRIM_THRESHOLD = 2**31 - 1


def keep_freed_memory(mmap_threshold: int = MMAP_THRESHOLD, trim_threshold: int = TRIM_THRESHOLD) -> bool:
    """Let the process's C allocator reuse freed blocks below ``mmap_threshold`` bytes from its heap
    and keep up to ``trim_threshold`` bytes of free heap (glibc ``mallopt``; fixed thresholds also stop
    glibc's own adjustment of them). Outputs are unchanged: only where arrays live in memory.

    Returns:
        True if the allocator took the settings; False where there is no glibc ``mallopt`` (macOS,
        musl, Windows): nothing is changed there.

    Raises:
        ValueError: a threshold outside [0, 2**31 - 1] bytes (``mallopt`` takes an int).
    """
    for name, value in (("mmap_threshold", mmap_threshold), ("trim_threshold", trim_threshold)):
        if not 0 <= value <= 2**31 - 1:
            raise ValueError(f"{name}: bytes must lie in [0, {2**31 - 1}], got {value}")
    path = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(path).mallopt if path else None
    except (OSError, AttributeError):
        mallopt = None
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, mmap_threshold)) and bool(mallopt(M_TRIM_THRESHOLD, trim_threshold))
