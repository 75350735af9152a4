"""Python's cyclic garbage collector held off while a large office's notices are built.

A month's notices are 600,000 small tuples that all live until the run ends. Each few hundred
new objects wake the collector, and now and then it walks the whole heap (the workbook's
million rows included): a third of the time notices take. Nothing built there is cyclic, so
nothing is left uncollected; the collector runs again as before once the work is done.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside (as a ``with`` block or a decorator); nested use is safe."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
