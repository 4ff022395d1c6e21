"""The llama.cpp backend with the real embedded default model (Qwen2.5-Coder-1.5B Q4_K_M).

Marked `model`: the model is assembled from its PyPI parts and loaded once per session.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_generate import GEMMA_TEMPLATE

from report_rag.errors import ReportRagError
from report_rag.llm import (
    ChatMessage,
    GenerationParams,
    Generator,
    PromptTooLongError,
    describe_configured,
)
from report_rag.llm.assets import DEFAULT_GGUF, EMBEDDED_MODELS
from report_rag.llm.llamacpp import LlamaCppGenerator, template_accepts_system
from report_rag.settings import Settings

SYSTEM_ZH = "你是投资研究助理。只根据给出的段落回答，不要编造；用中文简短回答。"
PASSAGE_ZH = (
    "[1] 华金证券 传媒 行业快报 2024-07-08 第1页\n"
    "Gemma 2 发布，降本提效延展 AI 生态\n投资评级 领先大市-A维持\n"
    "首选股票 评级\n300413 芒果超媒 买入-A\n603444 吉比特 买入-A"
)


def model_settings(tmp_path: Path, models: Path, **overrides) -> Settings:
    return Settings.for_tests(tmp_path, llm_models_dir=models, **overrides)


def _ask(generator: Generator, question: str, passage: str = PASSAGE_ZH, **params) -> list[str]:
    messages = [ChatMessage("system", SYSTEM_ZH), ChatMessage("user", f"{passage}\n\n问题：{question}")]
    return list(generator.stream(messages, GenerationParams(**{"max_new_tokens": 48, **params})))


def test_gemma_style_templates_are_detected_as_having_no_system_role() -> None:
    assert template_accepts_system(None)
    assert not template_accepts_system(GEMMA_TEMPLATE)
    chatml = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
              "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    assert template_accepts_system(chatml)


@pytest.mark.model
def test_default_model_is_assembled_verified_and_described(default_generator: LlamaCppGenerator, models_dir: Path,
                                                          tmp_path: Path) -> None:
    expected = EMBEDDED_MODELS[DEFAULT_GGUF]
    assert default_generator.model_path == models_dir / expected.file_name
    assert default_generator.model_path.stat().st_size == expected.size
    assert default_generator.name == "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf@llama.cpp"
    # Trained context is 32,768; the configured 8,192 is what we budget.
    assert (default_generator.trained_context, default_generator.context_tokens) == (32768, 8192)
    info = describe_configured(model_settings(tmp_path, models_dir))
    assert info["present"] and info["verified"] and info["parts_installed"]
    assert (info["context_tokens"], info["device"], info["architecture"]) == (8192, "cpu", "qwen2")


@pytest.mark.model
def test_chinese_question_over_one_passage_gets_the_rating(default_generator: LlamaCppGenerator) -> None:
    pieces = _ask(default_generator, "这份报告的投资评级是什么？")
    answer = "".join(pieces)
    assert "领先大市" in answer, answer
    assert "买入" not in answer.split("领先大市")[0], answer  # not the stock rating instead
    assert len(pieces) >= 2  # streamed, not one blob


@pytest.mark.model
def test_english_question_and_token_budget(default_generator: LlamaCppGenerator) -> None:
    passage = ("[1] Meridian Securities, TSMC note, 2024-07-19, page 1\n"
               "We reiterate Buy with a target price of NT$1,160 (from NT$1,060).")
    messages = [ChatMessage("system", "Answer only from the passage, briefly."),
                ChatMessage("user", f"{passage}\n\nQuestion: What is the target price?")]
    answer = "".join(default_generator.stream(messages, GenerationParams(max_new_tokens=40)))
    assert "1,160" in answer or "1160" in answer, answer
    assert default_generator.loaded
    # The model's own tokenizer: Qwen's BPE packs a common English word into one token.
    assert default_generator.count_tokens("the") == 1
    assert 0 < default_generator.count_tokens(PASSAGE_ZH) < len(PASSAGE_ZH)


@pytest.mark.model
def test_max_new_tokens_and_stop_strings_are_honoured(default_generator: LlamaCppGenerator) -> None:
    messages = [ChatMessage("user", "Count from 1 to 30, separated by commas.")]
    capped = "".join(default_generator.stream(messages, GenerationParams(max_new_tokens=5)))
    assert 0 < default_generator.count_tokens(capped) <= 5
    full = "".join(default_generator.stream(messages, GenerationParams(max_new_tokens=40)))
    assert "5" in full
    stopped = "".join(default_generator.stream(messages, GenerationParams(max_new_tokens=40, stop=("5",))))
    assert "5" not in stopped and full.startswith(stopped)


@pytest.mark.model
def test_overflow_and_reentry_are_clear_errors(default_generator: LlamaCppGenerator) -> None:
    small = LlamaCppGenerator(default_generator.model_path, requested_context=256, threads=default_generator.threads)
    with pytest.raises(PromptTooLongError) as excinfo:
        next(small.stream([ChatMessage("user", PASSAGE_ZH * 8)], GenerationParams(max_new_tokens=8)))
    assert excinfo.value.prompt_tokens > 256 == excinfo.value.context_tokens
    open_stream = default_generator.stream([ChatMessage("user", "Say hello.")], GenerationParams(max_new_tokens=8))
    next(open_stream)
    with pytest.raises(ReportRagError, match="still open"):
        next(default_generator.stream([ChatMessage("user", "Say hi.")], GenerationParams(max_new_tokens=2)))
    open_stream.close()
    assert "".join(default_generator.stream([ChatMessage("user", "Say hi.")], GenerationParams(max_new_tokens=4)))


@pytest.mark.model
def test_a_cpu_dispatch_build_runs_the_variant_measured_fastest_here(default_generator: LlamaCppGenerator) -> None:
    from report_rag.llm import llamacpp_cpu
    from report_rag.machine import read_choice

    if not llamacpp_cpu.variant_files():
        pytest.skip("this llama-cpp-python is a static build (no CPU variants to choose from)")
    _ask(default_generator, "这份报告的投资评级是什么？", max_new_tokens=4)  # loaded: a variant registered
    variant = default_generator.describe()["cpu_variant"]
    key = llamacpp_cpu._cache_key(llamacpp_cpu.variant_files(), default_generator.threads)
    choice = read_choice(llamacpp_cpu.CACHE_NAME, key)
    assert choice is not None and choice["variant"] == variant
    ran = [t for t in choice["trials"] if t["ok"]]
    assert ran and variant == max(ran, key=lambda t: t["prefill_tps"] + 4 * t["decode_tps"])["variant"]
    assert any(t["variant"] == llamacpp_cpu.BASELINE for t in choice["trials"])  # the AVX2 baseline was tried
