"""Rebuild the real-report development corpus from local mirrors of public repositories.

The PDFs are the brokers' copyright: they are never committed. corpus.tsv records where each
one lives (repository, path, commit) and its sha256; this script takes each file out of a local
mirror (a bare git directory, e.g. what the project's search tool `fetch` leaves under
/work/.mirror/OWNER+NAME/repo) and checks its hash.

    python bench/real/rebuild.py [--mirrors DIR] [--out DIR]

Default output: bench/real/pdfs/ (git-ignored). Prints one line per repository missing its
mirror, and a JSON summary line.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_MIRRORS = Path("/work/.mirror")


def mirror_dir(mirrors: Path, repo: str) -> Path | None:
    """The git directory of `repo` ("owner/name") under `mirrors`, if there is one."""
    base = mirrors / repo.replace("/", "+")
    for candidate in (base / "repo", base, mirrors / repo):
        if (candidate / "HEAD").exists() or (candidate / ".git").exists():
            return candidate
    return None


def read_corpus(path: Path = HERE / "corpus.tsv") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--out", type=Path, default=HERE / "pdfs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = read_corpus()
    written = present = 0
    missing_repos: set[str] = set()
    bad: list[str] = []
    for row in rows:
        target = args.out / row["file"]
        if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == row["sha256"]:
            present += 1
            continue
        git_dir = mirror_dir(args.mirrors, row["repo"])
        if git_dir is None:
            missing_repos.add(row["repo"])
            continue
        shown = subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"{row['commit']}:{row['path']}"], capture_output=True, check=False
        )
        if shown.returncode != 0 or hashlib.sha256(shown.stdout).hexdigest() != row["sha256"]:
            bad.append(row["file"])
            continue
        target.write_bytes(shown.stdout)
        written += 1
    for repo in sorted(missing_repos):
        print(f"no mirror of {repo} under {args.mirrors} (fetch github:{repo} first)", file=sys.stderr)
    for name in bad:
        print(f"{name}: not found at its commit, or its sha256 differs", file=sys.stderr)
    print(json.dumps({"bench": "real_corpus", "files": len(rows), "present": present, "written": written,
                      "missing_repos": sorted(missing_repos), "bad": bad}))
    return 1 if (missing_repos or bad) else 0


if __name__ == "__main__":
    sys.exit(main())
