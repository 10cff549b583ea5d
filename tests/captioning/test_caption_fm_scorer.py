"""The GeoMeld-FM Evaluator: a tiny pretraining run folder (random weights) scores caption candidates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from caption_fixtures import load_samples
from geomeld.captioning.evidence import Evidence
from geomeld.captioning.fm_scorer import FMScorerError, load_fm_scorer
from geomeld.captioning.pipeline import CaptionConfig, CaptionPipeline
from geomeld.captioning.verifier import verify
from geomeld.signals import compute_signals

torch = pytest.importorskip("torch")


def _run_folder(tmp_path: Path, itc: bool = True) -> Path:
    from geomeld.core.modalities import encoder_input
    from geomeld.models.export import export_encoder
    from geomeld.models.geomeld_fm import GeoMeldFM
    from geomeld.models.text import HashingTextEncoder
    from geomeld.training.config import PretrainConfig
    from geomeld.training.engine import CHECKPOINT_FILE, CHECKPOINT_FORMAT

    torch.manual_seed(0)
    cfg = PretrainConfig.model_validate(
        {"encoder": {"size": "atto", "input_size": 64}, "itc": {"enabled": itc, "text_encoder": "hashing"}}
    )
    model = GeoMeldFM(cfg, text_dim=HashingTextEncoder(cfg.itc.hashing_dim).dim if itc else None)
    torch.save(
        {"format": CHECKPOINT_FORMAT, "config": cfg.model_dump(mode="json"), "model": model.state_dict()},
        tmp_path / CHECKPOINT_FILE,
    )
    if not itc:  # refused before the export is read
        return tmp_path
    bands = list(encoder_input().band_names)
    export_encoder(
        model.encoder,
        tmp_path / "encoder",
        band_names=bands,
        stats={"mean": [1000.0] * len(bands), "std": [1000.0] * len(bands)},
        config=cfg.model_dump(mode="json"),
        input_size=64,
    )
    return tmp_path


def test_fm_scorer_ranks_candidates_and_drives_the_pipeline(tmp_path: Path) -> None:
    scorer = load_fm_scorer(_run_folder(tmp_path))
    sample = load_samples()["bigearthnet"]
    ev = Evidence.from_bundle(compute_signals(sample))
    texts = ["Lush vegetation in summer.", "A satellite view of lush greenery.", "Wald und Wiesen im Sommer."]
    scores = scorer.score(ev, texts, [verify(t, ev) for t in texts], sample)
    assert len(scores) == 3 and all(np.isfinite(scores)) and all(-1.0 <= s <= 1.0 for s in scores)
    assert scores[2] == -1.0  # not English: never preferred
    assert scores == scorer.score(ev, texts, [verify(t, ev) for t in texts], sample)  # deterministic
    out = CaptionPipeline(CaptionConfig(scorer="geomeld_fm", scorer_run_dir=str(tmp_path))).caption(sample)
    assert out.report["scorer"] == "contrastive" and out.status == "verified"


def test_fm_scorer_refuses_unusable_runs(tmp_path: Path) -> None:
    with pytest.raises(FMScorerError, match=r"no checkpoint\.pt"):
        load_fm_scorer(tmp_path)
    run = _run_folder(tmp_path, itc=False)
    with pytest.raises(FMScorerError, match="without the caption"):
        load_fm_scorer(run)
    with pytest.raises(ValueError, match="scorer_run_dir"):
        CaptionPipeline(CaptionConfig(scorer="geomeld_fm"))
