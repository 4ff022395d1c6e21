"""A Generator test double that replies with a fixed text, streamed word by word.

It lets the fast tier test retrieval, prompting and citation checking deterministically;
the real models are exercised in the `model` tier.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


class ScriptedGenerator:
    name = "scripted"
    context_tokens = 4096

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.seen_messages: list = []

    def count_tokens(self, text: str) -> int:
        return len(text) // 2 + 1

    def stream(self, messages, params) -> Iterator[str]:
        self.seen_messages = list(messages)
        yield from re.findall(r"\S+\s*|\s+", self.reply)

    def describe(self) -> dict:
        return {"backend": "scripted", "model": self.name, "loaded": True}
