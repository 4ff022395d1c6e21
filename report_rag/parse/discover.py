"""Turn the user's PATH arguments (files, folders, globs) into a list of files to ingest."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

from report_rag.types import FailedFile


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    failed: list[FailedFile] = field(default_factory=list)


def _is_pdf_name(name: str) -> bool:
    return name.lower().endswith(".pdf")


def _walk(folder: Path, out: list[Path], seen_dirs: set[str]) -> None:
    # Follow symlinks (users link report folders together) but visit each real directory
    # once, so a symlink loop ends instead of recursing forever.
    for root, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen_dirs:
            dirs[:] = []
            continue
        seen_dirs.add(real)
        dirs.sort()
        for name in sorted(files):
            if _is_pdf_name(name):
                out.append(Path(root) / name)


def discover(paths: list[str]) -> Discovery:
    """Files named explicitly are always tried (a wrong type then fails with a clear
    message); inside folders and globs only ``*.pdf`` (any case) is picked up."""
    found = Discovery()
    candidates: list[Path] = []
    seen_dirs: set[str] = set()
    for arg in paths:
        path = Path(arg).expanduser()
        if path.is_dir():
            _walk(path, candidates, seen_dirs)
        elif path.exists() or path.is_symlink():
            candidates.append(path)
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(os.path.expanduser(arg), recursive=True))
            if not matches:
                found.failed.append(FailedFile(arg, "no files match this pattern"))
            for match in matches:
                m = Path(match)
                if m.is_dir():
                    _walk(m, candidates, seen_dirs)
                elif _is_pdf_name(m.name):
                    candidates.append(m)
        else:
            found.failed.append(FailedFile(arg, "no such file or directory"))
    seen_files: set[str] = set()
    for candidate in candidates:
        key = os.path.realpath(candidate)
        if key not in seen_files:  # the same file reached twice (folder + symlink)
            seen_files.add(key)
            found.files.append(candidate)
    return found
