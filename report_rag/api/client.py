"""The API's answer stream read back into the library's own events (`report-rag ask` over a
running server): evidence, tokens and the checked answer, as `ask_stream` yields them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from typing import Any

from report_rag.answer.qa import EvidenceFound, Final, Token
from report_rag.answer.shared import Queued
from report_rag.errors import ServerError
from report_rag.types import Answer, Citation

RemoteEvent = EvidenceFound | Queued | Token | Final


def ask_remote(
    url: str,
    question: str,
    *,
    report_ids: tuple[int, ...] | None = None,
    broker: str | None = None,
    since: date | None = None,
    until: date | None = None,
    k: int = 6,
    api_key: str | None = None,
    timeout_s: float = 600.0,
) -> Iterator[RemoteEvent]:
    body = {"question": question, "report_ids": list(report_ids) if report_ids else None, "broker": broker,
            "since": since.isoformat() if since else None, "until": until.isoformat() if until else None, "k": k}
    request = urllib.request.Request(
        f"{url}/v1/ask", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Accept": "text/event-stream"},
    )
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as exc:
        raise ServerError(f"{url}: {exc.code} {_error_message(exc)}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ServerError(f"{url}: {exc}") from exc
    with response:
        for name, payload in _events(response):
            event = _typed(question, name, payload)
            if event is not None:
                yield event


def _events(lines: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    name, data = "", list[str]()
    for raw in lines:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if name and data:
                yield name, json.loads("\n".join(data))
            name, data = "", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


def _typed(question: str, name: str, payload: dict[str, Any]) -> RemoteEvent | None:
    if name == "evidence":
        return EvidenceFound(tuple(Citation.from_json(c) for c in payload["citations"]))
    if name == "queued":
        return Queued(int(payload["ahead"]))
    if name == "token":
        return Token(str(payload["text"]))
    if name == "final":
        return Final(Answer.from_json(question, payload))
    if name == "error":
        raise ServerError(f"the server failed mid-answer: {payload.get('message')}")
    return None  # passages: the CLI shows evidence, not the raw passages


def _error_message(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read())["error"]["message"])
    except (ValueError, KeyError, TypeError, OSError):
        return error.reason if isinstance(error.reason, str) else ""
