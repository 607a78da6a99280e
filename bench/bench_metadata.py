"""Metadata extraction time against article size (it must grow linearly), and what ingest adds.

An article of N MB is made by repeating the paragraphs of the shipped corpus; the script times
cleaning, ``extract_metadata``, the duplicate signature and the garbled-text check separately and
prints seconds per size. Asserts nothing.

    .venv/bin/python bench/bench_metadata.py                 # 1, 2, 4, 8 MB
    .venv/bin/python bench/bench_metadata.py --sizes 2 4 8
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from search.ingest.clean import clean_text  # noqa: E402
from search.ingest.duplicates import signature  # noqa: E402
from search.ingest.metadata import extract_metadata  # noqa: E402
from search.text.damage import damage  # noqa: E402


def make_article(megabytes: float) -> str:
    """A flattened web article of about ``megabytes`` MB: the cleaned paragraphs of the shipped
    corpus, over and over, each numbered so that no two are equal (like one very long report)."""
    articles = [clean_text(f.read_text(encoding="utf-8")) for f in sorted((ROOT / "corpus").glob("*.txt"))]
    paragraphs = [p for a in articles for p in a.paragraphs]
    want = int(megabytes * 1024 * 1024)
    parts = [articles[0].title]
    size, i = len(parts[0].encode("utf-8")), 0
    while size < want:
        p = f"{i + 1}. {paragraphs[i % len(paragraphs)]}"
        parts.append(p)
        size += len(p.encode("utf-8")) + 2
        i += 1
    return "\n\n".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", type=float, default=[1, 2, 4, 8])
    args = ap.parse_args()
    print(f"{'MB':>5} {'chars':>10} {'clean s':>8} {'metadata s':>11} {'µs/kchar':>9} {'signature s':>12} "
          f"{'damage s':>9}")
    for mb in args.sizes:
        raw = make_article(mb)
        t0 = time.perf_counter()
        clean = clean_text(raw)
        t1 = time.perf_counter()
        extract_metadata(clean, "bench")
        t2 = time.perf_counter()
        signature(raw)
        t3 = time.perf_counter()
        damage(raw)
        t4 = time.perf_counter()
        n = len(raw)
        print(f"{mb:>5g} {n:>10,} {t1 - t0:>8.2f} {t2 - t1:>11.2f} {1e6 * (t2 - t1) / (n / 1000):>9.1f} "
              f"{t3 - t2:>12.2f} {t4 - t3:>9.2f}")


if __name__ == "__main__":
    main()
