"""GeoMeld-FM: the online encoder, MP-MAE decoders, conv-JEPA and ITC composed into one objective.

``L = L_MPMAE + α · L_JEPA + β · L_ITC``. One masked forward pass of the online encoder gives the
latent ``Z`` that feeds the decoders (MP-MAE), the predictor (JEPA context) and the pooled vision
embedding (ITC). The EMA target encoder lives in this module (``target_encoder``, no gradients) so
that checkpoints carry it; its update is :func:`geomeld.models.jepa.ema_update`, called by the engine.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Protocol

import torch
from torch import Tensor, nn

from geomeld.core.distributed import global_mean, world_size
from geomeld.core.modalities import MODALITIES, Task, encoder_input
from geomeld.models.convnextv2 import ConvNeXtV2
from geomeld.models.decoders import MultiPretextDecoders
from geomeld.models.itc import ITCHead, itc_loss
from geomeld.models.jepa import ConvPredictor, jepa_loss, jepa_targets
from geomeld.models.losses import LossWeighting, modality_loss


class PretrainConfig(Protocol):
    """The sections of :class:`geomeld.training.config.PretrainConfig` the model reads (``encoder``, ``mp``,
    ``jepa``, ``itc``). Typed structurally so that ``models`` does not import ``training`` (no cycle)."""

    @property
    def encoder(self) -> Any: ...

    @property
    def mp(self) -> Any: ...

    @property
    def jepa(self) -> Any: ...

    @property
    def itc(self) -> Any: ...


def build_encoder(cfg: PretrainConfig) -> ConvNeXtV2:
    e = cfg.encoder
    return ConvNeXtV2(
        size=e.size,
        in_chans=encoder_input().num_bands,
        patch_size=e.patch_size,
        drop_path_rate=e.drop_path,
        depths=tuple(e.depths) if e.depths else None,
        dims=tuple(e.dims) if e.dims else None,
    )


class GeoMeldFM(nn.Module):
    def __init__(self, cfg: PretrainConfig, text_dim: int | None = None) -> None:
        super().__init__()
        self.cfg = cfg
        self.input_key = encoder_input().key
        self.encoder = build_encoder(cfg)
        self.targets = [MODALITIES[k] for k in cfg.mp.target_keys()]
        self.decoders = MultiPretextDecoders(
            self.targets,
            encoder_dim=self.encoder.num_features,
            patch_size=cfg.encoder.patch_size,
            dim=cfg.mp.decoder_dim,
            depth=cfg.mp.decoder_depth,
            shared_blocks=cfg.mp.shared_blocks,
        )
        self.weighting = LossWeighting([m.key for m in self.targets], cfg.mp.weighting, cfg.mp.weights)
        self.target_encoder: ConvNeXtV2 | None = None
        self.predictor: ConvPredictor | None = None
        if cfg.jepa.enabled:
            self.predictor = ConvPredictor(
                self.encoder.num_features, cfg.jepa.predictor_dim, cfg.jepa.predictor_depth
            )
            self.target_encoder = copy.deepcopy(self.encoder)
            for p in self.target_encoder.parameters():
                p.requires_grad_(False)
        self.itc: ITCHead | None = None
        if cfg.itc.enabled:
            if text_dim is None:
                raise ValueError("ITC is enabled: pass the text encoder's embedding width (text_dim)")
            self.itc = ITCHead(
                self.encoder.num_features, text_dim, cfg.itc.embed_dim, cfg.itc.temperature_init
            )
        self.beta_scale = 1.0  # the engine's β warm-up factor (β_effective = itc.beta · beta_scale)
        self.branch_losses: dict[str, Tensor] = {}  # last forward's weighted branch losses (with graph)

    def train(self, mode: bool = True) -> GeoMeldFM:
        super().train(mode)
        if self.target_encoder is not None:
            self.target_encoder.eval()  # no stochastic depth in the target branch
        return self

    def forward(
        self,
        batch: Mapping[str, Any],
        mask: Tensor,
        text: Tensor | None = None,
        has_text: Tensor | None = None,
    ) -> tuple[Tensor, dict[str, Tensor]]:
        """Total loss and its detached terms for one (micro-)batch under ``mask`` (True = hidden)."""
        x = batch[self.input_key]
        z = self.encoder.forward_features(x, mask)[-1]
        preds = self.decoders(z, mask)
        losses: dict[str, Tensor] = {}
        active: dict[str, Tensor] = {}
        terms: dict[str, Tensor] = {}
        for m in self.targets:
            norm_pix = self.cfg.mp.norm_pix_loss and m.task is Task.INPUT_AND_REGRESSION
            total_k, count_k = modality_loss(
                m, preds[m.key], batch, mask, self.cfg.encoder.patch_size, norm_pix
            )
            losses[m.key], n_k = global_mean(total_k, count_k)
            active[m.key] = n_k > 0
            terms[f"mp/{m.key}"] = losses[m.key].detach()
        loss = self.weighting(losses, active)
        terms["mp"] = loss.detach()
        branches = {"mp": loss}
        if self.predictor is not None and self.target_encoder is not None:
            with torch.no_grad():
                view = ~mask if self.cfg.jepa.target_view == "complement" else None
                target = jepa_targets(self.target_encoder.forward_features(x, view)[-1])
            pred = self.predictor(z, mask)
            l_jepa, _ = global_mean(*jepa_loss(pred, target, mask))
            terms["jepa"] = l_jepa.detach()
            branches["jepa"] = self.cfg.jepa.alpha * l_jepa
            loss = loss + branches["jepa"]
        if self.itc is not None:
            if text is None or has_text is None:
                raise ValueError("ITC is enabled but no caption embeddings were passed")
            img, txt = self.itc(self.encoder.pool(z, mask), text.to(x.device))
            total_itc, n_pairs = itc_loss(img, txt, has_text, self.itc.logit_scale)
            l_itc = total_itc * world_size() / n_pairs.clamp_min(1.0)
            terms["itc"] = l_itc.detach()
            terms["itc_pairs"] = n_pairs.detach()
            branches["itc"] = self.cfg.itc.beta * self.beta_scale * l_itc
            loss = loss + branches["itc"]
        terms["loss"] = loss.detach()
        self.branch_losses = branches
        return loss, terms
