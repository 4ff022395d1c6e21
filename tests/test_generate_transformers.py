"""The transformers backend on a tiny, randomly initialised Gemma 2 (no GPU, no hub).

The model has the real Gemma 2 architecture — alternating sliding-window / global layers,
attention and final logit soft-capping — at toy size, with a sliding window (8) far shorter
than the test prompts, so the window changes results and a broken window shows.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from test_generate import GEMMA_TEMPLATE  # noqa: E402

from report_rag.errors import ConfigError, ReportRagError  # noqa: E402
from report_rag.llm import (  # noqa: E402
    ChatMessage,
    GenerationParams,
    PromptTooLongError,
    create_generator,
    describe_configured,
)
from report_rag.llm.hf_transformers import TransformersGenerator, choose_attn_implementation  # noqa: E402
from report_rag.settings import Settings  # noqa: E402

WINDOW = 8
TRAINED_CONTEXT = 256
SENTENCES = [
    "the report rates the stock outperform with a target price of twelve dollars",
    "risks include weaker demand lower prices and slower capacity expansion",
    "the analyst expects revenue growth and margin recovery next year",
    "answer the question using only the passages and cite the page",
    "semiconductor equipment orders rose while memory prices stabilised",
    "investment rating leading the market maintained buy hold sell",
]
LONG_QUESTION = (
    "the analyst expects revenue growth and margin recovery next year while risks include weaker "
    "demand lower prices and slower capacity expansion what is the investment rating"
)


def _build_tokenizer(directory: Path):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    specials = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"]
    tokenizer = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(SENTENCES + ["user model system"], trainers.WordLevelTrainer(special_tokens=specials))
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>",
        unk_token="<unk>", additional_special_tokens=["<start_of_turn>", "<end_of_turn>"],
    )
    fast.chat_template = GEMMA_TEMPLATE
    fast.save_pretrained(directory)
    return fast


@pytest.fixture(scope="session")
def tiny_gemma(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("tiny-gemma2")
    tokenizer = _build_tokenizer(directory)
    config = transformers.Gemma2Config(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, head_dim=16,
        max_position_embeddings=TRAINED_CONTEXT, sliding_window=WINDOW,
        attn_logit_softcapping=50.0, final_logit_softcapping=30.0,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    assert config.layer_types == ["sliding_attention", "full_attention"]
    torch.manual_seed(0)
    model = transformers.Gemma2ForCausalLM(config)
    # Random init leaves the RMSNorm scales at zero ("1 + w"); spread weights out so the
    # toy model's outputs depend visibly on what each layer attends to.
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0.0, 0.5)
    model.save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def generator(tiny_gemma: Path) -> TransformersGenerator:
    return TransformersGenerator(str(tiny_gemma), device="cpu")


def _messages(question: str = LONG_QUESTION) -> list[ChatMessage]:
    return [ChatMessage("system", "answer the question using only the passages"), ChatMessage("user", question)]


def test_context_budget_and_tokens_come_from_the_model(generator: TransformersGenerator, tiny_gemma: Path) -> None:
    assert generator.context_tokens == TRAINED_CONTEXT  # config caps the 8,192 requested
    assert TransformersGenerator(str(tiny_gemma), device="cpu", requested_context=100).context_tokens == 100
    # The model's own tokenizer counts: one word-level token per word here.
    assert generator.count_tokens("the report rates the stock") == 5
    assert not generator.loaded  # counting needs no weights


def test_soft_capped_model_gets_eager_attention_and_refuses_sdpa(generator: TransformersGenerator) -> None:
    model = generator.load()
    assert generator.attn_implementation == "eager"
    assert model.config._attn_implementation == "eager"
    with pytest.raises(ConfigError, match="soft-capping"):
        choose_attn_implementation(model.config, "sdpa")
    assert choose_attn_implementation(transformers.LlamaConfig(), "auto") is None
    has_flash = importlib.util.find_spec("flash_attn") is not None
    assert choose_attn_implementation(model.config, "auto", "cuda") == ("flash_attention_2" if has_flash else "eager")


def test_cache_has_sliding_layers_where_the_config_has_them(generator: TransformersGenerator) -> None:
    cache = generator.new_cache()
    assert [layer.is_sliding for layer in cache.layers] == [True, False]
    ids = generator.encode_chat(_messages())
    assert ids.shape[1] > 3 * WINDOW
    with torch.no_grad():
        generator.load()(input_ids=ids, **{generator._cache_argument: cache})
    # The sliding layer keeps only the window; the global layer keeps everything.
    assert cache.layers[0].keys.shape[-2] <= WINDOW < ids.shape[1] == cache.layers[1].keys.shape[-2]


def test_the_sliding_window_changes_the_logits(generator: TransformersGenerator, tiny_gemma: Path) -> None:
    ids = generator.encode_chat(_messages())
    windowed = generator.load()
    unwindowed = transformers.Gemma2ForCausalLM.from_pretrained(
        tiny_gemma, sliding_window=4096, attn_implementation="eager", dtype=torch.float32
    ).eval()
    with torch.no_grad():
        a = windowed(input_ids=ids).logits[0]
        b = unwindowed(input_ids=ids).logits[0]
    # Inside the first window both models see the same keys: identical logits.
    assert torch.allclose(a[:WINDOW], b[:WINDOW], atol=1e-5)
    # Past it, the sliding layer sees only the last 8 tokens: the logits must move.
    assert (a[-1] - b[-1]).abs().max() > 1e-2


def test_streamed_greedy_answer_matches_uncached_decoding(generator: TransformersGenerator) -> None:
    """Decoding through the sliding cache, past the window, equals recomputing from scratch."""
    messages = _messages()
    pieces = list(generator.stream(messages, GenerationParams(max_new_tokens=12)))
    assert len(pieces) >= 2, "streaming should yield several pieces"
    model = generator.load()
    ids = generator.encode_chat(messages)
    eos = generator.tokenizer.eos_token_id
    with torch.no_grad():
        for _ in range(12):
            next_id = model(input_ids=ids, use_cache=False).logits[0, -1].argmax()
            if next_id.item() == eos:
                break
            ids = torch.cat([ids, next_id.view(1, 1)], dim=1)
    prompt_len = generator.encode_chat(messages).shape[1]
    expected = generator.tokenizer.decode(ids[0, prompt_len:], skip_special_tokens=True)
    assert "".join(pieces).split() == expected.split()


def test_system_prompt_is_folded_into_the_first_user_turn(generator: TransformersGenerator) -> None:
    assert not generator._system_role  # the Gemma template raises on a system role
    ids = generator.encode_chat([ChatMessage("system", "cite the page"), ChatMessage("user", "risks include weaker demand")])
    text = generator.tokenizer.decode(ids[0])
    assert text.count("<start_of_turn>") == 2  # user turn + generation prompt, no system turn
    assert text.index("cite the page") < text.index("risks include weaker demand") < text.rindex("model")


def test_stop_strings_and_early_exit(generator: TransformersGenerator) -> None:
    full = "".join(generator.stream(_messages(), GenerationParams(max_new_tokens=10)))
    words = full.split()
    assert len(words) >= 3
    stop = words[2]
    cut = "".join(generator.stream(_messages(), GenerationParams(max_new_tokens=10, stop=(stop,))))
    assert stop not in cut and full.startswith(cut.rstrip())
    # An open stream blocks a second one from the same thread with an error, not a deadlock;
    # closing it mid-way stops decoding and frees the model.
    stream = generator.stream(_messages(), GenerationParams(max_new_tokens=50))
    next(stream)
    with pytest.raises(ReportRagError, match="still open"):
        next(generator.stream(_messages(), GenerationParams(max_new_tokens=2)))
    stream.close()
    assert not generator._gate.busy
    assert list(generator.stream(_messages(), GenerationParams(max_new_tokens=2)))


def test_a_prompt_over_the_context_budget_is_refused(tiny_gemma: Path) -> None:
    small = TransformersGenerator(str(tiny_gemma), device="cpu", requested_context=16)
    with pytest.raises(PromptTooLongError) as excinfo:
        next(small.stream(_messages(), GenerationParams(max_new_tokens=4)))
    assert excinfo.value.context_tokens == 16 and excinfo.value.prompt_tokens > 16


def test_settings_select_the_backend_and_describe_without_loading(tiny_gemma: Path, tmp_path: Path) -> None:
    settings = Settings.for_tests(tmp_path, llm_backend="transformers", llm_hf_model=str(tiny_gemma), llm_device="cpu")
    info = describe_configured(settings)
    assert info["present"] and not info["loaded"]
    assert (info["context_tokens"], info["sliding_window"], info["attn_implementation"]) == (TRAINED_CONTEXT, WINDOW, "eager")
    assert info["device"] == "cpu"
    gen = create_generator(settings)
    assert isinstance(gen, TransformersGenerator) and not gen.loaded
    missing = Settings.for_tests(tmp_path, llm_backend="transformers", llm_hf_model=str(tmp_path / "nope"))
    assert describe_configured(missing)["present"] is False
