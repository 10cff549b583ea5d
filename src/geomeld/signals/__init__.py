"""Grounding signals (the Orchestrator): land cover, water, terrain, canopy, spectral, SAR, OSM, place."""

from geomeld.signals.models import SignalBundle
from geomeld.signals.orchestrator import SignalConfig, apply_released_fields, compute_signals

__all__ = ["SignalBundle", "SignalConfig", "apply_released_fields", "compute_signals"]
