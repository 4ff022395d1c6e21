"""The OpenAI-compatible backend: vLLM serving Gemma 2 9B for a team, the llama.cpp server, …

Chat completions are streamed as server-sent events over httpx. The server owns the chat
template. Token counts come from the server's own tokenizer where it exposes one (vLLM and
llama.cpp's `/tokenize`, llama-cpp-python's `/extras/tokenize/count`); otherwise a
deliberately pessimistic estimate is used, so prompts are cut too early rather than overflow.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from report_rag.errors import MissingDependencyError, ServerError
from report_rag.llm.base import ChatMessage, GenerationParams
from report_rag.settings import Settings

BACKEND = "openai"
_PROBE_TIMEOUT_S = 2.0
_WIDE_CHAR = re.compile(r"[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _import_httpx() -> Any:
    try:
        import httpx
    except ImportError as exc:
        raise MissingDependencyError("httpx", "openai", "The OpenAI-compatible generator") from exc
    return httpx


def estimate_tokens(text: str) -> int:
    """Upper-bound-ish count when the server cannot tokenize: one per CJK character, one per
    three other characters (real BPE vocabularies average ~4 for English)."""
    wide = len(_WIDE_CHAR.findall(text))
    return wide + math.ceil((len(text) - wide) / 3)


class OpenAIGenerator:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        requested_context: int = 8192,
        timeout_s: float = 120.0,
    ) -> None:
        httpx = _import_httpx()
        self.base_url = base_url.rstrip("/")
        self.server_root = re.sub(r"/v1$", "", self.base_url)
        self.model = model
        self.name = f"{model}@{BACKEND}"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._httpx = httpx
        # Long read timeout: the first token waits for the whole prompt to be evaluated.
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout_s, connect=10.0))
        self.server_context = _server_context_length(self._client, self.base_url, model)
        self.context_tokens = min(requested_context, self.server_context or requested_context)
        self._counter: Callable[[str], int] | None = None
        self.token_count_source = "unknown"

    @staticmethod
    def describe_settings(settings: Settings) -> dict[str, Any]:
        return describe_openai(settings)

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIGenerator:
        key = settings.llm.openai.api_key.get_secret_value() if settings.llm.openai.api_key else None
        return cls(
            settings.llm.openai.base_url,
            settings.llm.openai.model,
            api_key=key,
            requested_context=settings.llm.context_tokens,
            timeout_s=settings.llm.openai.timeout_s,
        )

    def close(self) -> None:
        self._client.close()

    # -- token counting --------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        if self._counter is None:
            self._counter = self._pick_counter()
        return self._counter(text)

    def _pick_counter(self) -> Callable[[str], int]:
        """The first tokenizer endpoint the server answers; the estimate if none does."""
        candidates: list[tuple[str, str, Callable[[str], dict[str, Any]], Callable[[dict[str, Any]], int]]] = [
            ("llama-cpp-python /extras/tokenize/count", f"{self.server_root}/extras/tokenize/count",
             lambda t: {"input": t, "model": self.model}, lambda r: int(r["count"])),
            # vLLM reads model/prompt and answers count; llama.cpp's server reads content and
            # answers tokens. Each ignores the other's fields.
            ("/tokenize", f"{self.server_root}/tokenize",
             lambda t: {"model": self.model, "prompt": t, "content": t, "add_special_tokens": False},
             lambda r: int(r["count"]) if "count" in r else len(r["tokens"])),
        ]
        for source, url, payload, parse in candidates:
            try:
                response = self._client.post(url, json=payload("probe"), timeout=_PROBE_TIMEOUT_S)
                if response.status_code == 200:
                    parse(response.json())
                else:
                    continue
            except (self._httpx.HTTPError, ValueError, KeyError, TypeError):
                continue
            self.token_count_source = source

            def count(
                text: str, url: str = url, payload: Callable[[str], dict[str, Any]] = payload,
                parse: Callable[[dict[str, Any]], int] = parse,
            ) -> int:
                response = self._client.post(url, json=payload(text))
                response.raise_for_status()
                return parse(response.json())

            return count
        self.token_count_source = "estimate"
        return estimate_tokens

    # -- Generator -------------------------------------------------------------------------

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": params.max_new_tokens,
            "temperature": params.temperature,
            "stream": True,
        }
        if params.stop:
            payload["stop"] = list(params.stop)
        url = f"{self.base_url}/chat/completions"
        try:
            with self._client.stream("POST", url, json=payload) as response:
                if response.status_code != 200:
                    response.read()
                    raise ServerError(f"{url} answered {response.status_code}: {response.text[:300]}")
                yield from _sse_content(response.iter_lines())
        except self._httpx.HTTPError as exc:
            raise ServerError(f"OpenAI-compatible server at {self.base_url}: {exc}") from exc

    def describe(self) -> dict[str, Any]:
        return {
            "backend": BACKEND,
            "model": self.model,
            "base_url": self.base_url,
            "present": True,
            "device": "server",
            "context_tokens": self.context_tokens,
            "token_count": self.token_count_source,
            "loaded": True,
        }


def _sse_content(lines: Iterator[str]) -> Iterator[str]:
    """Content deltas of an OpenAI chat-completions event stream."""
    for line in lines:
        if not line.startswith("data:"):
            continue  # comments, event names, keep-alives, blank separators
        data = line[5:].strip()
        if data == "[DONE]":
            return
        event = json.loads(data)
        if "error" in event:
            raise ServerError(f"server error mid-stream: {event['error']}")
        for choice in event.get("choices") or []:
            piece = (choice.get("delta") or {}).get("content")
            if piece:
                yield piece


def _server_context_length(client: Any, base_url: str, model: str) -> int | None:
    """The served context length where /models reports it (vLLM: max_model_len, llama.cpp:
    meta.n_ctx_train); None when the server does not say or cannot be reached."""
    entry = _model_entry(client, base_url, model)
    if not entry:
        return None
    value = entry.get("max_model_len") or (entry.get("meta") or {}).get("n_ctx_train")
    return int(value) if value else None


def _model_entry(client: Any, base_url: str, model: str) -> dict[str, Any] | None:
    try:
        response = client.get(f"{base_url}/models", timeout=_PROBE_TIMEOUT_S)
        response.raise_for_status()
        entries = response.json().get("data") or []
    except Exception:  # unreachable, not JSON, not OpenAI-shaped: nothing to learn here
        return None
    return next((e for e in entries if e.get("id") == model), None)


def describe_openai(settings: Settings) -> dict[str, Any]:
    """Asks the server's /models (2 s timeout): present means it is up and serves the model."""
    info: dict[str, Any] = {
        "backend": BACKEND,
        "model": settings.llm.openai.model,
        "base_url": settings.llm.openai.base_url,
        "device": "server",
        "verified": False,
        "loaded": False,
    }
    try:
        httpx = _import_httpx()
    except MissingDependencyError as exc:
        return {**info, "present": False, "error": str(exc)}
    key = settings.llm.openai.api_key.get_secret_value() if settings.llm.openai.api_key else None
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    base = settings.llm.openai.base_url.rstrip("/")
    with httpx.Client(headers=headers) as client:
        entry = _model_entry(client, base, settings.llm.openai.model)
        if entry is None:
            return {**info, "present": False,
                    "error": f"{base}/models is unreachable or does not list {settings.llm.openai.model!r}"}
        served = _server_context_length(client, base, settings.llm.openai.model)
    return {
        **info,
        "present": True,
        "context_tokens": min(settings.llm.context_tokens, served or settings.llm.context_tokens),
    }
