"""The milvus vector backend against milvus-lite (the same client talks to a Milvus cluster):
the VectorIndex contract, and a library whose vectors live there."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from report_rag.errors import ConfigError
from report_rag.store.milvus_index import MilvusIndex, collection_name, milvus_uri
from report_rag.store.vectors import FaissIndex

FINGERPRINT = {"format": 1, "embedder": "test", "dim": 16, "chunking": {"size": 450}}


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, 16)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_index_contract_matches_faiss(tmp_path: Path) -> None:
    url = f"milvus://{tmp_path / 'vectors.db'}"
    milvus, faiss = MilvusIndex(url, FINGERPRINT), FaissIndex(16, device="cpu")
    ids, vectors = np.arange(10, 310, dtype=np.int64), _vectors(300)
    for index in (milvus, faiss):
        index.add(ids, vectors)
    milvus.add(ids[:5], vectors[:5])  # upserts: a second process adding the same vectors changes nothing
    assert len(milvus) == 300 and (milvus.ids() == faiss.ids()).all()
    queries = _vectors(2, seed=1)
    got_scores, got = milvus.search(queries, 8)
    want_scores, want = faiss.search(queries, 8)
    assert (got == want).all() and np.allclose(got_scores, want_scores, atol=1e-4)
    allowed = ids[::7]
    got_scores, got = milvus.search(queries, 5, allowed=allowed)
    want_scores, want = faiss.search(queries, 5, allowed=allowed)
    assert (got == want).all() and set(got.ravel()) <= set(allowed)
    assert milvus.remove(np.array([10, 11, 99_999])) == 2 and len(milvus) == 298
    _, short = milvus.search(queries, 4, allowed=np.array([12, 13]))
    assert set(short[0]) == {12, 13, -1}
    milvus.close()
    # Another process opening the same file finds the same collection.
    again = MilvusIndex(url, FINGERPRINT)
    assert len(again) == 298
    again.close()


def test_other_settings_get_their_own_collection_and_bad_urls_are_refused() -> None:
    assert collection_name(FINGERPRINT) != collection_name({**FINGERPRINT, "embedder": "other"})
    assert milvus_uri("milvus:///data/v.db") == "/data/v.db"
    assert milvus_uri("http://milvus:19530") == "http://milvus:19530"
    with pytest.raises(ConfigError, match="REPORT_RAG_VECTOR_URL"):
        milvus_uri("ftp://nowhere")


def test_a_library_with_its_vectors_in_milvus(tmp_path: Path, sample_pdfs) -> None:
    from report_rag.pipeline.ingest import ingest_paths
    from report_rag.retrieval import search
    from report_rag.settings import Settings
    from report_rag.store.library import Library

    url = f"milvus://{tmp_path / 'vectors.db'}"
    milvus_settings = Settings.for_tests(tmp_path / "m", vector_url=url)
    faiss_settings = Settings.for_tests(tmp_path / "f")
    picked = [str(p) for p in sample_pdfs[:4]]
    with Library(milvus_settings) as on_milvus, Library(faiss_settings) as on_faiss:
        ingest_paths(on_milvus, picked)
        ingest_paths(on_faiss, picked)
        assert isinstance(on_milvus.index, MilvusIndex)
        assert not (tmp_path / "m" / "index.faiss").exists()
        for query in ("目标价", "advertising revenue", "投资评级"):
            assert [h.text for h in search(on_milvus, query, k=5)] == [h.text for h in search(on_faiss, query, k=5)]
        victim = on_milvus.reports()[0]
        on_milvus.delete_report(victim.id)
        assert all(h.report_id != victim.id for h in search(on_milvus, "目标价", k=10))
    # Reopened, the collection is reconciled with SQL and nothing is re-embedded.
    with Library(milvus_settings) as reopened:
        assert len(reopened.index) == reopened.store.counts()["chunks"]


def test_two_libraries_share_one_collection(tmp_path: Path, sample_pdfs) -> None:
    from report_rag.pipeline.ingest import ingest_paths
    from report_rag.retrieval import search
    from report_rag.settings import Settings
    from report_rag.store.library import Library

    shared = {"database_url": f"sqlite:///{tmp_path / 'shared.sqlite3'}", "vector_url": f"milvus://{tmp_path / 'v.db'}"}
    with Library(Settings.for_tests(tmp_path / "writer", **shared)) as writer, \
            Library(Settings.for_tests(tmp_path / "reader", **shared)) as reader:
        ingest_paths(writer, [str(sample_pdfs[0])])
        assert search(reader, "投资评级", k=3)
        ingest_paths(writer, [str(p) for p in sample_pdfs[1:3]])
        assert reader.behind() and reader.sync()  # the catalog and report list catch up; the vectors are shared
        new = {r.id for r in reader.reports()} - {writer.reports()[0].id}
        assert new and {h.report_id for h in search(reader, "目标价 投资评级", k=20)} & new
        assert len(reader.index) == writer.store.counts()["chunks"]
