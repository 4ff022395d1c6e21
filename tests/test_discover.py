import os

from report_rag.parse.discover import discover


def test_folders_recurse_globs_expand_and_symlink_loops_end(tmp_path):
    root = tmp_path / "reports"
    (root / "sub" / "deeper").mkdir(parents=True)
    for rel in ["a.pdf", "sub/B.PDF", "sub/deeper/华金 证券 (1).pdf", "notes.txt"]:
        (root / rel).write_bytes(b"%PDF-1.4")
    os.symlink(root, root / "sub" / "loop")  # a folder containing itself
    found = discover([str(root)])
    names = sorted(p.name for p in found.files)
    assert names == ["B.PDF", "a.pdf", "华金 证券 (1).pdf"]
    assert found.failed == []

    globbed = discover([str(root / "**" / "*.pdf")])
    assert "a.pdf" in {p.name for p in globbed.files}


def test_missing_paths_and_empty_globs_are_reported(tmp_path):
    found = discover([str(tmp_path / "nope.pdf"), str(tmp_path / "*.pdf")])
    assert [f.error for f in found.failed] == ["no such file or directory", "no files match this pattern"]


def test_explicit_non_pdf_file_is_still_tried(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("hello")
    assert discover([str(path)]).files == [path]


def test_same_file_twice_is_listed_once(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4")
    os.symlink(path, tmp_path / "link.pdf")
    assert len(discover([str(path), str(tmp_path)]).files) == 1
