"""GPU benchmark, for when a GPU machine is lent: Gemma 2 9B through the transformers backend,
FAISS (or torch) search at 1M vectors, and the e5 encoder on CUDA. One JSON line at the end.

* **Gemma 2 9B** — the real architecture and size (42 layers, hidden 3584, 16 heads / 8 KV
  heads of 256, 256k vocabulary, a 4,096-token sliding window on every other layer, attention
  and final logit soft-capping) with random bf16 weights built on the GPU, answered through
  report_rag's `TransformersGenerator.stream` (chat template, sliding-window cache, streaming)
  on an ~8k-token prompt: prefill tokens/s (prompt / time to first token) and decode tokens/s.
  The sliding window is checked where it lives: after the 8k prompt the cache's sliding layers
  hold at most 4,096 positions and the global layers all of them.
* **Vector search at 1M** — 1M x 384 unit vectors, 1,000 queries, top 10: FAISS on the GPU
  when faiss-gpu is installed, and torch's matmul + topk always (the same exact search).
* **e5 on CUDA** — report_rag's E5Encoder over a random checkpoint of multilingual-e5-small's
  shape, bf16, batches of 64 x 300 tokens: chunks/s, and the vectors' cosine to transformers'
  own BertModel on the same weights.

Nothing is downloaded: the weights are random and the tokenizer is a byte tokenizer built here
(one token per byte, so an 8,000-byte prompt is 8,000 tokens). On the device machine the image
has torch and transformers; report_rag's settings also need pydantic-settings, carried as
wheels (see /work/.library/device/README.md; the list is in `CARRY` below):

    python bench/gpu.py                 # on the GPU machine, < 5 minutes
    python bench/gpu.py --tiny          # the same code at toy size on a CPU (CI's check)
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CARRY = ["pydantic", "pydantic-core", "pydantic-settings", "annotated-types", "typing-inspection", "python-dotenv"]
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
    "{% endif %}{% for message in messages %}"
    "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}"
    "{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"
)
SPECIALS = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"]


def gemma2_config(transformers: Any, tiny: bool, vocab: int) -> Any:
    if tiny:
        return transformers.Gemma2Config(
            vocab_size=max(vocab, 512), hidden_size=64, intermediate_size=128, num_hidden_layers=4,
            num_attention_heads=4, num_key_value_heads=2, head_dim=16, max_position_embeddings=1024,
            sliding_window=64, attn_logit_softcapping=50.0, final_logit_softcapping=30.0,
            query_pre_attn_scalar=16,
        )
    return transformers.Gemma2Config(  # google/gemma-2-9b-it's config.json
        vocab_size=256000, hidden_size=3584, intermediate_size=14336, num_hidden_layers=42,
        num_attention_heads=16, num_key_value_heads=8, head_dim=256, max_position_embeddings=8192,
        sliding_window=4096, attn_logit_softcapping=50.0, final_logit_softcapping=30.0,
        query_pre_attn_scalar=256, hidden_activation="gelu_pytorch_tanh",
    )


def byte_tokenizer(transformers: Any, directory: Path) -> Any:
    """A byte-level tokenizer with Gemma's special tokens and chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {token: i for i, token in enumerate(SPECIALS)}
    for symbol in sorted(alphabet):
        vocab.setdefault(symbol, len(vocab))
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tokenizer.decoder = decoders.ByteLevel()
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>",
        unk_token="<unk>", additional_special_tokens=["<start_of_turn>", "<end_of_turn>"],
    )
    fast.chat_template = GEMMA_TEMPLATE
    fast.save_pretrained(directory)
    return fast


def bench_gemma(torch: Any, transformers: Any, device: str, tiny: bool, prompt_tokens: int, new_tokens: int) -> dict:
    from report_rag.llm.base import ChatMessage, GenerationParams
    from report_rag.llm.hf_transformers import TransformersGenerator, choose_attn_implementation, sliding_layers

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        tokenizer = byte_tokenizer(transformers, directory)
        config = gemma2_config(transformers, tiny, len(tokenizer))
        config.bos_token_id, config.eos_token_id = tokenizer.bos_token_id, tokenizer.eos_token_id
        config.pad_token_id = tokenizer.pad_token_id
        config.save_pretrained(directory)  # config and tokenizer only: the weights stay on the GPU
        attn = choose_attn_implementation(config, "auto", device)
        dtype = torch.bfloat16 if device == "cuda" else torch.float32
        started = time.perf_counter()
        torch.manual_seed(0)
        with torch.device(device):
            model = transformers.AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation=attn)
        with torch.no_grad():  # greedy decoding must never pick a token the tokenizer lacks, nor stop
            embed = model.get_input_embeddings().weight
            embed.normal_(0.0, 0.02)
            embed[len(tokenizer):] = 0
            embed[: len(SPECIALS)] = 0
            embed[len(SPECIALS): len(tokenizer)] *= 50
        build_s = time.perf_counter() - started
        generator = TransformersGenerator(str(directory), device=device, loaded_model=model,
                                          requested_context=config.max_position_embeddings)
        caches: list[Any] = []
        new_cache = generator.new_cache
        generator.new_cache = lambda: caches.append(new_cache()) or caches[-1]  # type: ignore[method-assign]
        filler = ("公司2025年营业收入同比增长12%，维持买入评级。 Revenue grew 12% and we keep Buy. " * 400)
        text = filler.encode()[: prompt_tokens - 40].decode("utf-8", "ignore")
        messages = [ChatMessage("system", "Answer from the passages."), ChatMessage("user", text)]
        n_prompt = int(generator.encode_chat(messages).shape[1])
        params = GenerationParams(max_new_tokens=new_tokens, temperature=0.0)
        list(generator.stream([ChatMessage("user", "warm up")], GenerationParams(max_new_tokens=4)))
        runs = []
        for _ in range(2):
            if device == "cuda":
                torch.cuda.synchronize()
            started = time.perf_counter()
            first = None
            pieces = 0
            for _piece in generator.stream(messages, params):
                pieces += 1
                if first is None:
                    first = time.perf_counter() - started
            total = time.perf_counter() - started
            runs.append((first or total, total))
        first, total = min(runs)
        cache = caches[-1]
        sliding = set(sliding_layers(config))
        lengths = [int(layer.keys.shape[-2]) for layer in cache.layers]
        window_ok = all(
            (n <= config.sliding_window) if i in sliding else (n >= n_prompt) for i, n in enumerate(lengths)
        )
    peak = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else 0.0
    return {
        "gemma_params_b": round(sum(p.numel() for p in model.parameters()) / 1e9, 2),
        "gemma_attn": attn or "default",
        "gemma_build_s": round(build_s, 1),
        "gemma_prompt_tokens": n_prompt,
        "gemma_first_token_s": round(first, 3),
        "gemma_prefill_tps": round(n_prompt / first, 1),
        "gemma_decode_tps": round((new_tokens - 1) / max(total - first, 1e-9), 1),
        "gemma_sliding_window": config.sliding_window,
        "gemma_cache_sliding_max": max((n for i, n in enumerate(lengths) if i in sliding), default=0),
        "gemma_cache_global_min": min((n for i, n in enumerate(lengths) if i not in sliding), default=0),
        "gemma_window_honoured": window_ok,
        "gemma_peak_gib": round(peak, 1),
    }


def bench_search(torch: Any, device: str, n: int, queries: int = 1000, dim: int = 384, k: int = 10) -> dict:
    import numpy as np

    rng = np.random.default_rng(0)
    base = rng.standard_normal((n, dim), dtype=np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    query = base[rng.integers(0, n, queries)] + 0.01 * rng.standard_normal((queries, dim), dtype=np.float32)
    out: dict[str, Any] = {"search_vectors": n, "search_queries": queries}
    # torch: the same exact inner-product search, on whatever device is at hand.
    xb, xq = torch.from_numpy(base).to(device), torch.from_numpy(query).to(device)
    for _ in range(2):
        if device == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        top = torch.topk(xq @ xb.T, k, dim=1).indices
        if device == "cuda":
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - started
    out["torch_search_qps"] = round(queries / elapsed, 1)
    torch_top = top.cpu().numpy()
    try:
        import faiss
    except ImportError:
        out["faiss"] = "not installed"
        return out
    index = faiss.IndexFlatIP(dim)
    on_gpu = device == "cuda" and hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0
    if on_gpu:
        resources = faiss.StandardGpuResources()
        index = faiss.index_cpu_to_gpu(resources, 0, index)
    index.add(base)
    for _ in range(2):
        started = time.perf_counter()
        _, ids = index.search(query, k)
        elapsed = time.perf_counter() - started
    out["faiss"] = "gpu" if on_gpu else "cpu"
    out["faiss_search_qps"] = round(queries / elapsed, 1)
    out["faiss_top1_agrees_with_torch"] = round(float(np.mean(ids[:, 0] == torch_top[:, 0])), 3)
    return out


def bench_e5(torch: Any, transformers: Any, device: str, tiny: bool) -> dict:
    from report_rag.embed.e5.encoder import E5Encoder, Precision

    config = transformers.BertConfig(  # intfloat/multilingual-e5-small's shape
        vocab_size=250037 if not tiny else 1000, hidden_size=384, num_hidden_layers=12 if not tiny else 2,
        num_attention_heads=12, intermediate_size=1536, max_position_embeddings=512, layer_norm_eps=1e-12,
    )
    batch, length = (64, 300) if not tiny else (4, 32)
    with tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(0)
        reference = transformers.BertModel(config, add_pooling_layer=False).eval()
        reference.save_pretrained(tmp, safe_serialization=True)
        dtype = torch.bfloat16 if device == "cuda" else torch.float32
        encoder = E5Encoder(Path(tmp), device, Precision(str(dtype).removeprefix("torch."), dtype, dtype))
        ids = torch.randint(5, config.vocab_size, (batch, length), device=device)
        mask = torch.ones_like(ids)
        with torch.inference_mode():
            ours = encoder(ids, mask).float()
            theirs = reference.to(device)(input_ids=ids, attention_mask=mask).last_hidden_state.float()
            cosine = torch.nn.functional.cosine_similarity(ours.reshape(-1, 384), theirs.reshape(-1, 384)).min()
            times = []
            for _ in range(5):
                if device == "cuda":
                    torch.cuda.synchronize()
                started = time.perf_counter()
                encoder(ids, mask)
                if device == "cuda":
                    torch.cuda.synchronize()
                times.append(time.perf_counter() - started)
    return {
        "e5_batch": f"{batch}x{length}",
        "e5_chunks_per_s": round(batch / statistics.median(times), 1),
        "e5_min_cosine_to_transformers": round(float(cosine), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="toy sizes: the same code paths, on a CPU in seconds")
    ap.add_argument("--device", default=None, help="default: cuda when torch sees one, else cpu")
    ap.add_argument("--prompt-tokens", type=int, default=None, help="default 8000 (tiny: 200)")
    ap.add_argument("--new-tokens", type=int, default=None, help="default 128 (tiny: 8)")
    ap.add_argument("--vectors", type=int, default=None, help="default 1,000,000 (tiny: 20,000)")
    args = ap.parse_args()

    import torch
    import transformers

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    prompt_tokens = args.prompt_tokens or (200 if args.tiny else 8000)
    new_tokens = args.new_tokens or (8 if args.tiny else 128)
    vectors = args.vectors or (20_000 if args.tiny else 1_000_000)
    result: dict[str, Any] = {"bench": "gpu", "device": device, "tiny": args.tiny,
                              "torch": torch.__version__, "transformers": transformers.__version__}
    if device == "cuda":
        result["gpu"] = torch.cuda.get_device_name(0)
    started = time.perf_counter()
    for part in (
        lambda: bench_gemma(torch, transformers, device, args.tiny, prompt_tokens, new_tokens),
        lambda: bench_search(torch, device, vectors),
        lambda: bench_e5(torch, transformers, device, args.tiny),
    ):
        try:
            result.update(part())
        except Exception as exc:  # one part failing still reports the others
            result.setdefault("errors", []).append(f"{type(exc).__name__}: {exc}")
        if device == "cuda":
            torch.cuda.empty_cache()
    result["total_s"] = round(time.perf_counter() - started, 1)
    print(f"{'measure':34} value")
    for key, value in result.items():
        if key != "errors":
            print(f"{key:34} {value}")
    for error in result.get("errors", []):
        print("error:", error)
    print(json.dumps(result, ensure_ascii=False))
    if result.get("errors") or not result.get("gemma_window_honoured", False) or math.isnan(
        result.get("e5_min_cosine_to_transformers", float("nan"))
    ):
        sys.exit(1)


if __name__ == "__main__":
    main()
