"""geomeld: semantically grounded multimodal remote-sensing datasets, verified captions and GeoMeld-FM.

The public Python API (see ``docs/api.md``). Names are imported on first use, so ``import geomeld``
stays light (no torch until you touch the loader or the encoder).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from geomeld.core.version import package_version as _package_version

__version__ = _package_version()

_LAZY: dict[str, str] = {
    "MODALITIES": "geomeld.core.modalities",
    "LAYOUTS": "geomeld.core.modalities",
    "Sample": "geomeld.core.sample",
    "SampleMetadata": "geomeld.core.sample",
    "GeomeldError": "geomeld.core.errors",
    "load_yaml": "geomeld.core.config",
    "code_version": "geomeld.core.version",
    "iter_samples": "geomeld.io.shards",
    "GeoMeldDataset": "geomeld.io.loader",
    "make_loader": "geomeld.io.loader",
    "compute_signals": "geomeld.signals.orchestrator",
    "load_encoder": "geomeld.models.export",
    "embed_arrays": "geomeld.arrays",
    "probe_arrays": "geomeld.arrays",
    "ProbeResult": "geomeld.arrays",
}

__all__ = ["__version__", "verify_caption", *_LAZY]

if TYPE_CHECKING:
    from geomeld.captioning.verifier import Verification
    from geomeld.core.sample import Sample


def verify_caption(sample: Sample, caption: str) -> Verification:
    """Check a caption against the signals computed from ``sample``: every claim gets a verdict
    (``supported`` | ``contradicted`` | ``unverifiable``) with the evidence it was checked against."""
    from geomeld.captioning.evidence import Evidence
    from geomeld.captioning.verifier import verify
    from geomeld.signals.orchestrator import compute_signals

    return verify(caption, Evidence.from_bundle(compute_signals(sample)))


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'geomeld' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
