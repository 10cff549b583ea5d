"""Where the engine's batches come from: anything that yields Batch dicts epoch by epoch.

A :class:`BatchSource` has ``epoch(n)`` (an iterator of this rank's batches for epoch ``n``,
deterministic given ``n``, so skipping ``k`` batches restores a loader position exactly) and
``input_stats()`` (mean/std of the encoder input bands, exported with the encoder).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from geomeld.training.batch import Batch


class BatchSource(Protocol):
    def epoch(self, epoch: int) -> Iterator[Batch]: ...

    def input_stats(self) -> Mapping[str, Any]: ...


class ListSource:
    """A fixed list of batches repeated every epoch (tests, benchmarks, overfitting one batch)."""

    def __init__(self, batches: Sequence[Batch], stats: Mapping[str, Any]) -> None:
        if not batches:
            raise ValueError("ListSource needs at least one batch")
        self.batches = list(batches)
        self.stats = dict(stats)

    def epoch(self, epoch: int) -> Iterator[Batch]:
        return iter(self.batches)

    def input_stats(self) -> Mapping[str, Any]:
        return self.stats
