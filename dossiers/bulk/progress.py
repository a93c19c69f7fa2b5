"""Progress of a long import: the caller passes a factory of progress bars (click's, a benchmark's timer); by
default nothing is shown."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

Progress = Callable[[str, int], contextlib.AbstractContextManager]


class Bar:
    """A progress bar that shows nothing."""

    def update(self, n: int) -> None:
        pass


@contextlib.contextmanager
def no_progress(label: str, length: int) -> Iterator[Bar]:
    yield Bar()
