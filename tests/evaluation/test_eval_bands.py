"""Band alignment: canonical names, the documented missing-band rules, subsets, and metrics."""

from __future__ import annotations

import numpy as np
import pytest

from geomeld.core.modalities import SENTINEL2_BANDS
from geomeld.evaluation.bands import BandMismatchError, band_subset, canonical_band_name, map_bands
from geomeld.evaluation.metrics import (
    accuracy_stats,
    confusion_stats,
    miou_from_stats,
    multilabel_stats,
    per_class_iou,
    score,
)
from geomeld.evaluation.preprocess import Preprocessor, standard_conditions

S2 = [b.name for b in SENTINEL2_BANDS]
SO2SAT = ["B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B11", "B12"]


@pytest.mark.parametrize(
    ("name", "canon"),
    [
        ("08A - Vegetation Red Edge", "B8A"),
        ("01 - Coastal aerosol", "B1"),
        ("B08", "B8"),
        ("b8a", "B8A"),
        ("VV", "VV"),
    ],
)
def test_canonical_names(name: str, canon: str) -> None:
    assert canonical_band_name(name) == canon


def test_duplicate_rule_matches_mmearth() -> None:
    m = map_bands(SO2SAT, S2, "duplicate")
    assert m.fills == {"B1": "B2", "B9": "B8A"}
    assert m.present == tuple(b not in ("B1", "B9") for b in S2)
    raw = np.arange(10, dtype=np.float32)[None, :, None, None] * np.ones((1, 10, 2, 2), np.float32)
    out = m.apply(raw)
    assert out[0, S2.index("B1"), 0, 0] == 0 and out[0, S2.index("B9"), 0, 0] == SO2SAT.index("B8A")
    assert "B1←B2" in m.describe()


def test_zero_rule_gives_zero_after_normalisation() -> None:
    pre = Preprocessor.build(SO2SAT, S2, np.full(12, 100.0), np.full(12, 10.0), 4, "zero", "t")
    x = pre(np.full((1, 10, 4, 4), 200.0, np.float32)).numpy()
    assert np.all(x[0, S2.index("B1")] == 0) and np.all(x[0, S2.index("B9")] == 0)
    assert np.allclose(x[0, S2.index("B2")], 10.0)


def test_error_rule_and_bad_band_lists() -> None:
    with pytest.raises(BandMismatchError, match=r"\['B1', 'B9'\].*missing_bands"):
        map_bands(SO2SAT, S2, "error")
    with pytest.raises(BandMismatchError, match="not Sentinel-2 bands"):
        map_bands(SO2SAT, [*S2[:-1], "NIR_broad"])
    with pytest.raises(BandMismatchError, match="more than once"):
        map_bands(["B2", "02 - Blue"], S2)


def test_band_subsets_and_offset() -> None:
    full = map_bands(S2, S2)
    landsat = band_subset(full, ["B2", "B3", "B4", "B8A", "B11", "B12"], "zero")
    assert [b for b, p in zip(landsat.target, landsat.present, strict=True) if p] == [
        "B2",
        "B3",
        "B4",
        "B8A",
        "B11",
        "B12",
    ]
    pre = Preprocessor.build(S2, S2, np.zeros(12), np.ones(12), 2, "zero", "t")
    raw = np.ones((1, 12, 2, 2), np.float32)
    conds = {c.name: c for c in standard_conditions()}
    assert np.allclose(pre(raw, conds["offset_1000"]).numpy(), 1001.0)
    assert np.all(pre(raw, conds["missing_B8"]).numpy()[0, S2.index("B8")] == 0)
    rgbn = pre(raw, conds["s2_10m_rgbn"]).numpy()[0, :, 0, 0]
    assert rgbn.tolist() == [1.0 if b in ("B2", "B3", "B4", "B8") else 0.0 for b in S2]


def test_metrics_by_hand() -> None:
    t = np.array([[1, 0, 1], [0, 1, 0]])
    p = np.array([[1, 1, 0], [0, 1, 0]])
    assert score("micro_f1", multilabel_stats(t, p)).value == pytest.approx(100 * 4 / 6)
    assert score(
        "micro_accuracy", accuracy_stats(np.array([1, 2, 3]), np.array([1, 2, 0]))
    ).value == pytest.approx(200 / 3)
    s = confusion_stats(np.array([[0, 1, -1, 2]]), np.array([[0, 1, 1, 0]]), 4)
    assert float(miou_from_stats(s.sum(0))) == pytest.approx(0.5)  # (1/2 + 1 + 0) / 3, class 3 absent
    assert per_class_iou(s) == [0.5, 1.0, 0.0, None]
    with pytest.raises(ValueError, match="labels must lie"):
        confusion_stats(np.array([[5]]), np.array([[0]]), 3)


def test_bootstrap_interval_brackets_the_value() -> None:
    rng = np.random.default_rng(0)
    t = rng.integers(0, 3, 200)
    p = np.where(rng.random(200) < 0.7, t, rng.integers(0, 3, 200))
    sc = score("micro_accuracy", accuracy_stats(t, p), n_boot=500)
    assert sc.ci_low <= sc.value <= sc.ci_high and sc.ci_high - sc.ci_low < 20 and sc.n == 200
