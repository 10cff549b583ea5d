import pytest

from geomeld.core.origin import Origin, modality_origins, origin_of


def test_explicit_origin_wins_over_legacy_flags() -> None:
    assert origin_of({"origin": "coarse", "stand_in": True}) is Origin.COARSE


def test_legacy_flags_map_onto_the_vocabulary() -> None:
    relocated = {"status": "ok", "items": [{"stand_in": True, "relocated_from": {"lat": 0.19, "long": 6.5}}]}
    substitute = {"status": "ok", "stand_in": True, "substitute": "esa_worldcover_mapped"}
    assert origin_of(relocated) is Origin.RELOCATED
    assert origin_of(substitute) is Origin.SUBSTITUTE
    assert origin_of({"status": "ok", "stand_in": False}) is Origin.REAL
    assert origin_of({"status": "missing", "reason": "no_source"}) is Origin.ABSENT
    assert origin_of(None) is Origin.ABSENT


def test_evidence_excludes_relocated_and_absent() -> None:
    assert [o.value for o in Origin if o.is_evidence] == ["real", "substitute", "coarse"]


def test_unknown_origin_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"stand-in.*not one of real"):
        origin_of({"origin": "stand-in"})


def test_modality_origins_reads_a_whole_provenance() -> None:
    prov = {"modalities": {"sentinel2": {"status": "ok"}, "aster": {"relocated_from": {"lat": 0, "long": 0}}}}
    assert modality_origins(prov) == {"sentinel2": Origin.REAL, "aster": Origin.RELOCATED}
    assert modality_origins(None) == {}
