"""FAISS vector index: exact and HNSW search, filters, determinism, save/load."""

from __future__ import annotations

import numpy as np
import pytest

from search.errors import IndexCorruptError, IndexNotFoundError, QueryError
from search.retrieval.vectors import VectorIndex


def unit(rng, n, d=32):
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    # clustered, like real embeddings: 40 topics with noise
    centres = unit(rng, 40)
    x = centres[rng.integers(0, 40, 4000)] + 0.35 * unit(rng, 4000)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = centres[rng.integers(0, 40, 60)] + 0.35 * unit(rng, 60)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return x.astype(np.float32), q.astype(np.float32)


@pytest.fixture(scope="module")
def built(data):
    """One index of each kind over ``data`` (HNSW builds take ~0.5 s)."""
    x, _ = data
    return {kind: VectorIndex.build(x, kind) for kind in ("exact", "hnsw")}


def brute(x, q, k, allowed=None):
    s = x @ q.T
    if allowed is not None:
        s[~allowed] = -np.inf
    out = []
    for j in range(q.shape[0]):
        order = np.lexsort((np.arange(len(x)), -s[:, j]))
        out.append([i for i in order[:k] if np.isfinite(s[i, j])])
    return out


def recall(got, truth):
    return np.mean([len(set(g) & set(t)) / max(len(t), 1) for g, t in zip(got, truth)])


@pytest.mark.parametrize("kind", ["exact", "hnsw"])
def test_search_finds_nearest(data, built, kind):
    x, q = data
    vi = built[kind]
    assert vi.kind == kind and len(vi) == len(x) and vi.dim == 32
    s, r = vi.search(x[:5], 3)
    assert r[:, 0].tolist() == [0, 1, 2, 3, 4] and np.allclose(s[:, 0], 1.0, atol=1e-5)
    s, r = vi.search(q, 10)
    assert s.shape == r.shape == (60, 10) and r.dtype == np.int64 and s.dtype == np.float32
    assert (np.diff(s, axis=1) <= 1e-7).all()  # best first
    assert np.allclose(s, np.take_along_axis(x @ q.T, r.T, axis=0).T, atol=1e-5)
    want = 1.0 if kind == "exact" else 0.95
    assert recall(r, brute(x, q, 10)) >= want


def test_exact_equals_brute_force_with_ties():
    x = np.tile(np.eye(4, dtype=np.float32), (3, 1))  # every vector three times: ties
    vi = VectorIndex.build(x, "exact")
    s, r = vi.search(np.eye(4, dtype=np.float32)[1], 3)
    assert r.tolist() == [[1, 5, 9]]  # ties by row
    s, r = vi.search(np.eye(4, dtype=np.float32)[1], 50)
    assert r.shape == (1, 12)  # k larger than n: all rows


@pytest.mark.parametrize("kind", ["exact", "hnsw"])
@pytest.mark.parametrize("fraction", [0.0008, 0.05, 0.5, 0.9])
def test_filters_return_the_best_allowed_rows(data, built, kind, fraction):
    x, q = data
    vi = built[kind]
    allowed = np.random.default_rng(3).random(len(x)) < fraction
    n_ok = int(allowed.sum())
    s, r = vi.search(q, 10, allowed)
    assert r.shape == (60, min(10, n_ok))
    assert allowed[r].all()
    truth = brute(x, q, 10, allowed)
    assert recall(r, truth) >= (1.0 if kind == "exact" or fraction < 0.3 else 0.95)


def test_filter_admitting_nothing_or_bad_masks(data):
    x, q = data
    vi = VectorIndex.build(x, "exact")
    s, r = vi.search(q[:2], 5, np.zeros(len(x), bool))
    assert r.shape == (2, 0)
    with pytest.raises(QueryError):
        vi.search(q[:2], 5, np.ones(len(x) - 1, bool))
    with pytest.raises(QueryError):
        vi.search(q[:2], 5, np.ones(len(x), np.int8))


def test_bad_queries(data):
    x, q = data
    vi = VectorIndex.build(x)
    with pytest.raises(QueryError):
        vi.search(q, 0)
    with pytest.raises(QueryError):
        vi.search(np.ones((1, 31), np.float32), 3)
    with pytest.raises(QueryError):
        vi.search(np.full((1, 32), np.nan, np.float32), 3)
    with pytest.raises(QueryError):
        VectorIndex.build(x, "ivf")
    assert vi.search(q[0], 3)[1].shape == (1, 3)  # a single vector is one query


def test_auto_kind_by_size(data):
    x, _ = data
    assert VectorIndex.build(x).kind == "exact"
    assert VectorIndex.build(x, hnsw_threshold=1000).kind == "hnsw"


def test_empty_index():
    vi = VectorIndex.build(np.zeros((0, 8), np.float32))
    s, r = vi.search(np.ones(8, np.float32), 5)
    assert len(vi) == 0 and r.shape == (1, 0)


def test_vectors_view_is_read_only(data):
    x, _ = data
    vi = VectorIndex.build(x)
    assert np.array_equal(vi.vectors, x)
    with pytest.raises(ValueError):
        vi.vectors[0, 0] = 1.0


@pytest.mark.parametrize("kind", ["exact", "hnsw"])
def test_save_load_roundtrip(data, built, kind, tmp_path):
    x, q = data
    vi = built[kind]
    path = tmp_path / "vectors.faiss"
    vi.save(path)
    assert not (tmp_path / "vectors.faiss.tmp").exists()
    back = VectorIndex.load(path)
    assert back.kind == kind and len(back) == len(x)
    for a, b in zip(vi.search(q, 10), back.search(q, 10)):
        assert np.array_equal(a, b)
    assert np.array_equal(back.vectors, x)


def test_hnsw_build_is_deterministic(data, tmp_path):
    import faiss

    x, _ = data
    blobs = []
    before = faiss.omp_get_max_threads()
    try:
        for threads in (1, 2):
            faiss.omp_set_num_threads(threads)
            path = tmp_path / f"h{threads}.faiss"
            VectorIndex.build(x, "hnsw").save(path)
            blobs.append(path.read_bytes())
    finally:
        faiss.omp_set_num_threads(before)
    VectorIndex.build(x, "hnsw").save(tmp_path / "again.faiss")
    blobs.append((tmp_path / "again.faiss").read_bytes())
    assert blobs[0] == blobs[1] == blobs[2]


def test_load_errors(tmp_path):
    with pytest.raises(IndexNotFoundError):
        VectorIndex.load(tmp_path / "missing.faiss")
    bad = tmp_path / "bad.faiss"
    bad.write_bytes(b"garbage" * 50)
    with pytest.raises(IndexCorruptError) as err:
        VectorIndex.load(bad)
    assert "\n" not in str(err.value)
    import faiss

    l2 = faiss.IndexFlatL2(4)
    faiss.write_index(l2, str(tmp_path / "l2.faiss"))
    with pytest.raises(IndexCorruptError, match="inner-product"):
        VectorIndex.load(tmp_path / "l2.faiss")
