"""The OpenAI-compatible backend against a real server: llama-cpp-python's, on localhost,
serving the small embedded model (Qwen2.5-Coder-0.5B). No mocks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from report_rag.errors import ServerError
from report_rag.llm import ChatMessage, GenerationParams, create_generator, describe_configured
from report_rag.llm.assets import EMBEDDED_MODELS, assemble
from report_rag.llm.openai_compat import OpenAIGenerator, _sse_content, estimate_tokens
from report_rag.settings import Settings

MODEL_ALIAS = "qwen-small"
API_KEY = "test-key-123"
SERVER_CONTEXT = 2048


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def small_gguf(tmp_path_factory) -> Path:
    return assemble(EMBEDDED_MODELS["qwen2.5-coder-0.5b"], tmp_path_factory.getbasetemp() / "llm-models")


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory, small_gguf: Path) -> str:
    """`python -m llama_cpp.server` on 127.0.0.1:<free port>; yields its /v1 base URL. Started
    through llm/llamacpp_cpu.py, so a CPU-dispatch build runs the variant measured here."""
    pytest.importorskip("llama_cpp.server", reason="needs report-rag[llm-server]")
    gguf = small_gguf
    port = _free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [
        sys.executable, "-m", "report_rag.llm.llamacpp_cpu", "run", "llama_cpp.server",
        "--model", str(gguf), "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(SERVER_CONTEXT),
        "--api_key", API_KEY, "--verbose", "false",
    ]
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(process, port, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process: subprocess.Popen, port: int, log: Path, timeout_s: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1,
                         headers={"Authorization": f"Bearer {API_KEY}"}).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"llama_cpp.server did not come up in {timeout_s}s:\n{log.read_text()[-2000:]}")


def openai_settings(tmp_path: Path, base_url: str, **overrides) -> Settings:
    values = {"llm_backend": "openai", "llm_openai_base_url": base_url, "llm_openai_model": MODEL_ALIAS,
              "llm_openai_api_key": API_KEY, "llm_context_tokens": SERVER_CONTEXT}
    return Settings.for_tests(tmp_path, **{**values, **overrides})


# -- without a server ------------------------------------------------------------------------


def test_sse_parsing_skips_noise_and_stops_at_done() -> None:
    lines = [
        ": keep-alive", "", 'data: {"choices":[{"delta":{"role":"assistant"}}]}',
        'data: {"choices":[{"delta":{"content":"领先"}}]}', "event: ignored",
        'data: {"choices":[{"delta":{"content":"大市"}}]}', 'data: {"choices":[]}',
        "data: [DONE]", 'data: {"choices":[{"delta":{"content":"after done"}}]}',
    ]
    assert list(_sse_content(iter(lines))) == ["领先", "大市"]
    with pytest.raises(ServerError, match="mid-stream"):
        list(_sse_content(iter(['data: {"error": {"message": "boom"}}'])))


def test_token_estimate_errs_on_the_high_side() -> None:
    assert estimate_tokens("投资评级") == 4
    assert estimate_tokens("target price") >= 3


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{_free_port()}/v1"  # nothing listens there
    info = describe_configured(openai_settings(tmp_path, base))
    assert info["present"] is False and "unreachable" in info["error"]
    generator = create_generator(openai_settings(tmp_path, base))
    with pytest.raises(ServerError, match="127.0.0.1"):
        list(generator.stream([ChatMessage("user", "hi")], GenerationParams(max_new_tokens=4)))
    assert generator.count_tokens("投资评级 target") == estimate_tokens("投资评级 target")


# -- against llama_cpp.server ----------------------------------------------------------------


@pytest.mark.model
def test_streams_an_answer_from_the_server(llama_server: str, tmp_path: Path) -> None:
    generator = create_generator(openai_settings(tmp_path, llama_server))
    assert isinstance(generator, OpenAIGenerator) and generator.name == f"{MODEL_ALIAS}@openai"
    messages = [
        ChatMessage("system", "Answer only from the passage, briefly."),
        ChatMessage("user", "[1] Harbourline, Tencent note, page 2: We keep Buy with a target price of HK$520.\n\n"
                            "Question: What is the target price?"),
    ]
    pieces = list(generator.stream(messages, GenerationParams(max_new_tokens=32)))
    assert len(pieces) >= 2, pieces  # really streamed
    assert "520" in "".join(pieces)


@pytest.mark.model
def test_server_limits_stops_and_token_counts(llama_server: str, small_gguf: Path, tmp_path: Path) -> None:
    from llama_cpp import Llama

    generator = create_generator(openai_settings(tmp_path, llama_server))
    messages = [ChatMessage("user", "Count from 1 to 20, separated by commas.")]
    full = "".join(generator.stream(messages, GenerationParams(max_new_tokens=30)))
    assert "4" in full
    stopped = "".join(generator.stream(messages, GenerationParams(max_new_tokens=30, stop=("4",))))
    assert "4" not in stopped and full.startswith(stopped)
    # Token counts come from the server's own tokenizer, i.e. the model's.
    vocab = Llama(str(small_gguf), vocab_only=True, verbose=False)
    text = "投资评级 领先大市-A维持; target price HK$520"
    assert generator.count_tokens(text) == len(vocab.tokenize(text.encode(), add_bos=False, special=True))
    assert generator.describe()["token_count"] == "llama-cpp-python /extras/tokenize/count"
    assert generator.context_tokens == SERVER_CONTEXT


@pytest.mark.model
def test_describe_and_auth(llama_server: str, tmp_path: Path) -> None:
    info = describe_configured(openai_settings(tmp_path, llama_server))
    assert info["present"] is True and info["model"] == MODEL_ALIAS and info["device"] == "server"
    wrong_key = create_generator(openai_settings(tmp_path, llama_server, llm_openai_api_key="wrong"))
    with pytest.raises(ServerError, match="401"):
        list(wrong_key.stream([ChatMessage("user", "hi")], GenerationParams(max_new_tokens=4)))
    assert describe_configured(openai_settings(tmp_path, llama_server, llm_openai_model="other"))["present"] is False
