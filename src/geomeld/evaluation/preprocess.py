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
    """One input condition. Bands outside ``keep`` (when given) and in ``drop`` are absent."""

    name: str
    keep: tuple[str, ...] | None = None
    drop: tuple[str, ...] = ()
    offset_dn: float = 0.0
    noise_dn: float = 0.0
    description: str = ""

    def is_clean(self) -> bool:
        return self.keep is None and not self.drop and self.offset_dn == 0 and self.noise_dn == 0


CLEAN = Condition("clean", description="the task's own input")


def standard_conditions(noise_dn: float = 100.0, missing_band: str = "B8") -> list[Condition]:
    """The published robustness protocol (documented in :mod:`geomeld.evaluation`)."""
    return [
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
        """Perturbed, band-aligned DN (absent bands NaN), before normalisation."""
        x = raw.astype(np.float32, copy=True)
        if cond.offset_dn:
            x = x + np.float32(cond.offset_dn)
        if cond.noise_dn:
            rng = np.random.default_rng((self.seed, batch_seed))
            x = x + rng.normal(0.0, cond.noise_dn, size=x.shape).astype(np.float32)
        return self.mapping_for(cond).apply(x)

    def __call__(self, raw: np.ndarray, cond: Condition = CLEAN, batch_seed: int = 0) -> torch.Tensor:
        x = self.aligned(raw, cond, batch_seed)
        x = (x - self.mean[None, :, None, None]) / self.std[None, :, None, None]
        x = np.where(np.isfinite(x), x, 0.0).astype(np.float32)
        t = torch.from_numpy(x).to(self.device)
        if t.shape[-1] != self.input_size or t.shape[-2] != self.input_size:
            t = F.interpolate(
                t, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False
            )
        return t


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
