"""Backends registered by name as "module:attribute" strings, loaded on first use.

The core names a backend without importing it, so a backend's heavy dependencies (torch,
llama.cpp, httpx) load only when it is chosen, and a missing one surfaces as the backend's
own MissingDependencyError naming the extra to install.
"""

from __future__ import annotations

import importlib
from typing import Generic, TypeVar

from report_rag.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._targets: dict[str, str] = {}

    def register(self, name: str, target: str) -> None:
        """Register `target` ("package.module:Attribute") under `name`; a later call replaces it."""
        if ":" not in target:
            raise ValueError(f"{self.kind} target must be 'module:attribute', not {target!r}")
        self._targets[name] = target

    def names(self) -> list[str]:
        return sorted(self._targets)

    def load(self, name: str) -> T:
        """The registered attribute (usually a class), imported now."""
        try:
            target = self._targets[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise ConfigError(f"unknown {self.kind} {name!r} (known: {known})") from None
        module_name, _, attribute = target.partition(":")
        loaded: T = getattr(importlib.import_module(module_name), attribute)
        return loaded
