"""From raw task images to encoder input: perturb → align bands → normalise → resize.

:class:`Condition` describes one test-time input condition of the cross-sensor robustness protocol
(clean input, a band subset, the +1000 processing-baseline offset left in, additive noise, one band
missing). :class:`Preprocessor` applies a condition and the band mapping to a raw batch and returns
the normalised tensor the encoder expects (absent bands → 0.0 after normalisation, as in ``Batch``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from geomeld.evaluation.bands import BandMapping, MissingBands, band_subset, map_bands


@dataclass(frozen=True)
class Condition:
    """One input condition. Bands outside ``keep`` (when given) and in ``drop`` are absent.

    Sentinel-1 conditions (tasks with S1 bands): ``s1_drop`` (no S1 acquisition), ``s1_looks`` > 0
    (multiplicative speckle ``Gamma(L, 1/L)`` on every S1 value, L looks) and ``s2_drop`` (every S2
    band absent: S2 clouded out, S1 only). A model that reads no S1 is unaffected by the first two by
    construction and cannot predict under the third; those rows say so instead of a score.
    """

    name: str
    keep: tuple[str, ...] | None = None
    drop: tuple[str, ...] = ()
    offset_dn: float = 0.0
    noise_dn: float = 0.0
    description: str = ""
    s1_drop: bool = False
    s1_looks: float = 0.0
    s2_drop: bool = False

    def is_clean(self) -> bool:
        return (
            self.keep is None
            and not self.drop
            and self.offset_dn == 0
            and self.noise_dn == 0
            and not (self.s1_drop or self.s1_looks or self.s2_drop)
        )

    @property
    def sentinel1(self) -> bool:
        """The condition is about Sentinel-1 (only models reading S1 can be scored under it)."""
        return self.s1_drop or self.s1_looks > 0 or self.s2_drop


CLEAN = Condition("clean", description="the task's own input")


def standard_conditions(
    noise_dn: float = 100.0, missing_band: str = "B8", *, s1: bool = False, s1_looks: float = 4.0
) -> list[Condition]:
    """The published robustness protocol (documented in :mod:`geomeld.evaluation`); with ``s1`` (the
    task has Sentinel-1 bands) the three Sentinel-1 conditions too."""
    out = [
        CLEAN,
        Condition(
            "s2_10m_rgbn",
            keep=("B2", "B3", "B4", "B8"),
            description="10 m bands only = RGB+NIR (NAIP/Planet-like)",
        ),
        Condition("rgb", keep=("B2", "B3", "B4"), description="RGB only"),
        Condition(
            "landsat8_like",
            keep=("B2", "B3", "B4", "B8A", "B11", "B12"),
            description="Landsat-8 OLI-like subset B2,B3,B4,B8A,B11,B12; others absent",
        ),
        Condition(
            "offset_1000", offset_dn=1000.0, description="processing-baseline offset (+1000 DN) left in"
        ),
        Condition("noise", noise_dn=noise_dn, description=f"additive Gaussian noise, sigma {noise_dn:g} DN"),
        Condition(
            f"missing_{missing_band}", drop=(missing_band,), description=f"band {missing_band} missing"
        ),
    ]
    if s1:
        out += [
            Condition("s1_missing", s1_drop=True, description="Sentinel-1 absent (no acquisition); S2 clean"),
            Condition(
                "s1_speckle",
                s1_looks=s1_looks,
                description=f"Sentinel-1 speckle: every S1 value x Gamma({s1_looks:g}, 1/{s1_looks:g}) "
                f"({s1_looks:g}-look multiplicative noise); S2 clean",
            ),
            Condition("s1_only", s2_drop=True, description="every Sentinel-2 band absent (clouds): S1 only"),
        ]
    return out


@dataclass
class Preprocessor:
    """Raw ``(B, C_task, H, W)`` DN → normalised ``(B, C_enc, S, S)`` float32 tensor."""

    mapping: BandMapping
    mean: np.ndarray  # per encoder band, DN
    std: np.ndarray
    input_size: int
    policy: MissingBands = MissingBands.DUPLICATE
    seed: int = 0
    device: str = "cpu"
    _cache: dict[str, BandMapping] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        task_bands: Sequence[str],
        encoder_bands: Sequence[str],
        mean: np.ndarray,
        std: np.ndarray,
        input_size: int,
        policy: MissingBands | str,
        task: str,
    ) -> Preprocessor:
        pol = MissingBands(policy)
        return cls(
            map_bands(task_bands, encoder_bands, pol, task=task),
            np.asarray(mean),
            np.asarray(std),
            input_size,
            pol,
        )

    def mapping_for(self, cond: Condition) -> BandMapping:
        if cond.keep is None and not cond.drop:
            return self.mapping
        if cond.name not in self._cache:
            keep = set(cond.keep if cond.keep is not None else self.mapping.target) - set(cond.drop)
            self._cache[cond.name] = band_subset(self.mapping, sorted(keep), self.policy)
        return self._cache[cond.name]

    def aligned(self, raw: np.ndarray, cond: Condition = CLEAN, batch_seed: int = 0) -> np.ndarray:
        """Perturbed, band-aligned S2 DN (absent bands NaN), before normalisation.

        Offsets and noise are applied after band alignment, so they touch Sentinel-2 values only
        (never Sentinel-1 channels stored after the S2 ones)."""
        if cond.s2_drop:
            m = self.mapping
            return np.full((raw.shape[0], len(m.target), *raw.shape[-2:]), np.nan, dtype=np.float32)
        x = self.mapping_for(cond).apply(raw)
        if cond.offset_dn:
            x += np.float32(cond.offset_dn)
        if cond.noise_dn:
            rng = np.random.default_rng((self.seed, batch_seed))
            x += rng.normal(0.0, cond.noise_dn, size=x.shape).astype(np.float32)
        return x

    def sentinel1(
        self, raw: np.ndarray, n_s2: int, cond: Condition = CLEAN, batch_seed: int = 0
    ) -> np.ndarray:
        """The task's Sentinel-1 channels (stored after its ``n_s2`` S2 channels) under ``cond``;
        absent values NaN."""
        x = raw[:, n_s2:].astype(np.float32, copy=True)
        if cond.s1_drop:
            x[:] = np.nan
        elif cond.s1_looks > 0:
            rng = np.random.default_rng((self.seed, batch_seed, 1))
            x *= rng.gamma(cond.s1_looks, 1.0 / cond.s1_looks, size=x.shape).astype(np.float32)
        return x

    def normalised(self, raw: np.ndarray, cond: Condition = CLEAN, batch_seed: int = 0) -> torch.Tensor:
        """Band-aligned, normalised input at the task's own size, on the CPU (absent bands 0.0)."""
        x = self.aligned(raw, cond, batch_seed)
        x = (x - self.mean[None, :, None, None]) / self.std[None, :, None, None]
        return torch.from_numpy(np.where(np.isfinite(x), x, 0.0).astype(np.float32))

    def resize(self, t: torch.Tensor) -> torch.Tensor:
        """Bilinear resize to the encoder's input size (on the tensor's device)."""
        if t.shape[-1] != self.input_size or t.shape[-2] != self.input_size:
            t = F.interpolate(
                t, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False
            )
        return t

    def __call__(self, raw: np.ndarray, cond: Condition = CLEAN, batch_seed: int = 0) -> torch.Tensor:
        return self.resize(self.normalised(raw, cond, batch_seed).to(self.device))


def resize_labels(labels: np.ndarray, size: int) -> torch.Tensor:
    """Nearest-neighbour resize of ``(B, H, W)`` class maps (-1 kept) to ``size × size``."""
    t = torch.from_numpy(labels.astype(np.int64))
    if t.shape[-1] == size and t.shape[-2] == size:
        return t
    return F.interpolate(t[:, None].float(), size=(size, size), mode="nearest")[:, 0].long()


def band_statistics(split_batches: list[np.ndarray], mapping: BandMapping) -> tuple[np.ndarray, np.ndarray]:
    """Per-encoder-band mean/std (DN) of band-aligned training images; filled bands get their source's."""
    aligned = [mapping.apply(b) for b in split_batches]
    x = np.concatenate([a.transpose(1, 0, 2, 3).reshape(a.shape[1], -1) for a in aligned], axis=1)
    ok = np.isfinite(x)
    count = ok.sum(axis=1)
    xs = np.where(ok, x, 0.0).astype(np.float64)
    mean = np.where(count > 0, xs.sum(axis=1) / np.maximum(count, 1), 0.0)
    var = np.where(
        count > 0, (np.where(ok, xs - mean[:, None], 0.0) ** 2).sum(axis=1) / np.maximum(count, 1), 1.0
    )
    std = np.sqrt(var)
    std = np.where(std > 1e-6, std, 1.0)
    return mean, std
