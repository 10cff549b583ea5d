"""The OpenAI-compatible backend against a misbehaving loopback server (fast suite)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from caption_fixtures import load_samples
from geomeld.captioning.evidence import Evidence
from geomeld.captioning.openai_compat import (
    BackendError,
    OpenAICompatibleCaptioner,
    OpenAIConfig,
    clean_answer,
    parse_answer,
    rgb_preview,
)
from geomeld.captioning.pipeline import CaptionConfig, CaptionPipeline
from geomeld.signals import compute_signals

GOOD = "A hilly landscape with forest, grassland and a valley."


def _claim(family: str, subject: str, text: str) -> dict[str, Any]:
    return {
        "family": family,
        "subject": subject,
        "text": text,
        "polarity": "affirmed",
        "label": None,
        "location": None,
    }


GOOD_CLAIMS = [
    _claim("terrain", "hilly", "hilly"),
    _claim("landcover_presence", "trees", "forest"),
    _claim("landcover_presence", "grassland", "grassland"),
    _claim("terrain", "valley", "valley"),
]
GOOD_JSON = json.dumps({"caption": GOOD, "claims": GOOD_CLAIMS})


class _Server(BaseHTTPRequestHandler):
    script: ClassVar[list[str]] = []  # per request: ok, 500, 400, noschema, slow, badjson, nochoices, text:…
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        type(self).seen.append(body)
        mode = type(self).script.pop(0) if type(self).script else "ok"
        if mode == "noschema":  # a server without structured outputs: 400 when asked for a schema
            mode = "400" if "response_format" in body else "ok"
        if mode == "slow":
            time.sleep(1.0)
            mode = "ok"
        if mode in ("500", "400", "429"):
            self.send_response(int(mode))
            self.end_headers()
            self.wfile.write(b"error")
            return
        if mode == "badjson":
            payload = b"{not json"
        elif mode == "nochoices":
            payload = json.dumps({"object": "chat.completion"}).encode()
        else:
            plain = "response_format" not in body and "JSON answer" not in str(
                body["messages"][-1]["content"]
            )
            text = mode[5:] if mode.startswith("text:") else (GOOD if plain else GOOD_JSON)
            # the recorded shape of an OpenAI / llama.cpp chat.completion response
            payload = json.dumps(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1700000000,
                    "model": body.get("model", "local"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160},
                }
            ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Server.script, _Server.seen = [], []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def slovenia():  # type: ignore[no-untyped-def]
    samples = load_samples()
    s = samples["slovenia"]  # the DEM + land-cover fixture, given imagery so that it is captioned
    s.arrays["sentinel2"] = samples["bigearthnet"].arrays["sentinel2"]
    return s, Evidence.from_bundle(compute_signals(s))


def _cfg(url: str, tmp: Path | None = None, **kw: object) -> OpenAIConfig:
    base = {"base_url": url, "timeout_s": 0.5, "max_retries": 2, "backoff_s": 0.01, "api_key_env": None}
    return OpenAIConfig(**{**base, "cache_dir": str(tmp) if tmp else None, **kw})  # type: ignore[arg-type]


def test_prompt_holds_the_signals_and_cache_avoids_repeat_requests(
    server: str, tmp_path: Path, slovenia
) -> None:  # type: ignore[no-untyped-def]
    sample, ev = slovenia
    backend = OpenAICompatibleCaptioner(_cfg(server, tmp_path))
    out = backend.generate(sample.key, ev, 2, seed=0, sample=sample)
    assert out == [GOOD, GOOD] and backend.requests_made == 2
    user = _Server.seen[0]["messages"][1]["content"]
    assert "[terrain/hilly] hilly" in user and "[season/summer]" in user and "trees" in user
    assert _Server.seen[0]["response_format"]["type"] == "json_schema"
    again = OpenAICompatibleCaptioner(_cfg(server, tmp_path))
    assert again.generate(sample.key, ev, 2, seed=0, sample=sample) == out and again.requests_made == 0


def test_retries_500_timeouts_and_malformed_json_then_succeeds(server: str, slovenia) -> None:  # type: ignore[no-untyped-def]
    sample, ev = slovenia
    _Server.script = ["500", "slow", "badjson"]  # three failures, the 4th attempt succeeds
    backend = OpenAICompatibleCaptioner(_cfg(server, max_retries=3))
    assert backend.generate(sample.key, ev, 1, seed=0) == [GOOD]
    assert backend.requests_made == 4


def test_gives_up_with_a_clear_error(server: str, slovenia) -> None:  # type: ignore[no-untyped-def]
    sample, ev = slovenia
    _Server.script = ["nochoices"] * 3
    with pytest.raises(BackendError, match="malformed response"):
        OpenAICompatibleCaptioner(_cfg(server)).generate(sample.key, ev, 1)
    _Server.script = ["400"]
    backend = OpenAICompatibleCaptioner(_cfg(server, claims=False))
    with pytest.raises(BackendError, match="HTTP 400"):
        backend.generate(sample.key, ev, 1)
    assert backend.requests_made == 1  # client errors are not retried
    dead = OpenAICompatibleCaptioner(_cfg("http://127.0.0.1:9/v1", max_retries=1))
    with pytest.raises(BackendError, match=r"connection failed|timeout"):
        dead.generate(sample.key, ev, 1)


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        (["500"] * 20, "backend_error"),
        (["text:"] * 20, "unverified"),  # empty answers
        (["text:Ein dichter Wald bedeckt die steilen Hügel, dazwischen liegen Wiesen."] * 20, "unverified"),
        (["text:" + "Dense forest covers the hills and a valley. " * 12] * 20, "unverified"),  # too long
        (["text:A large lake and a solar farm dominate this flat plain."] * 20, "unverified"),  # all false
        (['text:Caption: "' + GOOD + '"'], "verified"),
    ],
)
def test_pipeline_outcome_per_sample_never_marks_bad_answers_verified(
    server: str, slovenia, answers, status
) -> None:  # type: ignore[no-untyped-def]
    sample, _ = slovenia
    _Server.script = list(answers)
    cfg = CaptionConfig(
        backend="openai", n_candidates=2, max_rounds=2, openai=_cfg(server, max_retries=1, claims=False)
    )
    out = CaptionPipeline(cfg).caption(sample)
    assert out.status == status, out.report
    if status != "verified":
        assert out.caption is None and out.report["reason"]
    if status == "unverified":
        assert any(
            w in out.report["reason"] for w in ("too short", "not English", "too long", "contradicted")
        )
    if status == "verified":
        assert out.caption == GOOD


def test_concurrency_limit_is_respected(server: str, slovenia) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    _, ev = slovenia
    _Server.script = ["slow"] * 4
    backend = OpenAICompatibleCaptioner(_cfg(server, timeout_s=5, concurrency=2))
    t0 = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: backend.generate(f"k{i}", ev, 1), range(4)))
    assert time.perf_counter() - t0 >= 1.9  # 4 one-second answers, two at a time


def test_clean_answer_and_preview(slovenia) -> None:  # type: ignore[no-untyped-def]
    assert clean_answer('Caption: "A flat plain."\n\nExplanation: ...') == "A flat plain."
    big = load_samples()["bigearthnet"]
    png = rgb_preview(big)
    assert png is not None and png.startswith(b"\x89PNG") and len(png) > 1000
    assert rgb_preview(load_samples()["slovenia"]) is None  # no optical bands


@pytest.mark.parametrize("concurrency", [1, 3])
def test_candidates_received_survive_one_failed_request(server: str, slovenia, concurrency: int) -> None:  # type: ignore[no-untyped-def]
    sample, ev = slovenia
    _Server.script = ["ok", "500", "ok"]  # no retries: that candidate is lost, not the others
    backend = OpenAICompatibleCaptioner(_cfg(server, concurrency=concurrency, timeout_s=10, max_retries=0))
    with pytest.raises(BackendError, match="1 of 3 candidate request") as info:
        backend.generate(sample.key, ev, 3)
    assert info.value.partial == [GOOD, GOOD] and backend.requests_made == 3
    _Server.script = ["500", "ok", "ok"]
    cfg = CaptionConfig(
        backend="openai",
        n_candidates=3,
        max_rounds=1,
        openai=_cfg(server, concurrency=concurrency, timeout_s=10, max_retries=0),
    )
    out = CaptionPipeline(cfg).caption(sample)
    assert out.status == "verified" and out.caption == GOOD
    assert len(out.report["candidates"]) == 2 and "1 of 3" in out.report["errors"][0]


def test_json_answers_carry_claims_that_are_checked_and_bound_the_text(server: str, slovenia) -> None:  # type: ignore[no-untyped-def]
    sample, _ = slovenia
    cfg = CaptionConfig(backend="openai", n_candidates=1, max_rounds=1, openai=_cfg(server))
    out = CaptionPipeline(cfg).caption(sample)
    assert out.status == "verified" and out.caption == GOOD, out.report
    stored = out.report["claims"]
    assert stored["version"] == "geomeld-claims-1" and stored["caption"] == GOOD
    assert {(c["family"], c["subject"]) for c in stored["claims"]} >= {
        ("terrain", "hilly"),
        ("terrain", "valley"),
    }
    assert all(GOOD[c["start"] : c["end"]] == c["text"] for c in stored["claims"])
    # the text says "valley" but the claim list does not: not verified (text ⊆ claims)
    short = json.dumps({"caption": GOOD, "claims": GOOD_CLAIMS[:3]})
    # a claim the signals contradict: not verified either
    flat = json.dumps(
        {
            "caption": "A flat landscape with forest.",
            "claims": [_claim("terrain", "flat", "flat"), GOOD_CLAIMS[1]],
        }
    )
    for answer in (short, flat):
        _Server.script = ["text:" + answer]
        out = CaptionPipeline(cfg).caption(sample)
        assert out.status == "unverified", out.report


def test_a_server_without_json_schema_is_asked_with_the_prompt_alone(server: str, slovenia) -> None:  # type: ignore[no-untyped-def]
    sample, ev = slovenia
    _Server.script = ["noschema", "noschema", "noschema"]
    backend = OpenAICompatibleCaptioner(_cfg(server))
    assert backend.generate_claims(sample.key, ev, 1) == [(GOOD, parse_answer(GOOD_JSON)[1])]
    assert [("response_format" in b) for b in _Server.seen] == [True, False]
    backend.generate_claims("other", ev, 1)
    assert "response_format" not in _Server.seen[-1]  # remembered


def test_parse_answer_tolerates_fences_and_rejects_what_is_not_the_schema() -> None:
    caption, claims = parse_answer("```json\n" + GOOD_JSON + "\n```")
    assert caption == GOOD and [c.text for c in claims] == ["hilly", "forest", "grassland", "valley"]
    assert claims[1].start == GOOD.index("forest")
    for bad, msg in (
        ("no json here", "no JSON object"),
        ('{"caption": 3}', "string 'caption'"),
        ('{"caption": "x", "claims": {}}', "must be a list"),
        ('{"caption": "x", "claims": [{"family": "weather", "subject": "rain"}]}', "claim 0"),
    ):
        with pytest.raises(ValueError, match=msg):
            parse_answer(bad)
