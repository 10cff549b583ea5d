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
from geomeld.evaluation.config import EncoderConfig, EvalConfig
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
        ("m-cashew-plant", "segmentation_v1.0"),
        ("m-SA-crop-type", "segmentation_v1.0"),
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
    task = _task("m-cashew-plant", "segmentation_v1.0")
    pre = prepare_input(None, task, "duplicate", 32).pre
    res = raw_band_baseline(task, pre, TrainSettings(lp_epochs=60, patience=60, batch_size=6), seed=0)
    assert res.score().value > 60.0


def test_unet_decoder_shapes() -> None:
    dec = UNetDecoder((8, 16, 24, 32), 5)
    stages = [torch.randn(2, d, 16 // 2**i, 16 // 2**i) for i, d in enumerate((8, 16, 24, 32))]
    assert dec(stages, (32, 32)).shape == (2, 5, 32, 32)


def test_normalisation_choice() -> None:
    task = _task("m-bigearthnet", "classification_v1.0")
    with pytest.raises(NormalisationMismatchError, match="other units"):  # reflectance stats vs DN data
        prepare_input(tiny_encoder(mean=0.05), task, "duplicate", 32, normalisation="encoder")
    prep = prepare_input(tiny_encoder(mean=600.0), task, "duplicate", 32, normalisation="encoder")
    assert prep.stats_source == "encoder export" and prep.pre.mean[0] == 600.0
    # default: the task's own band_stats.json (GEO-Bench practice), whatever the encoder's statistics
    prep = prepare_input(tiny_encoder(mean=0.05), task, "duplicate", 32)
    assert "band_stats.json" in prep.stats_source
    gb_mean = task.extra["band_stats"][0]
    assert np.allclose(prep.pre.mean, gb_mean)  # 12 bands, same order as the registry
    # m-SA-crop-type (values ~10…90, neither DN nor reflectance): an exported DN encoder runs on it
    sa = _task("m-SA-crop-type", "segmentation_v1.0")
    prep = prepare_input(tiny_encoder(mean=600.0), sa, "duplicate", 32)
    raw, _ = sa.splits["train"].batch([0, 1])
    x = prep.pre(raw)
    assert abs(float(x.mean())) < 1.5 and 0.2 < float(x.std()) < 5  # normalised, not refused


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
        "lp_seeds": [0, 1],
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
                "name": "Cashew1K",  # the paper's name: an alias of segmentation_v1.0/m-cashew-plant
                "source": "geobench",
                "root": str(ROOT),
                "protocols": ["ft"],
            },
        ],
        "train": {"lp_epochs": 4, "ft_epochs": 1, "patience": 2, "batch_size": 4},
        "robustness": {"tasks": ["m-so2sat"], "protocol": "lp"},
        "baselines": ["raw_bands", "raw_bands_s1"],
        "n_bootstrap": 200,
        "output": str(tmp_path / "out"),
    }
    path = tmp_path / "eval.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_runner_and_report(tmp_path: Path) -> None:
    cfg = EvalConfig.load(_config(tmp_path))
    res = run(cfg, encoders=[tiny_encoder("tiny-a")], out_dir=tmp_path / "out")
    files = write_report(res, tmp_path / "out")
    data = json.loads(files["json"].read_text())
    assert data["missing_bands"] == "zero" and data["config"]["seeds"] == [0, 1]
    assert data["code_version"] and data["tasks"]["m-so2sat"]["fingerprint"]
    assert "B1=0 (absent)" in data["tasks"]["m-so2sat"]["inputs"]["tiny-a"]["bands"]
    rows = {(r["encoder"], r["task"], r["protocol"]) for r in data["results"]}
    assert rows == {
        ("raw bands + LR", "m-so2sat", "lp"),
        ("raw S2+S1 bands + LR", "m-so2sat", "lp"),  # only m-so2sat has Sentinel-1 bands
        ("raw bands + LR", "m-cashew-plant", "lp"),
        ("tiny-a", "m-so2sat", "lp"),
        ("tiny-a", "m-so2sat", "ft"),
        ("tiny-a", "m-cashew-plant", "ft"),
    }
    for r in data["results"]:  # the public row contract
        assert {"task", "encoder", "protocol", "metric", "value", "ci95", "n_test"} <= set(r)
        assert len(r["seed_values"]) == 2 and r["ci95"][0] <= r["value"] <= r["ci95"][1]
        assert r["too_few_to_compare"] == (r["n_test"] < 30) and r["n_seeds"] == 2
    lp = next(r for r in data["results"] if r["encoder"] == "tiny-a" and r["protocol"] == "lp")
    assert set(lp["train"][0]["lr_sweep_valid"]) == {"0.001", "0.01", "0.1"}  # LR chosen on validation
    assert len(lp["per_class"]["values"]) == 17
    assert data["tasks"]["m-so2sat"]["inputs"]["tiny-a"]["normalisation"] == "task"
    pairs = {(p["encoder"], p["versus"], p["task"]) for p in data["paired"]}
    assert ("tiny-a", "raw bands + LR", "m-so2sat") in pairs
    p0 = data["paired"][0]
    assert p0["ci95"][0] <= p0["diff"] <= p0["ci95"][1]
    rob = [r for r in data["robustness"] if r["encoder"] == "tiny-a"]
    conds = {r["condition"] for r in rob}
    assert {"clean", "landsat8_like", "offset_1000", "noise", "missing_B8", "l1c_instead_of_l2a"} <= conds
    clean = next(r for r in rob if r["condition"] == "clean")
    assert clean["drop_points"] == 0.0
    noisy = next(r for r in rob if r["condition"] == "noise")
    assert noisy["drop_points"] == pytest.approx(noisy["clean"] - noisy["value"])  # absolute, in points
    # over both seeds: the drop is the mean of the per-seed drops, with an interval around it
    assert noisy["n_seeds"] == 2 and len(noisy["seed_drops"]) == 2
    assert noisy["drop_points"] == pytest.approx(float(np.mean(noisy["seed_drops"])))
    assert noisy["drop_ci95"][0] <= noisy["drop_points"] <= noisy["drop_ci95"][1]
    # Sentinel-1 conditions: scored on the model that reads S1, "n/a" with the reason for S2-only ones
    s1_rows = {r["condition"]: r for r in data["robustness"] if r["encoder"] == "raw S2+S1 bands + LR"}
    assert {"s1_missing", "s1_speckle", "s1_only"} <= set(s1_rows)
    assert all(s1_rows[c]["value"] is not None for c in ("s1_missing", "s1_speckle", "s1_only"))
    na = {r["condition"]: r for r in rob if r["condition"].startswith("s1_")}
    assert na["s1_missing"]["value"] is None and "unaffected by construction" in na["s1_missing"]["note"]
    assert "cannot predict without Sentinel-2" in na["s1_only"]["note"]
    md = files["markdown"].read_text()
    assert "| Encoder | m-so2sat FT | m-so2sat LP | m-cashew-plant FT" in md
    assert "n=4†" in md  # 4 test images: printed, flagged too few to compare
    assert files["scores"].stat().st_size > 1000 and files["robustness"].stat().st_size > 1000
    # every cell was stored as it finished; --resume skips all of them
    lines = (tmp_path / "out" / "cells.jsonl").read_text().splitlines()
    assert len(lines) == 12  # (2 baselines + lp + ft) x 2 seeds on so2sat, (baseline lp + ft) x 2 on cashew
    again = run(cfg, encoders=[tiny_encoder("tiny-a")], out_dir=tmp_path / "out", resume=True)
    assert again["cells_resumed"] == 12
    assert [r.get("drop_points") for r in again["robustness"]] == [
        r.get("drop_points") for r in data["robustness"]
    ]
    assert [r["value"] for r in again["results"]] == [r["value"] for r in data["results"]]


def test_a_late_failure_keeps_finished_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = EvalConfig.load(_config(tmp_path))
    import geomeld.evaluation.runner as runner

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(runner, "fine_tune", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        run(cfg, encoders=[tiny_encoder("tiny-a")], out_dir=tmp_path / "out")
    # the baseline and LP cells of the first task were stored before fine-tuning failed
    recs = [json.loads(x) for x in (tmp_path / "out" / "cells.jsonl").read_text().splitlines()]
    assert {(r["encoder"], r["protocol"]) for r in recs} == {
        ("raw bands + LR", "lp"),
        ("raw S2+S1 bands + LR", "lp"),
        ("tiny-a", "lp"),
    }
    monkeypatch.undo()
    res = run(cfg, encoders=[tiny_encoder("tiny-a")], out_dir=tmp_path / "out", resume=True)
    assert res["cells_resumed"] == 6 and len(res["results"]) == 6


def test_preflight_lists_every_problem_before_training(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "gb"
    shutil.copytree(ROOT, root, symlinks=True)
    (root / "classification_v1.0" / "m-so2sat" / "band_stats.json").write_text("{oops")
    sa = root / "segmentation_v1.0" / "m-SA-crop-type"
    first = json.loads((sa / "default_partition.json").read_text())["test"][0]
    data = (sa / f"{first}.hdf5").read_bytes()
    (sa / f"{first}.hdf5").write_bytes(data[:100])
    cfg = EvalConfig.model_validate(
        {
            "name": "pf",
            "tasks": [
                {"name": "m-so2sat", "source": "geobench", "root": str(root), "protocols": ["lp"]},
                {"name": "SAcrop3K", "source": "geobench", "root": str(root), "protocols": ["ft"]},
                {"name": "m-bigearthnet", "source": "geobench", "root": str(tmp_path / "nowhere")},
            ],
            "train": {"device": "abacus:7"},  # not a device torch knows
        }
    )
    with pytest.raises(ValueError, match="pre-flight found") as err:
        run(cfg, encoders=[tiny_encoder("tiny-a")], out_dir=tmp_path / "out")
    msg = str(err.value)
    assert "band_stats.json: not valid JSON" in msg and f"{first}.hdf5" in msg and "nowhere" in msg
    assert "train.device 'abacus:7' cannot be used" in msg
    assert not (tmp_path / "out" / "cells.jsonl").exists()  # nothing was trained


def test_cuda_without_cuda_falls_back_to_cpu_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from geomeld.evaluation.runner import resolve_device

    cfg = EvalConfig.model_validate({"name": "d", "tasks": [], "train": {"device": "cuda"}})
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    got, note = resolve_device(cfg)
    assert got.train.device == "cpu" and note is not None and "CUDA is not available" in note
    assert "\n" not in note and cfg.train.device == "cuda"  # one line; the given config is not changed
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device(cfg) == (cfg, None)


def test_knn_probe_and_label_fractions(tmp_path: Path) -> None:
    from geomeld.evaluation.protocols import knn_probe

    task = _task("m-so2sat", "classification_v1.0")
    enc = tiny_encoder()
    pre = prepare_input(enc, task, "duplicate", 32).pre
    res = knn_probe(enc.model, enc.dims, task, pre, FAST, seed=0)
    assert res.protocol == "knn" and res.train_info["k"] == 6 and res.test_stats.shape[0] == 4
    cfg = EvalConfig.model_validate(
        {
            "name": "frac",
            "lp_seeds": [0],
            "baselines": [],
            "tasks": [
                {
                    "name": "m-bigearthnet",
                    "source": "geobench",
                    "root": str(ROOT),
                    "protocols": ["lp", "knn"],
                    "label_fractions": [0.34, 1.0],
                }
            ],
            "train": {"lp_epochs": 3, "patience": 2, "lp_lrs": [0.01]},
            "n_bootstrap": 50,
        }
    )
    out = run(cfg, encoders=[enc])
    rows = {r["protocol"]: r for r in out["results"]}
    assert set(rows) == {"lp", "lp@34%", "knn", "knn@34%"}
    assert rows["lp@34%"]["n_train"] == 2 and rows["lp"]["n_train"] == 6
    assert "macro_f1" in rows["lp"] and len(rows["lp"]["per_class"]["values"]) == 43


def test_config_errors(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[2] / "configs" / "eval"
    for path in shipped.glob("*.yaml"):
        EvalConfig.load(path)  # every shipped config validates
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "x", "tasks": [{"name": "m-so2sat", "source": "geobench"}]}))
    EvalConfig.load(bad)  # a known task: its benchmark folder is known
    bad.write_text(yaml.safe_dump({"name": "x", "tasks": [{"name": "m-unknown", "source": "geobench"}]}))
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
        ("raw S2+S1 bands + LR", "lp"),
        ("exported", "lp"),
        ("exported", "ft"),
    }
    assert "| exported |" in r.output
    r = CliRunner().invoke(
        app,
        [
            "evaluate",
            "-c",
            str(cfg),
            "-e",
            f"exported={enc}",
            "--seeds",
            "3",
            "-o",
            str(tmp_path / "cli"),
            "--resume",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "cli" / "results.json").read_text())["cells_resumed"] == 4


def test_sentinel1_channels_and_conditions() -> None:
    from geomeld.evaluation.preprocess import standard_conditions
    from geomeld.evaluation.protocols import band_summary_features

    so2sat = _task("m-so2sat", "classification_v1.0")
    assert len(so2sat.band_names) == 10 and len(so2sat.s1_band_names) == 8
    assert so2sat.s1_band_names[0] == "01 - VH.Real"
    raw, _ = so2sat.splits["train"].batch([0, 1])
    assert raw.shape[1] == 18  # S2 (x10 000: reflectance -> DN), then S1 in its own units
    assert 500 < float(np.median(raw[:, :10])) < 5000 and float(np.abs(raw[:, 10:]).max()) < 5
    conds = {c.name: c for c in standard_conditions(s1=True, s1_looks=4)}
    assert {"s1_missing", "s1_speckle", "s1_only"} <= set(conds) and conds["s1_only"].sentinel1
    assert "s1_missing" not in {c.name for c in standard_conditions()}
    pre = prepare_input(None, so2sat, "zero", 32).pre
    clean = pre.sentinel1(raw, 10)
    assert np.array_equal(clean, raw[:, 10:])
    assert np.isnan(pre.sentinel1(raw, 10, conds["s1_missing"])).all()
    speckled = pre.sentinel1(raw, 10, conds["s1_speckle"])
    ratio = speckled / np.where(raw[:, 10:] == 0, 1, raw[:, 10:])
    assert 0.9 < float(np.median(ratio)) < 1.05 and float(ratio.std()) > 0.3  # unit-mean 4-look speckle
    assert np.array_equal(
        pre.aligned(raw, conds["s1_speckle"]), pre.aligned(raw), equal_nan=True
    )  # S2 untouched
    assert np.isnan(pre.aligned(raw, conds["s1_only"])).all()
    assert np.array_equal(pre.sentinel1(raw, 10, conds["offset_1000"]), clean)  # S2 offsets leave S1 alone
    f = band_summary_features(pre.sentinel1(raw, 10, conds["s1_missing"]))
    assert f.shape == (2, 40) and torch.isnan(f).all()  # absent: NaN, the training mean after scaling


def test_band_statistics_ignore_absent_bands() -> None:
    pre = Preprocessor.build(["B2", "B3"], S2, np.zeros(12), np.ones(12), 4, "zero", "t")
    mean, std = band_statistics([np.full((2, 2, 4, 4), 7.0, np.float32)], pre.mapping)
    assert mean[S2.index("B2")] == 7.0 and mean[S2.index("B1")] == 0.0 and std[S2.index("B1")] == 1.0


def test_shipped_geobench_cpu_config_runs_all_four_tasks(tmp_path: Path) -> None:
    """configs/eval/geobench_cpu.yaml on a geobench-format tree: all four paper tasks, an exported
    encoder and the random-init baseline, the paper-layout table and the public row contract."""
    cfg = EvalConfig.load(Path(__file__).resolve().parents[2] / "configs" / "eval" / "geobench_cpu.yaml")
    assert {t.name for t in cfg.tasks} == {"m-bigearthnet", "m-so2sat", "m-cashew-plant", "m-SA-crop-type"}
    model = ConvNeXtV2("atto", depths=(1, 1, 1, 1), dims=(8, 16, 24, 32))
    enc = export_encoder(
        model, tmp_path / "enc", band_names=S2, stats={"mean": [600.0] * 12, "std": [300.0] * 12},
        config={"input_size": 32},
    )  # fmt: skip
    cfg = cfg.model_copy(
        update={
            "tasks": [t.model_copy(update={"root": str(ROOT)}) for t in cfg.tasks],
            "encoders": [
                cfg.encoders[0].model_copy(update={"input_size": 32}),
                EncoderConfig(name="geomeld", kind="export", path=str(enc)),
            ],
            "lp_seeds": [0],
            "train": cfg.train.model_copy(update={"lp_epochs": 2, "ft_epochs": 1, "lp_lrs": [0.01]}),
            "n_bootstrap": 50,
        }
    )
    res = run(cfg, out_dir=tmp_path / "out")
    files = write_report(res, tmp_path / "out")
    got = {(r["encoder"], r["task"], r["protocol"]) for r in res["results"]}
    for task in ("m-bigearthnet", "m-so2sat", "m-cashew-plant", "m-SA-crop-type"):
        for enc_name in ("geomeld", "random-init atto"):
            assert (enc_name, task, "ft") in got
    assert all(r["value"] is not None and r["n_test"] == 4 for r in res["results"])
    md = files["markdown"].read_text()
    assert "m-SA-crop-type FT" in md and "| geomeld |" in md
    assert (tmp_path / "out" / "cache").is_dir()  # splits packed once


def test_fine_tuning_batches_from_dataloader_workers_match_in_process(tmp_path: Path) -> None:
    """DataLoader workers read and prepare the fine-tuning batches of a packed (memory-mapped) split;
    the run is identical to reading them in the main process."""
    from geomeld.evaluation.packed import PackedSplit, packed_task
    from geomeld.evaluation.protocols import training_batches

    task = packed_task(_task("m-bigearthnet", "classification_v1.0"), tmp_path / "cache")
    assert isinstance(task.splits["train"], PackedSplit)
    pre = prepare_input(None, task, "duplicate", 32).pre
    order = [np.array([3, 0]), np.array([5, 1, 2]), np.array([4])]
    loader = training_batches(task, task.splits["train"], pre, order, workers=2)
    assert type(loader).__name__ == "DataLoader"
    got = list(loader)
    want = list(training_batches(task, task.splits["train"], pre, order, workers=0))
    assert len(got) == 3 and [len(x) for x, _ in got] == [2, 3, 1]
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(got, want, strict=True))
    enc = tiny_encoder()
    runs = [
        fine_tune(enc.model, enc.dims, task, prepare_input(enc, task, "duplicate", 32).pre,
                  FAST.model_copy(update={"workers": w}), seed=0)
        for w in (0, 2)
    ]  # fmt: skip
    assert np.array_equal(runs[0].test_stats, runs[1].test_stats)
    assert runs[0].train_info == runs[1].train_info
