"""Protocols and the harness on the GEO-Bench fixtures with a tiny real ConvNeXt V2; bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from typer.testing import CliRunner

from geomeld.core.modalities import SENTINEL2_BANDS
from geomeld.evaluation.config import EvalConfig
from geomeld.evaluation.encoders import EvalEncoder, NormalisationMismatchError, load_export
from geomeld.evaluation.preprocess import Preprocessor, band_statistics
from geomeld.evaluation.protocols import (
    TrainSettings,
    UNetDecoder,
    fine_tune,
    linear_probe,
    raw_band_baseline,
)
from geomeld.evaluation.report import write_report
from geomeld.evaluation.runner import prepare_input, run
from geomeld.evaluation.tasks import load_geobench
from geomeld.models.convnextv2 import ConvNeXtV2
from geomeld.models.export import EncoderLoadError, export_encoder

ROOT = Path(__file__).parents[1] / "data" / "geobench" / "root"
S2 = [b.name for b in SENTINEL2_BANDS]
FAST = TrainSettings(lp_epochs=15, ft_epochs=2, patience=5, batch_size=4, eval_batch_size=8)


def tiny_encoder(name: str = "tiny", seed: int = 0, mean: float | None = None) -> EvalEncoder:
    torch.manual_seed(seed)
    model = ConvNeXtV2("atto", in_chans=12, patch_size=16, depths=(1, 1, 1, 1), dims=(8, 16, 24, 32)).eval()
    stats = None if mean is None else np.full(12, mean)
    return EvalEncoder(
        name, "random_init", model, tuple(S2), stats, None if mean is None else np.full(12, 100.0), 32, 16
    )


def _task(name: str, bench: str):  # type: ignore[no-untyped-def]
    return load_geobench(name, bench, root=str(ROOT))


def test_probe_and_finetune_every_task_kind() -> None:
    enc = tiny_encoder()
    for name, bench in (
        ("m-bigearthnet", "classification_v1.0"),
        ("m-so2sat", "classification_v1.0"),
        ("m-cashew-plantation", "segmentation_v1.0"),
    ):
        task = _task(name, bench)
        pre = prepare_input(enc, task, "duplicate", 32).pre
        before = [p.clone() for p in enc.model.parameters()]
        lp = linear_probe(enc.model, enc.dims, task, pre, FAST, seed=0)
        ft = fine_tune(enc.model, enc.dims, task, pre, FAST, seed=0)
        base = raw_band_baseline(task, pre, FAST, seed=0)
        for res in (lp, ft, base):
            sc = res.score()
            assert 0.0 <= sc.value <= 100.0 and sc.n == len(task.splits["test"]) and res.metric == task.metric
            assert res.train_info["epochs_run"] >= 1
        # the frozen/original encoder is never modified by either protocol
        assert all(torch.equal(a, b) for a, b in zip(before, enc.model.parameters(), strict=True))
        # seeds make runs repeatable
        assert np.array_equal(
            linear_probe(enc.model, enc.dims, task, pre, FAST, seed=0).test_stats, lp.test_stats
        )


def test_baseline_learns_the_fixture_signal() -> None:
    # fixture pixels carry a class-dependent offset: the raw-band baseline must beat chance clearly
    task = _task("m-cashew-plantation", "segmentation_v1.0")
    pre = prepare_input(None, task, "duplicate", 32).pre
    res = raw_band_baseline(task, pre, TrainSettings(lp_epochs=60, patience=60, batch_size=6), seed=0)
    assert res.score().value > 60.0


def test_unet_decoder_shapes() -> None:
    dec = UNetDecoder((8, 16, 24, 32), 5)
    stages = [torch.randn(2, d, 16 // 2**i, 16 // 2**i) for i, d in enumerate((8, 16, 24, 32))]
    assert dec(stages, (32, 32)).shape == (2, 5, 32, 32)


def test_normalisation_mismatch_is_refused() -> None:
    task = _task("m-bigearthnet", "classification_v1.0")
    with pytest.raises(NormalisationMismatchError, match="other units"):
        prepare_input(tiny_encoder(mean=0.05), task, "duplicate", 32)  # reflectance stats vs DN data
    prepare_input(tiny_encoder(mean=600.0), task, "duplicate", 32)  # DN stats: accepted


def test_checkpoint_without_metadata_and_band_mismatch(tmp_path: Path) -> None:
    model = ConvNeXtV2("atto", depths=(1, 1, 1, 1), dims=(8, 16, 24, 32))
    stats = {"mean": [1000.0] * 12, "std": [500.0] * 12}
    out = export_encoder(model, tmp_path / "enc", band_names=S2, stats=stats, config={"input_size": 32})
    enc = load_export("exported", out)
    assert enc.kind == "export" and enc.input_size == 32
    (out / "encoder.json").unlink()
    with pytest.raises(EncoderLoadError, match="without metadata"):
        load_export("exported", out)
    # an encoder whose band list is not the registry's cannot be aligned by name
    wrong = export_encoder(
        model, tmp_path / "wrong", band_names=[f"band{i}" for i in range(12)], stats=stats, config={}
    )
    task = _task("m-bigearthnet", "classification_v1.0")
    with pytest.raises(ValueError, match="not Sentinel-2 bands of the registry"):
        prepare_input(load_export("wrong", wrong), task, "duplicate", 32)


def _config(tmp_path: Path) -> Path:
    cfg = {
        "name": "fixture",
        "seeds": [0, 1],
        "missing_bands": "zero",
        "encoders": [],
        "tasks": [
            {
                "name": "m-so2sat",
                "source": "geobench",
                "benchmark": "classification_v1.0",
                "root": str(ROOT),
                "protocols": ["lp", "ft"],
            },
            {
                "name": "m-cashew-plantation",
                "source": "geobench",
                "benchmark": "segmentation_v1.0",
                "root": str(ROOT),
                "protocols": ["ft"],
            },
        ],
        "train": {"lp_epochs": 10, "ft_epochs": 1, "patience": 3, "batch_size": 4},
        "robustness": {"tasks": ["m-so2sat"], "protocol": "lp"},
        "n_bootstrap": 200,
        "output": str(tmp_path / "out"),
    }
    path = tmp_path / "eval.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_runner_and_report(tmp_path: Path) -> None:
    cfg = EvalConfig.load(_config(tmp_path))
    res = run(cfg, encoders=[tiny_encoder("tiny-a")])
    files = write_report(res, tmp_path / "out")
    data = json.loads(files["json"].read_text())
    assert data["missing_bands"] == "zero" and data["config"]["seeds"] == [0, 1]
    assert data["code_version"] and data["tasks"]["m-so2sat"]["fingerprint"]
    assert "B1=0 (absent)" in data["tasks"]["m-so2sat"]["inputs"]["tiny-a"]["bands"]
    rows = {(r["encoder"], r["task"], r["protocol"]) for r in data["results"]}
    assert rows == {
        ("raw bands + LR", "m-so2sat", "lp"),
        ("raw bands + LR", "m-cashew-plantation", "lp"),
        ("tiny-a", "m-so2sat", "lp"),
        ("tiny-a", "m-so2sat", "ft"),
        ("tiny-a", "m-cashew-plantation", "ft"),
    }
    assert all(len(r["seed_values"]) == 2 for r in data["results"])
    conds = {r["condition"] for r in data["robustness"] if r["encoder"] == "tiny-a"}
    assert {"clean", "landsat8_like", "offset_1000", "noise", "missing_B8", "l1c_instead_of_l2a"} <= conds
    md = files["markdown"].read_text()
    assert "| Encoder | m-so2sat FT | m-so2sat LP | m-cashew-plantation FT" in md
    assert files["scores"].stat().st_size > 1000 and files["robustness"].stat().st_size > 1000


def test_config_errors(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[2] / "configs" / "eval"
    for path in shipped.glob("*.yaml"):
        EvalConfig.load(path)  # every shipped config validates
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "x", "tasks": [{"name": "m-so2sat", "source": "geobench"}]}))
    with pytest.raises(ValueError, match="needs benchmark"):
        EvalConfig.load(bad)
    bad.write_text(yaml.safe_dump({"name": "x", "tasks": [], "encoders": [{"name": "e", "kind": "export"}]}))
    with pytest.raises(ValueError, match="needs path"):
        EvalConfig.load(bad)


def test_cli_end_to_end_with_an_exported_encoder(tmp_path: Path) -> None:
    from geomeld.cli import app

    r = CliRunner().invoke(app, ["evaluate", "--help"])
    assert r.exit_code == 0 and "GEO_BENCH_DIR" in r.output and "Example" in r.output
    cfg = _config(tmp_path)
    r = CliRunner().invoke(app, ["evaluate", "-c", str(cfg), "-e", "no-equals-sign"])
    assert r.exit_code != 0 and "NAME=PATH" in r.output
    torch.manual_seed(0)
    model = ConvNeXtV2("atto", depths=(1, 1, 1, 1), dims=(8, 16, 24, 32))
    enc = export_encoder(
        model,
        tmp_path / "enc",
        band_names=S2,
        stats={"mean": [600.0] * 12, "std": [300.0] * 12},
        config={"input_size": 32},
    )
    data = yaml.safe_load(cfg.read_text())
    data["tasks"] = data["tasks"][:1]
    data["robustness"] = None
    cfg.write_text(yaml.safe_dump(data))
    r = CliRunner().invoke(
        app,
        ["evaluate", "-c", str(cfg), "-e", f"exported={enc}", "--seeds", "3", "-o", str(tmp_path / "cli")],
    )
    assert r.exit_code == 0, r.output
    res = json.loads((tmp_path / "cli" / "results.json").read_text())
    assert res["encoders"]["exported"]["kind"] == "export" and res["config"]["seeds"] == [3]
    assert {(x["encoder"], x["protocol"]) for x in res["results"]} == {
        ("raw bands + LR", "lp"),
        ("exported", "lp"),
        ("exported", "ft"),
    }
    assert "| exported |" in r.output


def test_band_statistics_ignore_absent_bands() -> None:
    pre = Preprocessor.build(["B2", "B3"], S2, np.zeros(12), np.ones(12), 4, "zero", "t")
    mean, std = band_statistics([np.full((2, 2, 4, 4), 7.0, np.float32)], pre.mapping)
    assert mean[S2.index("B2")] == 7.0 and mean[S2.index("B1")] == 0.0 and std[S2.index("B1")] == 1.0
