"""Warm `ask` against warm `search` on the shipped index: the questions of the answer benchmark that
run over the shipped corpus (both halves: this measures time, not answers; nothing is tuned on it).

Prints figures; asserts nothing about time.

    .venv/bin/python bench/bench_ask.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from search import open_index  # noqa: E402
from search.app.evaluate_answers import load_answer_questions  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="times each question is asked")
    args = ap.parse_args()
    idx = open_index(ROOT / "index")
    questions = [q.question for q in load_answer_questions(ROOT / "eval" / "answers.jsonl")
                 if q.corpus == "shipped"]
    for q in questions[:3]:  # warm: tables, vectors, BM25, restorer loaded
        idx.search(q, k=10)
        idx.ask(q)
    times: dict[str, list[float]] = {"search": [], "ask": []}
    for _ in range(args.rounds):
        for q in questions:  # interleaved, so both see the same load
            for name, call in (("search", lambda: idx.search(q, k=10)), ("ask", lambda: idx.ask(q))):
                idx.forget_queries()  # each call embeds its question, as a new question would
                t = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - t)
    s50, a50 = statistics.median(times["search"]), statistics.median(times["ask"])
    print(f"{len(questions)} questions × {args.rounds} rounds on the shipped index "
          f"({len(idx.articles)} articles), load average {os.getloadavg()[0]:.1f}")
    for name, xs in times.items():
        print(f"  warm {name:6s} p50 {statistics.median(xs) * 1000:7.1f} ms   p95 {pct(xs, 0.95) * 1000:7.1f} ms")
    print(f"  ask p50 / search p50 = {a50 / s50:.2f}× (goal ≤ 3×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
