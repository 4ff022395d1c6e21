"""Files handed over by a browser: checked, stored under the data directory, then ingested.

Nothing the client says is trusted: a file is a PDF only if its bytes say so, its size is
capped by settings, and it is written to a directory whose name is generated here. The
client's file name survives only as a sanitised last component (so the library lists the
name the user knows); any directory part of it is discarded.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

from report_rag.pipeline.ingest import ingest_paths
from report_rag.settings import Settings
from report_rag.store.library import Library

PDF_MAGIC = b"%PDF-"
# Readers accept the header anywhere in the first KiB (some generators prepend junk).
MAGIC_WINDOW = 1024
MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w.\-()（）\[\]【】 ]+", re.UNICODE)

Outcome = Literal["ingested", "skipped", "rejected", "failed"]
UploadProgress = Callable[[str, str], None]  # (client file name, event): "stored" | "start" | "done"


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it."""

    name: str
    data: bytes


@dataclass(frozen=True)
class UploadResult:
    name: str  # the client's name, for display only
    outcome: Outcome
    message: str
    report_id: int | None = None
    stored_as: Path | None = None


def uploads_dir(settings: Settings) -> Path:
    return settings.home / "uploads"


def safe_file_name(client_name: str) -> str:
    """The last component of a client file name, reduced to harmless characters, ending .pdf."""
    # Browsers send bare names, but a client can send anything: cut at either separator.
    leaf = PureWindowsPath(PurePosixPath(client_name or "").name).name
    leaf = unicodedata.normalize("NFKC", leaf)
    stem = leaf[:-4] if leaf.lower().endswith(".pdf") else leaf
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:MAX_NAME_CHARS]
    return f"{stem or 'upload'}.pdf"


def rejection(upload: Upload, settings: Settings) -> str | None:
    """Why `upload` is refused before it touches the disk, or None if it may be stored."""
    limit = settings.ui.max_upload_mb * 1024 * 1024
    if len(upload.data) > limit:
        size_mb = len(upload.data) / (1024 * 1024)
        return f"too large: {size_mb:.1f} MB, the limit is {settings.ui.max_upload_mb} MB"
    if not upload.data:
        return "empty file"
    if PDF_MAGIC not in upload.data[:MAGIC_WINDOW]:
        return "not a PDF (its content does not start with %PDF-)"
    return None


def store_upload(upload: Upload, settings: Settings) -> Path:
    """Write the bytes under <home>/uploads/<random>/<safe name>; never overwrites."""
    folder = uploads_dir(settings) / secrets.token_hex(8)
    folder.mkdir(parents=True, exist_ok=False)
    target = folder / safe_file_name(upload.name)
    temp = folder / ".incoming"
    with open(temp, "wb") as fh:
        fh.write(upload.data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, target)  # a crash never leaves a half-written file under the real name
    return target


def _discard(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)


def ingest_uploads(
    library: Library,
    uploads: Iterable[Upload],
    *,
    progress: UploadProgress | None = None,
    commit_guard: Callable[[], AbstractContextManager[object]] | None = None,
) -> list[UploadResult]:
    """Check, store and ingest browser uploads; one result per upload, in order.

    Rejected files are never written. Files the library already has are skipped and their
    stored copy removed. A file that fails to parse keeps its copy: the library records the
    failure against that path.
    """
    notify = progress or (lambda name, event: None)
    results: dict[int, UploadResult] = {}
    stored: dict[str, tuple[int, str]] = {}  # stored path -> (position, client name)
    uploads = list(uploads)
    for position, upload in enumerate(uploads):
        reason = rejection(upload, library.settings)
        if reason is not None:
            results[position] = UploadResult(upload.name, "rejected", reason)
            notify(upload.name, "rejected")
            continue
        path = store_upload(upload, library.settings)
        stored[str(path)] = (position, upload.name)
        notify(upload.name, "stored")

    if stored:
        def forward(event: str, file: str) -> None:
            if file in stored:
                notify(stored[file][1], event)

        def for_client(message: str) -> str:
            # Messages may name stored paths ("duplicate of …"); the user knows their own names.
            for path, (_, name) in stored.items():
                message = message.replace(path, name)
            return message

        summary = ingest_paths(library, list(stored), progress=forward, commit_guard=commit_guard)
        for item in summary.ingested:
            position, name = stored[item.file]
            results[position] = UploadResult(
                name, "ingested", f"{item.pages} pages, {item.chunks} passages",
                report_id=item.report_id, stored_as=Path(item.file),
            )
        for skipped in summary.skipped:
            position, name = stored[skipped.file]
            _discard(Path(skipped.file))
            results[position] = UploadResult(name, "skipped", for_client(skipped.reason))
        for failed in summary.failed:
            failed_at, name = stored.get(failed.file, (None, failed.file))
            if failed_at is not None:
                results[failed_at] = UploadResult(name, "failed", for_client(failed.error), stored_as=Path(failed.file))
    return [
        results.get(i, UploadResult(u.name, "failed", "no result from ingest"))
        for i, u in enumerate(uploads)
    ]
