"""``geomeld pretrain`` as one call: :func:`run` (``PretrainConfig``) → :class:`PretrainResult`.

The stage's anatomy: :mod:`.config` (``PretrainConfig``, read by the core loader), this module (the
entry point the CLI and Python callers share), :mod:`.cli` (the verbs). The work itself is
:func:`geomeld.training.engine.pretrain` (objective, resumable loop, export).
"""

from __future__ import annotations

from geomeld.training.config import PretrainConfig
from geomeld.training.engine import PretrainResult

__all__ = ["PretrainResult", "run"]


def run(cfg: PretrainConfig, *, resume: bool = True) -> PretrainResult:
    """Pretrain GeoMeld-FM as ``cfg`` says (joining a ``torchrun`` process group when there is one),
    resuming from ``run.out_dir``'s checkpoint unless ``resume=False``; exports the encoder."""
    from geomeld.training.data import make_source
    from geomeld.training.engine import pretrain, setup_distributed

    setup_distributed(cfg)  # before the loader, so that it splits the shards between ranks
    return pretrain(cfg, make_source(cfg), resume=resume)
