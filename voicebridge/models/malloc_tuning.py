"""glibc malloc settings for the model worker processes and the daemon: few arenas, freed memory handed back to the kernel.

Why: the thread pools of CTranslate2, onnxruntime and llama.cpp each get their own malloc arena; jobs of varying size
leave each arena fragmented at its high-water mark, so RSS creeps up job after job (benchmarks/worker_memory.py).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import tempfile
from pathlib import Path

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


class GlibcMalloc:
    """glibc's allocator controls, looked up once (ctypes.util.find_library would start a subprocess each time)."""

    def __init__(self, libc: ctypes.CDLL) -> None:
        self._libc = libc
        libc.fopen.restype = ctypes.c_void_p
        libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        libc.fclose.argtypes = [ctypes.c_void_p]
        libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]

    def limit_arenas(self, arenas: int) -> bool:
        """Cap this process's malloc arenas (MALLOC_ARENA_MAX, set at run time); before threads start, or it cannot
        help with the arenas they already took. 0 keeps glibc's default (8 per core). True if the cap was set."""
        return arenas > 0 and bool(self._libc.mallopt(M_ARENA_MAX, arenas))

    def trim(self) -> bool:
        """Give the free pages of every arena back to the kernel (malloc_trim(0)); True if any memory was released."""
        return bool(self._libc.malloc_trim(0))

    def arena_count(self) -> int:
        """How many malloc arenas this process has now (from malloc_info's XML); -1 where that cannot be read."""
        fd, name = tempfile.mkstemp(prefix="voicebridge-malloc-", suffix=".xml")
        os.close(fd)
        try:
            stream = self._libc.fopen(name.encode(), b"w")
            if not stream:
                return -1
            self._libc.malloc_info(0, stream)
            self._libc.fclose(stream)
            return Path(name).read_text(encoding="utf-8").count("<heap nr=")
        finally:
            os.unlink(name)


def glibc_malloc() -> GlibcMalloc | None:
    """This process's glibc allocator, or None elsewhere (musl, macOS): there the allocator is left as it is."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the symbols already loaded: libc's among them
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it (and mallopt/malloc_trim with these meanings)
    except (OSError, AttributeError):
        return None
    return GlibcMalloc(libc)


async def trim_every(allocator: GlibcMalloc, interval_s: float) -> None:
    """The daemon's side: hand free heap pages back every `interval_s` until cancelled. In a thread, so the event loop
    never waits for the walk over the arenas (malloc_trim takes each arena's lock in turn, as malloc itself does)."""
    while interval_s > 0:
        await asyncio.sleep(interval_s)
        await asyncio.to_thread(allocator.trim)
