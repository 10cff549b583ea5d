#!/usr/bin/env python3
"""Write ``tiny/``: a deterministic, tiny exported encoder (ConvNeXt V2 with one block per stage,
dims 8–32, 12 Sentinel-2 bands, 32 px input, seeded random weights) for the API examples and tests.

Its normalisation statistics are the per-band mean/std (DN) of the fixture shards' Sentinel-2
(tests/data/geomeld_shards), so it is exactly what ``geomeld pretrain`` would export for those shards
— with untrained weights. Run ``python tests/data/encoders/data.py`` to regenerate (byte-identical).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]


def main() -> None:
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np
    import torch

    from geomeld.core.modalities import encoder_input
    from geomeld.io.shards import iter_samples
    from geomeld.models.convnextv2 import ConvNeXtV2
    from geomeld.models.export import export_encoder

    key = encoder_input().key
    bands = list(encoder_input().band_names)
    stack = np.stack(
        [
            s.arrays[key]
            for s in iter_samples([REPO / "tests/data/geomeld_shards/geomeld-00000.tar"])
            if key in s.arrays
        ]
    )
    values = stack.transpose(1, 0, 2, 3).reshape(len(bands), -1)
    mean = [round(float(np.nanmean(v)), 1) for v in values]
    std = [round(max(float(np.nanstd(v)), 1.0), 1) for v in values]
    torch.manual_seed(0)
    model = ConvNeXtV2("atto", in_chans=len(bands), depths=(1, 1, 1, 1), dims=(8, 16, 24, 32))
    export_encoder(
        model,
        HERE / "tiny",
        band_names=bands,
        stats={"mean": mean, "std": std, "units": encoder_input().units},
        config={"name": "tiny-fixture", "input_size": 32, "note": "untrained: test fixture only"},
        input_size=32,
    )


if __name__ == "__main__":
    main()
