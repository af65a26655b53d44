"""Work on the next items on a background thread while the caller works on the current one.

In: items and a function of one item. Out: `ahead(items, work)` yields work(item) for each item, in order,
with up to `depth` items computed ahead on one thread. The embedding worker reads, checks and decodes the
next batch of photos (Pillow and hashlib release the GIL) while the model runs on the current one, so the
model never waits for JPEG decoding. `work` must not touch the database: the thread has no connection of
its own to use.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def ahead(items: Iterable[T], work: Callable[[T], R], *, depth: int = 2) -> Iterator[R]:
    source = iter(items)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as pool:
        pending = deque(pool.submit(work, item) for item in islice(source, depth))
        while pending:
            result = pending.popleft().result()  # re-raises work's exception here, in order
            for item in islice(source, 1):
                pending.append(pool.submit(work, item))
            yield result
