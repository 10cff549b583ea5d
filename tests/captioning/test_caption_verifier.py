"""The Verifier on real samples: planted falsehoods must be caught, true claims must pass."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from caption_fixtures import VADUZ, load_samples, vaduz_index
from geomeld.captioning.evidence import Evidence
from geomeld.captioning.pipeline import CaptionConfig, CaptionPipeline
from geomeld.captioning.stress import stress_test
from geomeld.captioning.verifier import caption_problems, extract_claims, repair, verify
from geomeld.signals.models import SignalBundle
from geomeld.signals.osm import OsmPbfIndex


class _AtVaduz:
    """Real OSM tags of central Vaduz for every sample (a composite: real land cover/DEM + real OSM)."""

    name = "pbf:liechtenstein@vaduz"

    def __init__(self, index: OsmPbfIndex) -> None:
        self.index = index

    def tags_near(self, lat: float, lon: float, radii: Sequence[float]) -> dict[str, dict[str, list[str]]]:
        return self.index.tags_near(*VADUZ, radii)


@pytest.fixture(scope="module")
def captioned():  # type: ignore[no-untyped-def]
    pytest.importorskip("osmium", reason="pyosmium (geomeld[osm]) not installed")
    index = vaduz_index()
    items = []
    cfg = CaptionConfig(require_imagery=False)  # the DEM-only fixtures are captioned here too
    for pipe in (CaptionPipeline(cfg), CaptionPipeline(cfg, osm_source=_AtVaduz(index))):
        for sample in load_samples().values():
            out = pipe.caption(sample)
            assert out.status == "verified", (sample.key, out.report)
            assert out.bundle is not None and out.caption is not None
            items.append((sample, out.bundle, out.caption))
    return items


def test_planted_falsehoods_are_flagged_and_true_claims_pass(captioned) -> None:  # type: ignore[no-untyped-def]
    r = stress_test(captioned)
    print(
        f"\nplanted {r['planted']} detected {r['detected']} rate {r['detection_rate']:.4f}; "
        f"true claims {r['true_claims']} flagged {r['true_claims_flagged']} rate {r['false_flag_rate']:.4f}; "
        + ", ".join(f"{k} {v['detected']}/{v['planted']}" for k, v in sorted(r["by_category"].items()))
    )
    # every category of the issue is exercised, with enough cases to mean something
    assert set(r["by_category"]) >= {
        "wrong_water",
        "wrong_dominant",
        "wrong_terrain",
        "invented_osm",
        "wrong_share",
        "absent_class",
        "wrong_location",
    }
    assert r["planted"] >= 200 and r["true_claims"] >= 80
    for category, v in r["by_category"].items():
        assert v["rate"] >= 0.95, (category, r["missed"])
    assert r["detection_rate"] >= 0.95, r["missed"]
    assert r["false_flag_rate"] <= 0.05


def test_generated_captions_make_no_contradicted_claim(captioned) -> None:  # type: ignore[no-untyped-def]
    from geomeld.captioning.builtin import BuiltinCaptioner

    gen = BuiltinCaptioner()
    claims = contradicted = 0
    for sample, bundle, _ in captioned:
        ev = Evidence.from_bundle(bundle)
        for seed in (1, 2):
            for text in gen.generate(sample.key, ev, 6, seed=seed):
                v = verify(text, ev)
                claims += len(v.claims)
                contradicted += v.n_contradicted
    assert claims > 500
    assert contradicted / claims <= 0.05


def _bundle(captioned, key: str) -> SignalBundle:  # type: ignore[no-untyped-def]
    return next(
        b for s, b, _ in captioned if s.key == key and b.osm is not None and b.osm.source.startswith("pbf")
    )


def test_claim_extraction_reads_qualifiers() -> None:
    claims, _ = extract_claims(
        "Mostly cropland with patches of forest, no water, about 30 % grassland and a road near a steep ridge."
    )
    got = [(c.kind, c.concept, c.qualifier, c.value) for c in claims]
    assert got == [
        ("landcover", "cropland", "dominant", None),
        ("landcover", "trees", "minor", None),
        ("landcover", "water", "absent", None),
        ("landcover", "grassland", "number", 30.0),
        ("osm", "road", "present", None),
        ("terrain", "steep", "present", None),
        ("terrain", "ridge", "present", None),
    ]


def test_location_claims() -> None:
    from geomeld.core.modalities import MODALITIES
    from geomeld.signals import compute_signals

    s = load_samples()["brandenburg_0"]
    wc = s.arrays["esa_worldcover"]
    wc[0] = 30
    wc[0, :40, :] = 10  # tree cover along the northern edge
    s.arrays["dynamic_world"] = MODALITIES["dynamic_world"].empty()
    ev = Evidence.from_bundle(compute_signals(s))
    verdicts = {
        text: [c.verdict for c in verify(text, ev).claims if c.kind == "location"]
        for text in (
            "Forest in the north and grassland.",
            "Forest in the north-western corner.",
            "Forest along the southern edge.",
            "Forest towards the south-east.",
            "Forest in the east.",
            "Grassland in the south.",
        )
    }
    assert verdicts == {
        "Forest in the north and grassland.": ["supported"],
        "Forest in the north-western corner.": ["supported"],
        "Forest along the southern edge.": ["contradicted"],
        "Forest towards the south-east.": ["contradicted"],
        "Forest in the east.": ["unverifiable"],
        "Grassland in the south.": ["unverifiable"],  # the rest of the tile: middle and south alike
    }


def test_share_words_read_as_numbers() -> None:
    claims, _ = extract_claims("Half of the tile is forest, while grassland covers about a third.")
    assert [(c.concept, c.qualifier, c.value) for c in claims] == [
        ("trees", "number", 50.0),
        ("grassland", "number", 33.3),
    ]


def test_repair_drops_only_the_false_clause(captioned) -> None:  # type: ignore[no-untyped-def]
    ev = Evidence.from_bundle(_bundle(captioned, "brandenburg_5"))  # the lake window, OSM of Vaduz
    v = verify("Mostly open water, with patches of grassland and a marina in the north.", ev)
    verdicts = {c.concept: c.verdict for c in v.claims}
    assert verdicts == {
        "water": "supported",
        "grassland": "supported",
        "marina": "contradicted",
    }  # landlocked
    fixed = repair(v)
    assert fixed == "Mostly open water, with patches of grassland."
    assert verify(fixed, ev).is_verified()
    # a contradicted main clause removes its sentence
    v = verify("The scene is mostly covered by snow. Some grassland lies in the west.", ev)
    assert repair(v) == "Some grassland lies in the west."


def test_missing_dem_makes_terrain_unverifiable_and_captions_avoid_it(captioned) -> None:  # type: ignore[no-untyped-def]
    _, bundle, caption = next(x for x in captioned if x[0].key == "brandenburg_3")
    assert bundle.terrain is None
    ev = Evidence.from_bundle(bundle)
    assert all(c.kind != "terrain" for c in verify(caption, ev).claims)
    v = verify("Farmland on steep hills.", ev)
    terrain = [c for c in v.claims if c.kind == "terrain"]
    assert terrain and all(c.verdict == "unverifiable" and "no DEM" in c.reason for c in terrain)
    assert not v.is_verified()


def test_caption_level_problems() -> None:
    assert caption_problems("") and "too short" in caption_problems("Forest.")[0]
    assert any("too long" in p for p in caption_problems("forest and fields " * 40))
    assert any(
        "not English" in p
        for p in caption_problems("Ein dichter Wald bedeckt die Hügel im Norden des Gebiets.")
    )
    assert any(
        "not English" in p
        for p in caption_problems("森林が北部の丘を覆っていて、南には畑がある。とても美しい")
    )
    assert caption_problems("A dense forest covers the hills in the north of the area.") == []


@pytest.mark.parametrize(
    ("key", "caption", "expected"),
    [
        (
            "brandenburg_3",  # farmland window, no water, no buildings, no OSM roads
            "This satellite image shows a rural landscape dominated by agricultural fields, with patches of "
            "forest and a small village with houses connected by roads. A river meanders through the scene.",
            {
                "cropland": "supported",
                "trees": "supported",
                "settlement": "contradicted",
                "built": "contradicted",
                "road": "contradicted",
                "water": "contradicted",
            },
        ),
        (
            "slovenia",  # forested hillside, 664–801 m, no water
            "A densely forested hillside with a few grassy clearings and a narrow valley, seen in summer.",
            {
                "dense": "supported",
                "hilly": "supported",
                "grassland": "supported",
                "valley": "supported",
                "summer": "supported",
            },
        ),
        (
            "brandenburg_5",  # the lake window
            "A large lake occupies most of the image, bordered by grassland to the west.",
            {"water": "supported", "grassland": "supported"},
        ),
    ],
)
def test_free_text_captions_in_llm_style(key: str, caption: str, expected: dict[str, str]) -> None:
    from geomeld.signals import compute_signals

    ev = Evidence.from_bundle(compute_signals(load_samples()[key]))
    v = verify(caption, ev)
    assert {c.concept: c.verdict for c in v.claims} == expected
    assert v.is_verified() == ("contradicted" not in expected.values())
