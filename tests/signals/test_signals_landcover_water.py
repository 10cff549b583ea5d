"""Land-cover and water signals on real rasters (Brandenburg OSM land use, Slovenia LULC)."""

from __future__ import annotations

import numpy as np
import pytest

from caption_fixtures import load_samples
from geomeld.core.modalities import MODALITIES
from geomeld.signals import compute_signals
from geomeld.signals.landcover import land_cover_signal
from geomeld.signals.water import water_signal


@pytest.fixture(scope="module")
def samples():  # type: ignore[no-untyped-def]
    return load_samples()


def test_brandenburg_lake_window_shares_match_pixel_counts(samples) -> None:  # type: ignore[no-untyped-def]
    s = samples["brandenburg_5"]
    wc = s.arrays["esa_worldcover"][0]
    n_valid = int((wc != 0).sum())
    n_water = int((wc == 80).sum())
    # hand-checked: this window is the lake of the Brandenburg polygons, 3055 water px of 4010 labelled
    assert (n_water, n_valid) == (3055, 4010)
    lc = compute_signals(s).landcover["esa_worldcover"]
    water_share = next(c for c in lc.classes if c.name == "Permanent water bodies")
    assert water_share.percentage == pytest.approx(100 * 3055 / 4010, abs=1e-3)
    assert lc.dominant == ["Permanent water bodies"]
    assert lc.valid_percentage == pytest.approx(100 * 4010 / 16384, abs=1e-3)
    assert sum(c.percentage for c in lc.classes) == pytest.approx(100.0, abs=1e-2)


def test_slovenia_forest_dominates_and_agrees_across_products(samples) -> None:  # type: ignore[no-untyped-def]
    b = compute_signals(samples["slovenia"])
    wc, dw = b.landcover["esa_worldcover"], b.landcover["dynamic_world"]
    assert wc.dominant == ["Tree cover"] and dw.dominant == ["trees"]
    assert wc.classes[0].percentage == pytest.approx(dw.classes[0].percentage)
    assert wc.classes[0].percentage > 70 and wc.classes[0].location == "throughout"


def test_location_words_follow_the_pixels() -> None:
    labels = np.zeros((128, 128), dtype=np.uint8)
    labels[:40, :] = 10  # tree cover along the northern edge
    labels[100:, 100:] = 80  # water in the south-east corner
    labels[60:68, 60:68] = 50  # a built-up block in the centre
    sig = land_cover_signal(labels[None], MODALITIES["esa_worldcover"])
    where = {c.name: c.location for c in sig.classes}
    assert where == {"Tree cover": "north", "Permanent water bodies": "south-east", "Built-up": "centre"}


def test_all_nodata_land_cover_is_reported_missing(samples) -> None:  # type: ignore[no-untyped-def]
    s = samples["brandenburg_0"]
    s.arrays["esa_worldcover"] = MODALITIES["esa_worldcover"].empty()
    s.arrays["dynamic_world"] = MODALITIES["dynamic_world"].empty()
    b = compute_signals(s)
    assert b.landcover == {} and b.water is None
    assert "all pixels are no-data" in b.missing["landcover.esa_worldcover"]
    assert "water" in b.missing


def test_water_percentage_is_over_the_full_grid_as_released(samples) -> None:  # type: ignore[no-untyped-def]
    s = samples["brandenburg_5"]
    w = compute_signals(s).water
    assert w is not None and w.method == "dw-only" and "no JRC" in (w.note or "")
    # 3055 water pixels over 16 384: the released field's convention (cf. 8910 / 16384 = 54.38232421875)
    assert w.percentage == 100 * 3055 / 16384
    assert w.detected


def test_water_consensus_with_jrc_occurrence(samples) -> None:  # type: ignore[no-untyped-def]
    dw = samples["brandenburg_5"].arrays["dynamic_world"]
    water = dw[0] == 0
    jrc = np.full((128, 128), 255, dtype=np.uint8)
    jrc[:, :64] = 90  # permanent water on the western half only
    jrc[:, 64:] = 10
    w = water_signal(dw, jrc)
    assert w is not None and w.method == "dw+jrc"
    assert w.percentage == 100 * int(water[:, :64].sum()) / 16384
    assert w.jrc_percentage == 50.0
    # JRC layer with no valid pixel → Dynamic World alone, and the note says so
    w2 = water_signal(dw, np.full((128, 128), 255, dtype=np.uint8))
    assert w2 is not None and w2.method == "dw-only" and "no valid pixel" in (w2.note or "")


def test_water_falls_back_to_worldcover_and_detect_threshold() -> None:
    wc = np.full((1, 128, 128), 40, dtype=np.uint8)
    wc[0, :10, :16] = 80  # 160 px = 0.98 % → below the 1 % detection threshold
    w = water_signal(None, None, wc)
    assert w is not None and w.method == "worldcover-only" and not w.detected
    assert w.percentage == pytest.approx(100 * 160 / 16384)
    wc[0, :20, :16] = 80  # 320 px = 1.95 %
    w = water_signal(None, None, wc)
    assert w is not None and w.detected
    assert water_signal(None, None, None) is None


def test_jrc_layer_kept_by_the_shard_reader_is_used(samples) -> None:  # type: ignore[no-untyped-def]
    s = samples["brandenburg_5"]
    jrc = np.full((128, 128), np.nan, dtype=np.float32)  # as the builder stores it: float32, NaN = no data
    jrc[:, :64] = 95.0
    jrc[:, 64:] = 5.0
    s.extras["datasets"] = {"jrc_occurrence": jrc}
    w = compute_signals(s).water
    water = s.arrays["dynamic_world"][0] == 0
    assert w is not None and w.method == "dw+jrc"
    assert w.percentage == 100 * int(water[:, :64].sum()) / 16384


def test_water_body_shape_tells_linear_from_compact() -> None:
    from geomeld.signals.water import water_body_shape

    river = np.zeros((128, 128), dtype=bool)
    river[60:64, :] = True  # a 4-pixel-wide band across the tile
    lake = np.zeros((128, 128), dtype=bool)
    yy, xx = np.mgrid[:128, :128]
    lake[(yy - 64) ** 2 + (xx - 50) ** 2 < 15**2] = True
    speck = np.zeros((128, 128), dtype=bool)
    speck[5, 5] = True
    assert water_body_shape(river)[0] == "linear"
    kind, pct, elong = water_body_shape(lake)
    assert (
        kind == "compact"
        and pct == pytest.approx(100 * lake.sum() / lake.size, abs=0.01)
        and elong is not None
    )
    assert water_body_shape(speck)[0] is None
    assert water_body_shape(np.zeros((128, 128), dtype=bool)) == (None, None, None)
