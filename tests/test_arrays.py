"""geomeld.arrays: your own arrays embedded by band name and unit, and probed on your labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from geomeld.arrays import ArrayInputError, embed_arrays, probe_arrays
from geomeld.models.export import load_encoder

TINY = Path(__file__).resolve().parent / "data" / "encoders" / "tiny"
BANDS = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B11", "B12"]


@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    return load_encoder(TINY)


def _images(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(200, 4000, size=(n, 12, 32, 32)).astype(np.float32)


def test_bands_are_matched_by_name_and_units_converted(encoder) -> None:  # type: ignore[no-untyped-def]
    x = _images(3)
    ref = embed_arrays(encoder, x, BANDS)
    assert ref.shape == (3, 32) and np.isfinite(ref).all()
    order = np.random.default_rng(1).permutation(12)
    shuffled = embed_arrays(encoder, x[:, order], [BANDS[i] for i in order])
    np.testing.assert_allclose(shuffled, ref, rtol=1e-5, atol=1e-5)
    refl = embed_arrays(encoder, torch.from_numpy(x / 10_000), BANDS, units="reflectance")
    np.testing.assert_allclose(refl, ref, rtol=1e-4, atol=1e-4)
    spelled = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8a", "B09", "B11", "B12"]
    np.testing.assert_allclose(embed_arrays(encoder, x, spelled), ref, rtol=1e-5, atol=1e-5)
    one = embed_arrays(encoder, x[0], BANDS)  # a single (C, H, W) image
    np.testing.assert_allclose(one, ref[:1], rtol=1e-5, atol=1e-5)


def test_other_band_sets_are_mapped_or_refused(encoder) -> None:  # type: ignore[no-untyped-def]
    x = _images(2)[:, [3, 2, 1, 7]]
    names = ["red", "green", "blue", "nir"]
    with pytest.raises(ArrayInputError, match=r"B1.*missing.*missing_bands='duplicate' or 'zero'"):
        embed_arrays(encoder, x, names)
    dup = embed_arrays(encoder, x, names, missing_bands="duplicate")
    zero = embed_arrays(encoder, x, names, missing_bands="zero")
    assert dup.shape == zero.shape == (2, 32) and not np.allclose(dup, zero)
    with pytest.raises(ArrayInputError, match="none of the task's bands"):
        embed_arrays(encoder, x, ["VV", "VH", "a", "b"], missing_bands="zero")
    with pytest.raises(ArrayInputError, match="4 channels but 3 band names"):
        embed_arrays(encoder, x, names[:3])
    with pytest.raises(ArrayInputError, match="missing_bands"):
        embed_arrays(encoder, x, names, missing_bands="guess")


def test_units_are_checked_against_the_values(encoder) -> None:  # type: ignore[no-untyped-def]
    x = _images(2)
    with pytest.raises(ArrayInputError, match="look like reflectance"):
        embed_arrays(encoder, x / 10_000, BANDS, units="dn")
    with pytest.raises(ArrayInputError, match="look like DN"):
        embed_arrays(encoder, x, BANDS, units="reflectance")
    with pytest.raises(ArrayInputError, match=r"'dn' .* or 'reflectance'"):
        embed_arrays(encoder, x, BANDS, units="radiance")


def test_a_linear_probe_learns_a_separable_task(encoder) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 30)
    level = np.where(labels == 1, 3000.0, 600.0)[:, None, None, None]
    x = (level + rng.normal(0, 100, size=(60, 12, 32, 32))).astype(np.float32)
    result = probe_arrays(encoder, x, labels, BANDS, train={"lp_epochs": 30}, n_bootstrap=200)
    assert (result.n_train, result.n_valid, result.n_test) == (36, 12, 12)
    assert result.metric == "micro_accuracy" and result.value >= 90.0
    assert result.ci_low <= result.value <= result.ci_high and result.bands == "all bands present"
    shuffled = rng.permutation(labels)  # labels unrelated to the images: no better than chance
    chance = probe_arrays(encoder, x, shuffled, BANDS, train={"lp_epochs": 30}, n_bootstrap=200)
    assert chance.value < result.value
    with pytest.raises(ArrayInputError, match="split holds"):
        probe_arrays(encoder, x, labels, BANDS, split=["train"] * 59 + ["other"])
    with pytest.raises(ArrayInputError, match="test split empty"):
        probe_arrays(encoder, x, labels, BANDS, split=["train"] * 50 + ["valid"] * 10)
