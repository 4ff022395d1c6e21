from pathlib import Path

import numpy as np
import pytest

from report_rag.errors import IndexMismatchError
from report_rag.store.vectors import FaissIndex, VectorIndex


def _unit_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_exact_inner_product_matches_brute_force():
    vectors = _unit_vectors(200, 32)
    ids = np.arange(1000, 1200, dtype=np.int64)
    index = FaissIndex(32, device="cpu")
    assert isinstance(index, VectorIndex)
    index.add(ids, vectors)
    queries = _unit_vectors(5, 32, seed=1)
    scores, found = index.search(queries, 10)
    brute = queries @ vectors.T
    expected = ids[np.argsort(-brute, axis=1)[:, :10]]
    assert (found == expected).all()
    assert np.allclose(scores, np.sort(brute, axis=1)[:, ::-1][:, :10], atol=1e-5)


def test_remove_and_pad_when_fewer_than_k():
    index = FaissIndex(8, device="cpu")
    index.add(np.array([1, 2, 3]), _unit_vectors(3, 8))
    assert index.remove(np.array([2])) == 1
    assert sorted(index.ids().tolist()) == [1, 3]
    scores, ids = index.search(_unit_vectors(1, 8), 5)
    assert ids.shape == (1, 5) and sorted(ids[0, :2].tolist()) == [1, 3]
    assert (ids[0, 2:] == -1).all()


def test_rejects_wrong_dimension():
    index = FaissIndex(8, device="cpu")
    with pytest.raises(ValueError, match="dimension 8"):
        index.add(np.array([1]), _unit_vectors(1, 4))


def test_save_is_atomic_and_load_checks_fingerprint(tmp_path: Path):
    path = tmp_path / "index.faiss"
    index = FaissIndex(16, device="cpu")
    vectors = _unit_vectors(20, 16)
    index.add(np.arange(20), vectors)
    fingerprint = {"embedder": "a", "dim": 16}
    index.save(path, fingerprint)
    assert [p.name for p in tmp_path.iterdir()] == ["index.faiss"]  # no temp file left behind
    loaded = FaissIndex.load(path, fingerprint, device="cpu")
    assert len(loaded) == 20
    assert (loaded.search(vectors[:3], 1)[1][:, 0] == [0, 1, 2]).all()
    with pytest.raises(IndexMismatchError, match="embedder: built with 'a', configured 'b'"):
        FaissIndex.load(path, {"embedder": "b", "dim": 16}, device="cpu")


def test_gpu_request_without_gpu_is_a_clear_error():
    from report_rag.store.vectors import gpu_available

    if gpu_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(RuntimeError, match="GPU"):
        FaissIndex(8, device="gpu")


def test_a_narrow_filter_scores_only_its_vectors_and_matches_the_selector_search():
    import faiss

    rng = np.random.default_rng(3)
    index = FaissIndex(16, device="cpu")
    ids = np.arange(1, 4001, dtype=np.int64) * 7
    vectors = rng.normal(size=(4000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index.add(ids, vectors)
    queries = rng.normal(size=(3, 16)).astype(np.float32)
    allowed = np.concatenate([rng.choice(ids, 300, replace=False), [5, 6]])  # two ids it never held
    scores, found = index.search(queries, 10, allowed=allowed)
    selector = faiss.IDSelectorBatch(allowed)
    want_scores, want = index._index.search(queries, 10, params=faiss.SearchParameters(sel=selector))
    assert (found == want).all() and np.allclose(scores, want_scores, atol=1e-5)
    index.remove(np.array([ids[0]]))  # a change drops the id cache
    scores, found = index.search(queries, 3, allowed=np.array([ids[0], ids[1]]))
    assert (found[:, 0] == ids[1]).all() and (found[:, 1:] == -1).all() and np.isinf(scores[:, 1:]).all()
