"""End-to-end coordinate pool: quotas, anchors with recorded rejections, seed determinism, merge,
footprints, fill of sparse regions, outputs and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from geomeld.sampling.config import AnchorSource, SampleConfig
from geomeld.sampling.ids import tile_ids
from geomeld.sampling.quotas import area_quotas, compute_quotas, load_custom_quotas, uniform_quotas
from geomeld.sampling.run import run as run_sampling
from geomeld.sampling.spacing import violations

DATA = Path(__file__).parents[1] / "data" / "anchors_files"


def _cfg(**kw: object) -> SampleConfig:
    return SampleConfig.model_validate({"map": False, **kw})


def _strata_of(table: object, source: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for s, src in zip(table.column("stratum").to_pylist(), table.column("source").to_pylist(), strict=True):  # type: ignore[attr-defined]
        if src == source:
            out[s] = out.get(s, 0) + 1
    return out


def test_quota_rules_sum_exactly() -> None:
    areas = {"A-02": 30.0, "B-16": 10.0, "C-12": 5.0, "E-15": 1e-6}
    assert uniform_quotas(areas, 7, min_share=1e-3) == {"A-02": 3, "B-16": 2, "C-12": 2}
    assert area_quotas(areas, 9, min_share=1e-3) == {"A-02": 6, "B-16": 2, "C-12": 1}
    assert sum(area_quotas(areas, 1001, min_share=1e-3).values()) == 1001
    assert compute_quotas("custom", areas, 0, {"B-16": 4, "C-12": 0}) == {"B-16": 4}
    with pytest.raises(ValueError, match="Z-99"):
        load_custom_quotas(DATA / "bad_quotas.yaml")


def test_uniform_stratified_meets_every_quota_exactly_with_spacing(tmp_path: Path) -> None:
    report = run_sampling(_cfg(stratified=130, seed=3), tmp_path / "pool.parquet")
    assert report.stratified is not None
    outcomes = report.stratified.outcomes
    quotas = {s: o.quota for s, o in outcomes.items()}
    assert sum(quotas.values()) == 130 and max(quotas.values()) - min(quotas.values()) <= 1
    assert all(o.accepted == o.quota and not o.shortfall_reason for o in outcomes.values())
    table = pq.read_table(tmp_path / "pool.parquet")
    assert _strata_of(table, "stratified") == quotas  # the stratum at each point is its quota's stratum
    lat, lon = table.column("lat").to_numpy(), table.column("long").to_numpy()
    assert violations(lat, lon, SampleConfig().min_distance_m).shape == (0, 2)
    assert (table.column("tile_id").to_numpy() == tile_ids(lat, lon)).all()
    assert (lat >= -56).all() and (lat <= 84).all()
    assert set(table.column("climate").to_pylist()) <= {"A", "B", "C", "D", "E"}


def test_custom_quotas_from_yaml(tmp_path: Path) -> None:
    report = run_sampling(
        _cfg(quota="custom", quota_file=DATA / "custom_quotas.yaml"), tmp_path / "p.parquet"
    )
    assert _strata_of(pq.read_table(tmp_path / "p.parquet"), "stratified") == {
        "C-12": 3,
        "D-12": 2,
        "B-16": 4,
    }
    assert report.added_by_source == {"stratified": 9}


def test_anchor_import_records_every_rejection(tmp_path: Path) -> None:
    out = tmp_path / "pool.parquet"
    report = run_sampling(_cfg(anchors=[AnchorSource(path=DATA / "anchors.csv", name="skyscript")]), out)
    table = pq.read_table(out)
    assert table.column("source").to_pylist() == ["anchor:skyscript"] * 5
    rows = {r["country_iso"]: r for r in table.to_pylist()}
    assert set(rows) == {"FRA", "BRA", "NER", "USA", "AUS"}
    assert (rows["NER"]["climate"], rows["NER"]["igbp_name"], rows["NER"]["continent"]) == (
        "B",
        "barren",
        "Africa",
    )
    assert rows["BRA"]["stratum"] == "A-02"
    rejected = {r["input_row"]: r for r in pq.read_table(tmp_path / "pool.rejected.parquet").to_pylist()}
    assert set(rejected) == {4, 5, 6}  # atlantic, north pole, 150 m from Paris
    assert rejected[4]["reason"].startswith("not on land")
    assert rejected[5]["reason"].startswith("outside the latitude range")
    assert rejected[6]["reason"].startswith("overlaps another tile")
    assert rejected[6]["conflict_tile_id"] == rows["FRA"]["tile_id"]
    assert report.anchors_read == {"anchor:skyscript": 8}
    assert sum(report.rejected_by_reason.values()) == 3


def test_same_seed_same_pool_other_seed_other_pool(tmp_path: Path) -> None:
    cfg = _cfg(stratified=25, fill=5, seed=11)
    run_sampling(cfg, tmp_path / "a.parquet")
    run_sampling(cfg, tmp_path / "b.parquet")
    run_sampling(cfg.model_copy(update={"seed": 12}), tmp_path / "c.parquet")
    a, b, c = (pq.read_table(tmp_path / f"{x}.parquet") for x in "abc")
    assert a.equals(b)
    assert set(a.column("tile_id").to_pylist()) != set(c.column("tile_id").to_pylist())


def test_merge_adds_without_duplicating_or_moving_rows(tmp_path: Path) -> None:
    out = tmp_path / "pool.parquet"
    anchors = [AnchorSource(path=DATA / "anchors.parquet", name="mmearth")]
    run_sampling(_cfg(anchors=anchors, stratified=20, seed=1), out)
    first = pq.read_table(out)
    with pytest.raises(FileExistsError, match="--merge"):
        run_sampling(_cfg(stratified=5), out)
    report = run_sampling(_cfg(anchors=anchors, stratified=20, seed=2), out, merge=True)
    merged = pq.read_table(out)
    assert merged.slice(0, first.num_rows).equals(first)
    assert merged.num_rows == first.num_rows + 20  # re-imported anchors all collide with themselves
    assert report.rejected_by_reason["overlaps another tile"] == 6
    ids = merged.column("tile_id").to_pylist()
    assert len(set(ids)) == len(ids)
    lat, lon = merged.column("lat").to_numpy(), merged.column("long").to_numpy()
    assert violations(lat, lon, SampleConfig().min_distance_m).shape == (0, 2)


def test_within_footprints_constrains_every_source(tmp_path: Path) -> None:
    import shapely

    out = tmp_path / "pool.parquet"
    cfg = _cfg(
        within=DATA / "footprints.geojson",
        anchors=[AnchorSource(path=DATA / "anchors.geojson")],
        stratified=6,
        fill=4,
        map=True,
    )
    report = run_sampling(cfg, out)
    table = pq.read_table(out)
    boxes = shapely.union_all([shapely.box(2.2, 48.75, 2.5, 48.95), shapely.box(-93.6, 41.9, -93.4, 42.1)])
    inside = shapely.contains_xy(boxes, table.column("long").to_numpy(), table.column("lat").to_numpy())
    assert inside.all() and table.num_rows == 2 + 6 + 4
    assert report.rejected_by_reason["outside the --within footprints"] == 3  # amazon, sahara, sydney
    png = tmp_path / "pool.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_fill_goes_to_the_sparsest_cells_and_continents(tmp_path: Path) -> None:
    # an existing pool crowded into France: 30 anchors on a 0.3° lattice
    lat, lon = np.meshgrid(np.arange(45.0, 46.5, 0.3), np.arange(1.0, 2.8, 0.3))
    csv = tmp_path / "france.csv"
    csv.write_text(
        "lat,lon\n" + "\n".join(f"{a:.2f},{b:.2f}" for a, b in zip(lat.ravel(), lon.ravel(), strict=True))
    )
    out = tmp_path / "pool.parquet"
    run_sampling(_cfg(anchors=[AnchorSource(path=csv)]), out)
    before = pq.read_table(out)
    occupied = set(
        zip(
            np.floor(before.column("lat").to_numpy()), np.floor(before.column("long").to_numpy()), strict=True
        )
    )
    report = run_sampling(_cfg(fill=25, seed=5), out, merge=True)
    assert report.fill is not None and report.fill.lat.size == 25
    new_cells = set(zip(np.floor(report.fill.lat), np.floor(report.fill.lon), strict=True))
    assert len(new_cells) == 25 and not new_cells & occupied  # each point opened a new, empty 1° cell
    assert report.fill.occupied_cells_after == report.fill.occupied_cells_before + 25
    report = run_sampling(_cfg(fill=12, fill_by="continent", seed=5), out, merge=True)
    assert report.fill is not None and "Europe" not in report.fill.per_continent


def test_cli_sample_runs_and_explains_errors(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from geomeld.cli import app

    runner = CliRunner()
    help_text = runner.invoke(app, ["sample", "--help"]).output
    assert "Examples" in help_text and "--stratified" in help_text
    out = tmp_path / "pool.parquet"
    res = runner.invoke(app, ["sample", str(out), "--anchors", f"demo={DATA / 'anchors.csv'}", "--no-map"])
    assert res.exit_code == 0, res.output
    assert "anchor:demo" in res.output and "rejected points" in res.output
    res = runner.invoke(
        app, ["sample", str(tmp_path / "x.parquet"), "--anchors", str(DATA / "bad_empty.csv")]
    )
    # a file error goes to the one CLI handler (geomeld.cli.main prints it on one line, exit 1)
    assert res.exit_code == 1 and "bad_empty.csv: empty file" in str(res.exception)
    res = runner.invoke(app, ["sample", str(tmp_path / "y.parquet")])
    assert res.exit_code == 2 and "nothing to do" in res.output


def test_shipped_configs_load_and_inline_quotas_are_checked(tmp_path: Path) -> None:
    from geomeld.sampling.config import load_config

    configs = sorted((Path(__file__).parents[2] / "configs" / "sample").glob("*.yaml"))
    assert len(configs) >= 3
    for path in configs:
        load_config(path)
    with pytest.raises(ValueError, match=r"config 'quotas': unknown stratum 'X-01'"):
        run_sampling(_cfg(quota="custom", quotas={"X-01": 2}), tmp_path / "p.parquet")
    run_sampling(_cfg(quota="custom", quotas={"B-16": 2}), tmp_path / "q.parquet")
    assert pq.read_table(tmp_path / "q.parquet").column("stratum").to_pylist() == ["B-16", "B-16"]


def test_strata_ids_and_point_strata() -> None:
    from geomeld.sampling.strata import describe_stratum, point_strata, stratum_from_name, stratum_name

    assert describe_stratum("B-16") == "arid × barren"
    assert stratum_name(stratum_from_name("A-02")) == "A-02"
    with pytest.raises(ValueError, match="unknown stratum 'B-00'"):
        stratum_from_name("B-00")  # water is not a land stratum
    assert point_strata(np.array([-3.5, 23.0, 30.0]), np.array([-62.0, 12.0, -40.0])) == ["A-02", "B-16", ""]


def test_per_footprint_splits_points_over_footprints(tmp_path: Path) -> None:
    out = tmp_path / "pool.parquet"
    report = run_sampling(_cfg(within=DATA / "footprints.geojson", per_footprint=True, stratified=6), out)
    table = pq.read_table(out)
    in_paris = (table.column("long").to_numpy() > 0).sum()
    assert (in_paris, table.num_rows - in_paris) == (3, 3)
    assert report.stratified is not None
    assert {k.split("/")[0] for k in report.stratified.outcomes} == {"paris", "iowa"}


def test_pool_is_geoparquet(tmp_path: Path) -> None:
    import json

    import shapely

    out = tmp_path / "pool.parquet"
    run_sampling(_cfg(anchors=[AnchorSource(path=DATA / "anchors.csv")]), out)
    table = pq.read_table(out)
    meta = json.loads(table.schema.metadata[b"geo"])
    assert meta["primary_column"] == "geometry" and meta["columns"]["geometry"]["encoding"] == "WKB"
    pts = shapely.from_wkb(table.column("geometry").to_pylist())
    np.testing.assert_array_equal(shapely.get_x(pts), table.column("long").to_numpy())
    np.testing.assert_array_equal(shapely.get_y(pts), table.column("lat").to_numpy())


def test_merge_into_a_foreign_or_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    import pyarrow as pa

    bad = tmp_path / "strings.parquet"
    pq.write_table(pa.table({"tile_id": ["a"], "lat": [1.0], "long": [2.0], "source": ["x"]}), bad)
    with pytest.raises(ValueError, match=r"strings.parquet: column 'tile_id' is string, expected int64"):
        run_sampling(_cfg(stratified=2), bad, merge=True)
    missing = tmp_path / "missing.parquet"
    pq.write_table(pa.table({"lat": [1.0], "long": [2.0]}), missing)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['tile_id', 'source'\]"):
        run_sampling(_cfg(stratified=2), missing, merge=True)
    garbage = tmp_path / "garbage.parquet"
    garbage.write_text("not parquet")
    with pytest.raises(ValueError, match="not a readable Parquet file"):
        run_sampling(_cfg(stratified=2), garbage, merge=True)
