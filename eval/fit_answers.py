"""Fit the evidence weights of `ask` on the DEV half of eval/answers.jsonl (never the test half).

    .venv/bin/python eval/fit_answers.py [--thresholds 2.5,3,3.5]

1. For every dev question, every sentence in its scope gets the evidence features of
   ``search.app.answers.FEATURES``; a sentence holding an expected place's evidence quote is a
   positive, a sentence of an article that does not answer a negative, the other sentences of an
   answering article are left out (they may or may not speak of it). Sentences that cannot be
   evidence (a required figure or quoted name missing) are left out too.
2. A logistic regression (classes balanced, L2 = 1) gives the weights.
3. The place threshold ``min_logit`` is chosen on the dev exact-answer accuracy of the full `ask`.

``--cv K`` first estimates how this procedure does on dev questions it was not fitted on: the dev
questions are cut into K folds; the weights are fitted on K-1 of them and every threshold is scored
on the held-out fold, whose answers are pooled over the folds. Choose the threshold on these pooled
held-out figures: the in-sample ones reward a threshold that only fits the questions it saw.

Prints the weights and the dev figures; copy them into ``AnswerSettings`` by hand (reviewed).
Needs the shipped index (index/); the benchmark's own corpora are indexed when missing or stale.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from search import open_index  # noqa: E402
from search.app.answers import FEATURES, AnswerSettings, evidence_features  # noqa: E402
from search.app.benchmark import benchmark_indexes  # noqa: E402
from search.app.evaluate_answers import evaluate_answers, load_answer_questions, summarize_answers  # noqa: E402
from search.text.normalize import fold, normalize  # noqa: E402


def canon(text: str) -> str:
    return re.sub(r"\s+", " ", fold(normalize(text))).strip()


def sentence_table(indexes, questions) -> pd.DataFrame:
    rows = []
    for q in questions:
        _, f = evidence_features(indexes[q.corpus], q.question)
        quotes = {p.doc_id: canon(p.evidence) for p in q.places}
        for r in f.itertuples():
            if r.requirement <= 0 or not r.name_ok:
                continue
            if r.doc_id in quotes:
                s, quote = canon(r.text), quotes[r.doc_id]
                y = 1.0 if (quote[:60] in s or s[:60] in quote) else None
            else:
                y = 0.0
            if y is not None:
                rows.append({"qid": q.id, "y": y, **{k: getattr(r, k) for k in FEATURES}})
    return pd.DataFrame(rows)


def fit(table: pd.DataFrame, l2: float = 1.0) -> np.ndarray:
    x = np.hstack([np.ones((len(table), 1)), table[list(FEATURES)].to_numpy(float)])
    y = table["y"].to_numpy(float)
    cw = np.where(y == 1, (len(y) - y.sum()) / max(y.sum(), 1), 1.0)
    w = np.zeros(x.shape[1])
    reg = l2 * np.diag(np.r_[0.0, np.ones(len(w) - 1)])
    for _ in range(50):  # Newton steps
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ ((p - y) * cw) + reg @ w
        hess = (x * (p * (1 - p) * cw)[:, None]).T @ x + reg
        w -= np.linalg.solve(hess, grad)
    return w


def report(label: str, per: pd.DataFrame) -> None:
    row = summarize_answers(per, by=()).iloc[0]
    print(f"{label}: exact {row['exact']:.3f}  f1 {row['f1']:.3f}  no-answer {row['no_answer_acc']:.3f}  "
          f"false-empty {row['false_empty']:.3f}  amounts {row['amount_acc']:.3f}")


def cross_validate(indexes, dev, table: pd.DataFrame, thresholds: list[float], k: int) -> None:
    """Held-out figures per threshold: fit on K-1 folds, answer the K-th (folds by question id)."""
    ids = sorted(q.id for q in dev)
    fold = {qid: i % k for i, qid in enumerate(ids)}
    held: dict[float, list[pd.DataFrame]] = {t: [] for t in thresholds}
    for f in range(k):
        w = fit(table[table["qid"].map(fold) != f])
        part = [q for q in dev if fold[q.id] == f]
        for t in thresholds:
            s = AnswerSettings(weights=tuple(float(v) for v in w), min_logit=t)
            held[t].append(evaluate_answers(lambda corpus, q, s=s: indexes[corpus].ask(q, settings=s), part))
    print(f"{k}-fold cross-validation on the dev half (held-out answers pooled):")
    for t in thresholds:
        report(f"  min_logit {t}", pd.concat(held[t], ignore_index=True))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--thresholds", default="3,3.5,4,4.5,5")
    ap.add_argument("--cv", type=int, default=0, metavar="K", help="K-fold cross-validation first")
    args = ap.parse_args()
    thresholds = [float(v) for v in args.thresholds.split(",")]
    indexes = benchmark_indexes(open_index(ROOT / "index"), ROOT / "eval")
    dev = [q for q in load_answer_questions(ROOT / "eval" / "answers.jsonl") if q.split == "dev"]
    table = sentence_table(indexes, dev)
    if args.cv > 1:
        cross_validate(indexes, dev, table, thresholds, args.cv)
    w = fit(table)
    print(f"{len(table)} labelled sentences, {int(table['y'].sum())} positive")
    print("weights (intercept, " + ", ".join(FEATURES) + "):", tuple(round(float(v), 3) for v in w))
    print("fitted on the whole dev half (in-sample):")
    for t in thresholds:
        s = AnswerSettings(weights=tuple(float(v) for v in w), min_logit=t)
        report(f"  min_logit {t}", evaluate_answers(lambda corpus, q, s=s: indexes[corpus].ask(q, settings=s), dev))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
