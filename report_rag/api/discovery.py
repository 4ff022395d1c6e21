"""How a `report-rag ask` finds the `report-rag serve` of its library, whose models are warm.

A server announces itself in its home (`<home>/server.json`: URL and process id) while it
runs and takes the note down when it stops. A note whose process is gone, or whose server
does not answer its health check within a moment, is not a server: the caller loads the
models itself, as it always could.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

NOTE = "server.json"
HEALTH_TIMEOUT_S = 0.5


def note_path(home: Path) -> Path:
    return home / NOTE


@contextmanager
def announced(home: Path, host: str, port: int) -> Iterator[Path]:
    """While the block runs, `home` names this process's server (an unspecified bind
    address is reached on loopback)."""
    reach = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    if ":" in reach:
        reach = f"[{reach}]"
    path = note_path(home)
    home.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"url": f"http://{reach}:{port}", "pid": os.getpid()}))
    tmp.replace(path)
    try:
        yield path
    finally:
        with suppress(OSError, ValueError):
            if json.loads(path.read_text()).get("pid") == os.getpid():  # not a later server's note
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def running_server(home: Path, api_key: str | None = None) -> str | None:
    """The URL of this library's running server, or None."""
    try:
        note = json.loads(note_path(home).read_text())
        url, pid = str(note["url"]), int(note["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        return None
    request = urllib.request.Request(f"{url}/v1/health")
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    try:
        with urllib.request.urlopen(request, timeout=HEALTH_TIMEOUT_S) as response:
            return url if response.status == 200 else None
    except (urllib.error.URLError, OSError, ValueError):
        return None
