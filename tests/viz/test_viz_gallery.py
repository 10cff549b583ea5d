"""Gallery rendering on a real BigEarthNet patch, checked in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import rasterio

from geomeld.core.data import data_dir as _data_dir
from geomeld.core.modalities import LAYOUTS, MODALITIES
from geomeld.core.sample import Sample, SampleMetadata
from geomeld.viz import render
from geomeld.viz.gallery import highlight_caption, write_gallery

PATCH = "S2A_MSIL2A_20170613T101031_87_48"
S1_PATCH = "S1A_IW_GRDH_1SDV_20170613T165043_33UUP_87_48"


def _read(path: Path) -> np.ndarray:
    with rasterio.open(path) as src:
        return src.read(1).astype(np.float32)


REAL = _data_dir() / "real" / "bigearthnet"


def real_sample() -> Sample:
    """A standard-layout sample whose S2 and S1 are a real BigEarthNet pair (120² padded to 128²),
    read from the copy shipped in the package; elevation is a synthetic ramp marked ``substitute``
    (a renderer check only), canopy height is absent."""
    s2_dir = REAL / "s2" / PATCH
    s1_dir = REAL / "s1" / S1_PATCH
    arrays = {m.key: m.empty() for m in LAYOUTS["standard"].modalities()}
    for i, band in enumerate(MODALITIES["sentinel2"].band_names):
        name = band if band == "B8A" else f"B{int(band[1:]):02d}"
        plane = _read(s2_dir / f"{PATCH}_{name}.tif")
        factor = 120 // plane.shape[0]
        arrays["sentinel2"][i, :120, :120] = np.kron(plane, np.ones((factor, factor), np.float32))
    for pol in ("VV", "VH"):
        idx = MODALITIES["sentinel1"].band_names.index(f"{pol}_desc")
        arrays["sentinel1"][idx, :120, :120] = _read(s1_dir / f"{S1_PATCH}_{pol}.tif")
    yy, xx = np.mgrid[:128, :128]
    arrays["aster"][0] = 400 + 0.5 * xx + 0.2 * yy
    arrays["aster"][1] = 2.0 + 0.05 * yy
    arrays["esa_worldcover"][0] = np.where(xx < 64, 40, 10).astype(np.uint8)
    arrays["dynamic_world"][0] = np.where(xx < 64, 4, 1).astype(np.uint8)
    meta = SampleMetadata(
        tile_id=48222,
        lat=48.222,
        long=13.721,
        acquisition_date="2017-06-13",
        band_names=LAYOUTS["standard"].band_names(),
        caption="Cropland fills the west of the tile while tree cover spreads over the east, with no water.",
        caption_report={
            "claims": [
                {"text": "Cropland fills the west", "verdict": "supported", "reason": "WorldCover 50 %"},
                {"text": "tree cover spreads over the east", "verdict": "supported"},
                {"text": "no water", "verdict": "contradicted", "reason": "test"},
            ]
        },
        provenance={
            "stratum": "D×cropland",
            "modalities": {
                "sentinel2": {"status": "ok", "origin": "real"},
                "sentinel1": {"status": "ok", "origin": "real"},
                "aster": {"status": "ok", "origin": "substitute", "product": "a synthetic ramp (test)"},
                "canopy_height": {"status": "missing", "origin": "absent"},
                "esa_worldcover": {
                    "status": "ok",
                    "origin": "coarse",
                    "resolution_m": 5550.0,
                    "product": "MODIS",
                },
                "dynamic_world": {
                    "status": "ok",
                    "origin": "coarse",
                    "resolution_m": 5550.0,
                    "product": "MODIS",
                },
            },
        },
    )
    return Sample(key="48222", arrays=arrays, metadata=meta)


def test_renderers_respect_nodata_and_palettes() -> None:
    sample = real_sample()
    s2 = sample.arrays["sentinel2"]
    rgba = render.composite(s2, sample.band_names("sentinel2"), ("B4", "B3", "B2"), MODALITIES["sentinel2"])
    assert rgba is not None and rgba.shape == (128, 128, 4)
    assert (rgba[:120, :120, 3] == 255).all() and (rgba[120:, :, 3] == 0).all()
    assert rgba[:120, :120, :3].std() > 10  # a real scene, not a flat picture
    wc = render.categorical(sample.arrays["esa_worldcover"][0], MODALITIES["esa_worldcover"].classes)  # type: ignore[arg-type]
    assert tuple(wc[0, 0, :3]) == render.hex_to_rgb("#f096ff") and tuple(wc[0, 127, :3]) == render.hex_to_rgb(
        "#006400"
    )
    shares = render.class_fractions(sample.arrays["esa_worldcover"][0], MODALITIES["esa_worldcover"].classes)  # type: ignore[arg-type]
    assert shares == {"Tree cover": 50.0, "Cropland": 50.0}
    sar = render.sar_composite(
        sample.arrays["sentinel1"], sample.band_names("sentinel1"), MODALITIES["sentinel1"]
    )
    assert sar is not None and sar[1] == "desc"
    shade = render.hillshade(sample.arrays["aster"][0], 10.0)
    assert shade[..., 3].min() == 255 and 0 < shade[64, 64, 0] < 255


def test_true_colour_is_stretched_per_band() -> None:
    """A hazy top-of-atmosphere scene (blue offset far above red/green) must not come out blue."""
    rng = np.random.default_rng(0)
    base = rng.gamma(2.0, 300.0, size=(128, 128)).astype(np.float32)
    s2 = np.full((12, 128, 128), np.nan, np.float32)
    names = list(MODALITIES["sentinel2"].band_names)
    for band, offset in (("B4", 300.0), ("B3", 600.0), ("B2", 1500.0)):  # path radiance ~ blue
        s2[names.index(band)] = base + offset
    rgba = render.composite(s2, names, ("B4", "B3", "B2"), MODALITIES["sentinel2"], balance=True)
    assert rgba is not None
    means = rgba[..., :3].reshape(-1, 3).mean(0)
    assert abs(means[2] - means[0]) < 8 and abs(means[1] - means[0]) < 8  # no colour cast


def test_caption_claims_are_highlighted_by_verdict() -> None:
    out = highlight_caption(
        "Dense forest <b> and no water.",
        {
            "claims": [
                {"text": "dense forest", "verdict": "supported"},
                {"text": "no water", "verdict": "contradicted"},
            ]
        },
    )
    assert '<span class="claim ok"' in out and '<span class="claim bad"' in out
    assert "&lt;b&gt;" in out  # caption text is escaped


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_gallery_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = write_gallery([real_sample()], tmp_path / "gallery", title="test gallery")
    text = page.read_text()
    images = re.findall(r'<img src="([^"]+)"', text)
    assert len(images) >= 8
    assert all((page.parent / src).is_file() for src in images)
    # every panel carries its origin; absent layers are listed, never drawn
    assert text.count('class="badge real"') >= 4 and 'class="badge coarse"' in text
    assert 'class="badge substitute"' in text and "a synthetic ramp (test)" in text
    assert "Canopy height" in text.split('class="badge absent"', 1)[1].split("</p>", 1)[0]
    assert "canopy_height_" not in text  # no picture of an absent layer
    assert 'class="cbar"' in text and "°" in text and "m</span>" in text  # slope and elevation colour bars
    assert "<td>contradicted</td><td>test</td>" in text  # claim evidence readable without hovering
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run must install it (apt-get install chromium)")
        pytest.skip("chromium not installed on this machine")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=5000",
        "--allow-file-access-from-files",
    ]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None, dom[:500]
    attrs = body.group(1)
    assert f'data-images="{len(images)}"' in attrs
    assert f'data-images-loaded="{len(images)}"' in attrs, attrs
    assert "data-errors" not in attrs, attrs
    # clicking a panel opens it at full resolution (the click is dispatched by the page's #click= hook)
    zoom_id = re.search(r'<button class="zoom" id="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri() + f"#click={zoom_id}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    attrs = re.search(r"<body([^>]*)>", dom).group(1)  # type: ignore[union-attr]
    assert 'data-zoom-open="1"' in attrs and 'data-zoom-natural-width="128"' in attrs, attrs
    assert 'id="zoom" tabindex="-1" role="dialog" aria-label="full-resolution view" class="open"' in dom
    shot = tmp_path / "gallery.png"
    subprocess.run(
        [browser, *flags, "--window-size=1200,900", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000
    artefacts = Path(os.environ.get("GEOMELD_TEST_ARTEFACTS", tmp_path / "artefacts"))
    artefacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, artefacts / "gallery.png")


def test_claim_offsets_from_the_verifier_are_used() -> None:
    caption = "Steep slopes with crop fields; steep again."
    report = {
        "final_claims": [
            {"text": "steep", "start": 31, "end": 36, "verdict": "contradicted", "reason": "flat"},
            {"text": "crop fields", "start": 18, "end": 29, "verdict": "supported"},
        ]
    }
    out = highlight_caption(caption, report)
    assert out.startswith('Steep slopes with <span class="claim ok"')
    assert '<span class="claim bad" title="contradicted: flat">steep</span> again.' in out
