"""Backend ``openai``: any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp server, hosted APIs).

Stdlib only (``urllib``). The prompt lists the signals as facts; vision models may also get a small
RGB preview (PNG data URL). Robustness: per-request timeout, bounded retries with exponential
back-off on timeouts / connection errors / 429 / 5xx / malformed JSON, a process-wide concurrency
limit, and an on-disk response cache keyed by sample key + prompt hash + model + candidate index so a
resumed run does not pay twice. Every failure surfaces as :class:`BackendError` with the reason; the
pipeline turns it into a per-sample outcome.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import random
import struct
import threading
import time
import urllib.error
import urllib.request
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from geomeld.captioning.claims import FAMILIES, LOCATIONS, Claim
from geomeld.captioning.evidence import Evidence
from geomeld.core.errors import GeomeldError
from geomeld.core.sample import Sample

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You write captions for 1.28 km x 1.28 km satellite image tiles. Write one or two fluent English "
    "sentences (at most 60 words) describing the scene. Use ONLY the facts given; never mention objects, "
    "water, relief or land cover that the facts do not state; do not give coordinates or numbers other "
    "than the shares given. Answer with the caption only."
)


JSON_PROMPT = (
    "You write captions for 1.28 km x 1.28 km satellite image tiles. Use ONLY the facts given; never "
    "mention objects, water, relief or land cover that the facts do not state. Answer with one JSON object "
    'and nothing else: {"caption": "<one or two fluent English sentences, at most 60 words>", '
    '"claims": [{"family": "<the fact\'s family>", "subject": "<the fact\'s subject>", '
    '"text": "<the exact words of the caption that state it>", "polarity": "affirmed" or "negated"}, ...]}. '
    "List one claim for every fact the caption states, each with the family and subject written in "
    "brackets before the fact; the caption must state nothing that is not in the claim list."
)


def claims_json_schema() -> dict[str, Any]:
    """The JSON schema of an answer: a caption and its claims (strict-mode compatible: every property
    required, no additional properties)."""
    claim = {
        "type": "object",
        "properties": {
            "family": {"type": "string", "enum": list(FAMILIES)},
            "subject": {"type": "string"},
            "text": {"type": "string"},
            "polarity": {"type": "string", "enum": ["affirmed", "negated"]},
            "label": {"type": ["string", "null"]},
            "location": {"type": ["string", "null"], "enum": [*LOCATIONS, None]},
        },
        "required": ["family", "subject", "text", "polarity", "label", "location"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"caption": {"type": "string"}, "claims": {"type": "array", "items": claim}},
        "required": ["caption", "claims"],
        "additionalProperties": False,
    }


def parse_answer(content: str) -> tuple[str, list[Claim]]:
    """Caption and claims from a JSON answer (code fences and text around the object tolerated).

    Each claim's span is where its ``text`` first occurs in the caption; a claim whose text is not in
    the caption keeps an empty span at 0 and fails the span check downstream. Raises ``ValueError``
    naming what is wrong when the answer is not such an object."""
    t = content.strip()
    start, end = t.find("{"), t.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("answer holds no JSON object")
    try:
        data = json.loads(t[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"answer is not valid JSON ({exc.msg} at char {exc.pos})") from None
    if not isinstance(data, dict) or not isinstance(data.get("caption"), str):
        raise ValueError("answer JSON needs a string 'caption'")
    caption = " ".join(data["caption"].split())
    raw = data.get("claims", [])
    if not isinstance(raw, list):
        raise ValueError("answer JSON 'claims' must be a list")
    claims = []
    for i, c in enumerate(raw):
        if not isinstance(c, dict):
            raise ValueError(f"answer claim {i} is not an object")
        text = " ".join(str(c.get("text", "")).split())
        at = caption.find(text) if text else -1
        try:
            claims.append(
                Claim.from_dict(
                    {
                        **{
                            k: v
                            for k, v in c.items()
                            if k in ("family", "subject", "polarity", "label", "location")
                        },
                        "text": text,
                        "start": max(at, 0),
                        "end": at + len(text) if at >= 0 else 0,
                    }
                )
            )
        except (ValueError, TypeError) as exc:
            raise ValueError(f"answer claim {i}: {exc}") from None
    return caption, claims


class BackendError(GeomeldError, RuntimeError):
    """A captioner backend could not produce (all) candidates; the message says why. ``partial``
    holds the candidates it did receive before or beside the failure (kept by the pipeline)."""

    def __init__(
        self,
        message: str,
        partial: list[str] | None = None,
        partial_claims: list[list[Claim] | None] | None = None,
    ) -> None:
        super().__init__(message)
        self.partial = list(partial or [])
        self.partial_claims = list(partial_claims or [None] * len(self.partial))


class OpenAIConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_url: str = "http://127.0.0.1:8080/v1"
    model: str = "local"
    api_key_env: str | None = "OPENAI_API_KEY"
    timeout_s: float = 60.0
    max_retries: int = 3
    backoff_s: float = 1.0
    backoff_max_s: float = 20.0
    concurrency: int = 4
    temperature: float = 0.8
    max_tokens: int = 160
    vision: bool = False
    cache_dir: str | None = None
    claims: bool = True  # ask for JSON {caption, claims}; False: a plain-text caption
    response_format: Literal["json_schema", "prompt"] = "json_schema"
    """``json_schema``: send the claim schema as ``response_format`` (OpenAI structured outputs,
    llama.cpp, vLLM); a server that rejects it (HTTP 400) is asked again with the strict prompt alone,
    and remembered. ``prompt``: the strict prompt + parser only."""


def facts_text(ev: Evidence, provenance: dict[str, Any] | None = None) -> str:
    """The planned facts (what the signals support, origin-aware) as prompt lines, each tagged with
    its claim family and subject and followed by a phrasing that states exactly it."""
    from geomeld.captioning.plan import plan

    lines = []
    for fact in plan(ev.bundle, provenance).facts:
        tag = ", ".join(f"{c.family}/{c.subject}" + (f"={c.label}" if c.label else "") for c in fact.claims)
        lines.append(f"- [{tag}] {fact.phrases[0].text}")
    return "\n".join(lines) if lines else "- (no reliable facts)"


def _png(rgb: np.ndarray) -> bytes:
    """Encode an (H, W, 3) uint8 array as PNG (stdlib zlib; no imaging library needed)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def rgb_preview(sample: Sample) -> bytes | None:
    """A 2–98 % stretched RGB PNG from NAIP or Sentinel-2 B4/B3/B2; ``None`` without those bands."""
    for key, bands in (("naip", ("R", "G", "B")), ("sentinel2", ("B4", "B3", "B2"))):
        arr = sample.arrays.get(key)
        if arr is None:
            continue
        names = sample.band_names(key)
        if not all(b in names for b in bands):
            continue
        img = np.stack([arr[names.index(b)].astype(np.float32) for b in bands], axis=-1)
        if key == "naip":
            img = img[::10, ::10]
        finite = np.isfinite(img)
        if not finite.any():
            continue
        lo, hi = np.percentile(img[finite], [2, 98])
        scaled = np.clip((np.nan_to_num(img, nan=lo) - lo) / max(hi - lo, 1e-6), 0, 1)
        return _png((scaled * 255).astype(np.uint8))
    return None


_SEMAPHORES: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_SEM_LOCK = threading.Lock()


def _semaphore(url: str, n: int) -> threading.BoundedSemaphore:
    with _SEM_LOCK:
        return _SEMAPHORES.setdefault((url, n), threading.BoundedSemaphore(max(1, n)))


def clean_answer(text: str) -> str:
    """First paragraph, quotes and a leading 'Caption:' removed, whitespace collapsed."""
    t = text.strip()
    for prefix in ("caption:", "Caption:", "CAPTION:"):
        if t.startswith(prefix):
            t = t[len(prefix) :]
    t = t.strip().split("\n\n")[0]
    t = " ".join(t.split()).strip("\"'“”` ")
    return t


class OpenAICompatibleCaptioner:
    name = "openai"

    def __init__(self, config: OpenAIConfig) -> None:
        self.config = config
        self._sem = _semaphore(config.base_url, config.concurrency)
        self.cache_dir = Path(config.cache_dir) if config.cache_dir else None
        self.requests_made = 0
        self._schema_ok = True  # False once the server rejected response_format

    # -- prompt & cache ----------------------------------------------------------------------
    def messages(self, ev: Evidence, sample: Sample | None) -> list[dict[str, Any]]:
        provenance = sample.metadata.provenance if sample is not None else None
        user_text = "Facts about the tile:\n" + facts_text(ev, provenance)
        user_text += "\n\nJSON answer:" if self.config.claims else "\n\nCaption:"
        content: Any = user_text
        if self.config.vision and sample is not None:
            png = rgb_preview(sample)
            if png is not None:
                url = "data:image/png;base64," + base64.b64encode(png).decode()
                content = [
                    {"type": "text", "text": user_text},
                    {"type": "image_url", "image_url": {"url": url}},
                ]
        system = JSON_PROMPT if self.config.claims else SYSTEM_PROMPT
        return [{"role": "system", "content": system}, {"role": "user", "content": content}]

    def cache_key(self, key: str, messages: list[dict[str, Any]], seed: int) -> str:
        h = hashlib.sha256()
        h.update(
            json.dumps(
                [key, self.config.model, self.config.temperature, seed, messages], sort_keys=True
            ).encode()
        )
        return h.hexdigest()

    def _cache_get(self, ck: str) -> str | None:
        if self.cache_dir is None:
            return None
        p = self.cache_dir / ck[:2] / f"{ck}.json"
        if not p.exists():
            return None
        try:
            return str(json.loads(p.read_text())["text"])
        except (OSError, ValueError, KeyError):
            return None

    def _cache_put(self, ck: str, text: str) -> None:
        if self.cache_dir is None:
            return
        p = self.cache_dir / ck[:2] / f"{ck}.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps({"text": text}))
        os.replace(tmp, p)

    # -- HTTP ----------------------------------------------------------------------------------
    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        url = self.config.base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self.config.api_key_env and os.environ.get(self.config.api_key_env):
            headers["Authorization"] = f"Bearer {os.environ[self.config.api_key_env]}"
        req = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
        with self._sem:
            self.requests_made += 1
            with urllib.request.urlopen(req, timeout=self.config.timeout_s) as resp:
                body = resp.read()
        data = json.loads(body.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("response JSON is not an object")
        return data

    def complete(self, messages: list[dict[str, Any]], seed: int) -> str:
        payload: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
            "seed": seed,
        }
        if self.config.claims and self.config.response_format == "json_schema" and self._schema_ok:
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "caption_with_claims",
                    "strict": True,
                    "schema": claims_json_schema(),
                },
            }
        last = "no attempt"
        rng = random.Random(seed)
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                delay = min(self.config.backoff_max_s, self.config.backoff_s * 2 ** (attempt - 1))
                time.sleep(delay * (0.5 + rng.random() / 2))
            try:
                data = self._post(payload)
                text = data["choices"][0]["message"]["content"]
                if not isinstance(text, str):
                    raise ValueError("message content is not a string")
                return text
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code} from {self.config.base_url}"
                if exc.code == 400 and "response_format" in payload:
                    # the server does not take a JSON schema: the strict prompt + parser alone
                    log.warning(
                        "%s rejected response_format (HTTP 400): using the prompt only", self.config.base_url
                    )
                    self._schema_ok = False
                    del payload["response_format"]
                    continue
                if exc.code not in (408, 409, 429) and exc.code < 500:
                    raise BackendError(last) from exc
            except TimeoutError as exc:
                last = f"timeout after {self.config.timeout_s:g} s ({exc})"
            except urllib.error.URLError as exc:
                last = f"connection failed: {exc.reason}"
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                last = f"malformed response: {exc}"
            log.warning("OpenAI-compatible request failed (attempt %d): %s", attempt + 1, last)
        raise BackendError(f"gave up after {self.config.max_retries + 1} attempts: {last}")

    def generate_claims(
        self, key: str, evidence: Evidence, n: int, seed: int = 0, sample: Sample | None = None
    ) -> list[tuple[str, list[Claim] | None]]:
        """``n`` candidates with their claims (``None`` in plain-text mode), requested concurrently
        (at most ``concurrency`` at once). A request that fails after its retries, or an answer that is
        not the JSON asked for, does not discard the others: :class:`BackendError` carries them."""
        messages = self.messages(evidence, sample)

        def one(i: int) -> tuple[str, list[Claim] | None]:
            s = seed * 1000 + i
            ck = self.cache_key(key, messages, s)
            raw = self._cache_get(ck)
            if raw is None:
                raw = self.complete(messages, s)
                self._cache_put(ck, raw)
            if not self.config.claims:
                return clean_answer(raw), None
            try:
                return parse_answer(raw)
            except ValueError as exc:
                raise BackendError(f"candidate {i}: {exc}") from None

        results: list[tuple[str, list[Claim] | None] | BackendError] = []
        if n > 1 and self.config.concurrency > 1:
            with ThreadPoolExecutor(min(n, self.config.concurrency)) as pool:
                futures = [pool.submit(one, i) for i in range(n)]
                for fut in futures:
                    try:
                        results.append(fut.result())
                    except BackendError as exc:
                        results.append(exc)
        else:
            for i in range(n):
                try:
                    results.append(one(i))
                except BackendError as exc:
                    results.append(exc)
        good = [r for r in results if not isinstance(r, BackendError)]
        failures = [r for r in results if isinstance(r, BackendError)]
        if failures:
            raise BackendError(
                f"{len(failures)} of {n} candidate request(s) failed: {failures[0]}",
                partial=[t for t, _ in good],
                partial_claims=[c for _, c in good],
            )
        return good

    def generate(
        self, key: str, evidence: Evidence, n: int, seed: int = 0, sample: Sample | None = None
    ) -> list[str]:
        """The captions of :meth:`generate_claims` (text only)."""
        return [t for t, _ in self.generate_claims(key, evidence, n, seed, sample)]
