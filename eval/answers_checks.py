#!/usr/bin/env python3
"""Checks eval/answers.jsonl, the judged answer benchmark (stdlib only).

    python3 eval/answers_checks.py [path/to/answers.jsonl]

Checks: unique ids with the right prefix for their language, required fields and types, allowed
values (split, lang, kind, corpus, amount qualifiers), every doc_id exists in its corpus folder
(shipped: corpus/, eval: eval/answers_corpus/, fresh_a … fresh_h: eval/fresh_*_corpus/), every
`evidence` and every amount's `written` text
occurs verbatim in its article file, `top` is one of the places (and set for most/least),
`no_answer` agrees with `places`, language shares (>= 30 % each), at least 120 questions, at least
15 no-answer questions, and dev/test balance (overall and per corpus, language and kind, within 2).
Prints a summary table (corpus x lang x kind, dev/test) and exits 1 on any error.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = {"shipped": ROOT / "corpus", "eval": ROOT / "eval" / "answers_corpus",
           **{f"fresh_{x}": ROOT / "eval" / f"fresh_{x}_corpus" for x in "abcdefgh"}}
SUFFIXES = (".txt", ".html", ".htm")
LANGS = {"en": "en", "vi": "vi", "vi-nodiac": "nd"}
KINDS = ("which", "how_much", "how_many", "most", "least", "any", "difficulties",
         "directive_period", "comparison")
SPLITS = ("dev", "test")
QUALIFIERS = {None, "more_than", "nearly", "about", "at_least", "at_most", "less_than", "up_to",
              "range"}
FIELDS = {"id": str, "split": str, "corpus": str, "lang": str, "kind": str, "question": str,
          "places": list, "not_places": list, "top": (str, type(None)), "no_answer": bool,
          "note": str}
MIN_QUESTIONS, MIN_NO_ANSWER, MIN_LANG_SHARE, MAX_SPLIT_GAP = 120, 15, 0.30, 2


def article_texts() -> dict[tuple[str, str], str]:
    texts = {}
    for corpus, folder in CORPORA.items():
        if not folder.is_dir():
            continue  # a corpus no question uses yet: its questions fail on their doc_id
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in SUFFIXES:
                texts[(corpus, path.stem)] = path.read_text(encoding="utf-8")
    return texts


def check(path: Path) -> tuple[list[dict], list[str], list[str]]:
    texts = article_texts()
    errors: list[str] = []
    warnings: list[str] = []
    rows: list[dict] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: invalid JSON ({e})")
            continue
        if not isinstance(q, dict):
            errors.append(f"{where}: not an object")
            continue
        bad = [k for k, t in FIELDS.items() if k not in q or not isinstance(q[k], t)]
        if bad:
            errors.append(f"{where}: missing or mistyped field(s) {bad}")
            continue
        where = f"{where} ({q['id']})"
        rows.append(q)
        if q["id"] in seen:
            errors.append(f"{where}: duplicate id")
        seen.add(q["id"])
        if q["split"] not in SPLITS:
            errors.append(f"{where}: split {q['split']!r}")
        if q["lang"] not in LANGS:
            errors.append(f"{where}: lang {q['lang']!r}")
        elif not q["id"].startswith(LANGS[q["lang"]] + "-"):
            errors.append(f"{where}: id prefix does not match lang {q['lang']}")
        if q["kind"] not in KINDS:
            errors.append(f"{where}: kind {q['kind']!r}")
        if q["corpus"] not in CORPORA:
            errors.append(f"{where}: corpus {q['corpus']!r}")
            continue
        if not q["question"].strip() or not q["note"].strip():
            errors.append(f"{where}: empty question or note")
        place_keys = set()
        for i, p in enumerate(q["places"]):
            pw = f"{where} places[{i}]"
            if not isinstance(p, dict):
                errors.append(f"{pw}: not an object")
                continue
            for k in ("doc_id", "locality", "province", "evidence"):
                if not isinstance(p.get(k), str):
                    errors.append(f"{pw}: missing or mistyped {k}")
            if not all(isinstance(p.get(k), str) for k in ("doc_id", "locality", "evidence")):
                continue
            text = texts.get((q["corpus"], p["doc_id"]))
            if text is None:
                errors.append(f"{pw}: doc_id {p['doc_id']} not in corpus {q['corpus']}")
                continue
            place_keys.add((p["doc_id"], p["locality"]))
            if not p["locality"].strip():
                errors.append(f"{pw}: empty locality")
            ev = p["evidence"]
            if not 20 <= len(ev) <= 200:
                errors.append(f"{pw}: evidence length {len(ev)} not in 20..200")
            if ev not in text:
                errors.append(f"{pw}: evidence not verbatim in {p['doc_id']}: {ev[:60]!r}")
            for a in p.get("amounts", []) or []:
                if not isinstance(a, dict) or not isinstance(a.get("vnd"), int) or a["vnd"] <= 0:
                    errors.append(f"{pw}: bad amount {a!r}")
                    continue
                if a.get("qualifier") not in QUALIFIERS:
                    errors.append(f"{pw}: qualifier {a.get('qualifier')!r}")
                if a.get("qualifier") == "range" and not isinstance(a.get("vnd_max"), int):
                    errors.append(f"{pw}: range amount without integer vnd_max")
                w = a.get("written")
                if not isinstance(w, str) or w not in text:
                    errors.append(f"{pw}: written amount not verbatim in {p['doc_id']}: {w!r}")
                elif w not in ev:
                    warnings.append(f"{pw}: written amount {w!r} is outside the evidence")
            if "amounts" in p and not isinstance(p["amounts"], list):
                errors.append(f"{pw}: amounts is not a list")
            for c in p.get("counts", []) or []:
                if (not isinstance(c, dict) or not isinstance(c.get("value"), (int, float))
                        or not isinstance(c.get("unit"), str) or not c["unit"].strip()):
                    errors.append(f"{pw}: bad count {c!r}")
        for i, p in enumerate(q["not_places"]):
            pw = f"{where} not_places[{i}]"
            if not isinstance(p, dict) or not isinstance(p.get("doc_id"), str) \
                    or not isinstance(p.get("locality"), str):
                errors.append(f"{pw}: needs doc_id and locality")
                continue
            if (q["corpus"], p["doc_id"]) not in texts:
                errors.append(f"{pw}: doc_id {p['doc_id']} not in corpus {q['corpus']}")
            if (p["doc_id"], p["locality"]) in place_keys:
                errors.append(f"{pw}: also listed in places")
        if q["no_answer"] and q["places"]:
            errors.append(f"{where}: no_answer but places given")
        if not q["no_answer"] and not q["places"]:
            errors.append(f"{where}: no places and no_answer false")
        if q["kind"] in ("most", "least") and not q["no_answer"] and q["top"] is None:
            errors.append(f"{where}: most/least question without top")
        if q["top"] is not None and q["top"] not in {p.get("doc_id") for p in q["places"]}:
            errors.append(f"{where}: top {q['top']} is not among the places")
    # totals
    total = len(rows)
    if total < MIN_QUESTIONS:
        errors.append(f"only {total} questions (< {MIN_QUESTIONS})")
    no_answer = sum(q["no_answer"] for q in rows)
    if no_answer < MIN_NO_ANSWER:
        errors.append(f"only {no_answer} no-answer questions (< {MIN_NO_ANSWER})")
    langs = Counter(q["lang"] for q in rows)
    for lang in LANGS:
        if total and langs[lang] / total < MIN_LANG_SHARE:
            errors.append(f"lang {lang}: {langs[lang]}/{total} below {MIN_LANG_SHARE:.0%}")
    for dim in ("corpus", "lang", "kind", None):
        groups: dict[str, Counter] = {}
        for q in rows:
            groups.setdefault(q[dim] if dim else "all", Counter())[q["split"]] += 1
        for g, c in groups.items():
            if abs(c["dev"] - c["test"]) > MAX_SPLIT_GAP:
                errors.append(f"split imbalance {dim or 'overall'}={g}: "
                              f"dev {c['dev']} test {c['test']}")
    return rows, errors, warnings


def summary(rows: list[dict]) -> str:
    cells = Counter((q["corpus"], q["lang"], q["kind"], q["split"]) for q in rows)
    out = [f"{'corpus':8} {'lang':10} {'kind':17} {'dev':>4} {'test':>4} {'all':>4}"]
    for corpus in CORPORA:
        for lang in LANGS:
            for kind in KINDS:
                d, t = cells[(corpus, lang, kind, "dev")], cells[(corpus, lang, kind, "test")]
                if d or t:
                    out.append(f"{corpus:8} {lang:10} {kind:17} {d:4} {t:4} {d + t:4}")
    out.append("")
    for dim in ("corpus", "lang", "kind"):
        c = Counter((q[dim], q["split"]) for q in rows)
        keys = sorted({k for k, _ in c})
        out.append(f"by {dim}: " + ", ".join(
            f"{k} {c[(k, 'dev')]}/{c[(k, 'test')]}" for k in keys) + "  (dev/test)")
    na = Counter((q["corpus"], q["lang"]) for q in rows if q["no_answer"])
    out.append(f"no_answer: {sum(na.values())} — " + ", ".join(
        f"{c}/{lg} {n}" for (c, lg), n in sorted(na.items())))
    d = sum(q["split"] == "dev" for q in rows)
    out.append(f"total: {len(rows)} questions, dev {d}, test {len(rows) - d}; "
               f"places {sum(len(q['places']) for q in rows)}, "
               f"not_places {sum(len(q['not_places']) for q in rows)}")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else ROOT / "eval" / "answers.jsonl"
    rows, errors, warnings = check(path)
    print(summary(rows))
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
