"""How often a way of asking that changes nothing changes `ask`'s places (a metamorphic check).

    .venv/bin/python eval/invariance.py [--split dev|test|all] [--show N]

Every question of the answer benchmark (eval/answers.jsonl) is asked again in other words that
ask the same: a request or thanks around it ("Could you tell me …", "Xin hỏi, …", "… Thanks."), a
sentence of context before or after it ("I am preparing a report …"),
another case or punctuation, Unicode decomposed (NFD), American or British spelling, another word
for "which places" ("Which localities …", "Những địa phương nào …"). For each family it prints how
many answers changed their set of places. The right figure is 0 — except for "no-diacritics" (a
Vietnamese question typed without its diacritics), which measures how far the restorer's guesses
move the answer. The expected answers are not read, so the test half may be reported like the
dev half (the families were written from the dev half).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from search import open_index  # noqa: E402
from search.app.benchmark import benchmark_indexes  # noqa: E402
from search.app.evaluate_answers import load_answer_questions  # noqa: E402
from search.text.normalize import fold  # noqa: E402


def _lower_first(q: str) -> str:
    return q[:1].lower() + q[1:]


# family → language → ways of asking the same question
FRAMES = {
    "request": {
        "en": [lambda q: f"Please tell me: {q}", lambda q: f"Could you tell me {_lower_first(q)}",
               lambda q: f"I would like to know {_lower_first(q)}",
               lambda q: f"According to the reports, {_lower_first(q)}", lambda q: f"{q} Thanks."],
        "vi": [lambda q: f"Cho tôi biết {_lower_first(q)}", lambda q: f"Xin hỏi, {_lower_first(q)}",
               lambda q: f"Theo các bài báo, {_lower_first(q)}", lambda q: f"Hãy cho biết {_lower_first(q)}",
               lambda q: f"{q} Cảm ơn."],
        "vi-nodiac": [lambda q: f"cho toi biet {q}", lambda q: f"xin hoi {q}", lambda q: f"theo cac bai bao {q}",
                      lambda q: f"hay cho biet {q}"],
    },
    "context": {
        "en": [lambda q: f"I am preparing a report for my research group. {q}",
               lambda q: f"{q} I need it for an article."],
        "vi": [lambda q: f"Tôi đang chuẩn bị một bài viết cho tạp chí. {q}"],
        "vi-nodiac": [lambda q: f"toi dang chuan bi mot bai viet cho tap chi. {q}"],
    },
    "typing": {
        "en": [str.lower, lambda q: q.rstrip("?").rstrip(), lambda q: "  " + q.replace(" ", "  ") + " "],
        "vi": [str.lower, lambda q: q.rstrip("?").rstrip(), lambda q: unicodedata.normalize("NFD", q)],
        "vi-nodiac": [lambda q: q.rstrip("?") + "?", lambda q: q[:1].upper() + q[1:]],
    },
}
_STEMS = r"(?:mobil|organ|recogn|priorit|real|util|subsid|mechan|modern|urban|capital)"
_TO_US = [(_STEMS + r"is(?=e|ed|es|ing|ation|ations)", lambda m: m.group(0)[:-2] + "iz"),
          (r"\b(hon|lab|fav|neighb|colo|behavi)our", r"\1or"),
          (r"\bprogramme", "program"), (r"\bcentre", "center")]
_TO_UK = [(_STEMS + r"iz(?=e|ed|es|ing|ation|ations)", lambda m: m.group(0)[:-2] + "is"),
          (r"\b(hon|lab|fav|neighb|colo|behavi)or(?!ou)", r"\1our"),
          (r"\bprogram(?!me)", "programme"), (r"\bcenter", "centre")]


def _spelling(q: str, to_us: bool) -> str:
    """British spelling as American ("mobilised" → "mobilized", "honoured" → "honored"), or back."""
    for pattern, repl in (_TO_US if to_us else _TO_UK):
        q = re.sub(pattern, repl, q, flags=re.IGNORECASE)
    return q


# another word for "which places": (pattern at the start, replacements)
SWAPS = {
    "en": [(r"^Which places\b", ["Which localities", "What places", "In which places", "Which areas"]),
           (r"^Which districts\b", ["What districts", "In which districts"]),
           (r"^Where\b", ["In which places"])],
    "vi": [(r"^Những nơi nào\b", ["Những địa phương nào", "Các địa phương nào", "Nơi nào", "Những đâu"]),
           (r"^Địa phương nào\b", ["Những địa phương nào", "Nơi nào"]),
           (r"^Huyện nào\b", ["Những huyện nào", "Các huyện nào"])],
    "vi-nodiac": [(r"^nhung noi nao\b", ["nhung dia phuong nao", "noi nao", "cac dia phuong nao"]),
                  (r"^dia phuong nao\b", ["nhung dia phuong nao", "noi nao"])],
}


def variants(question: str, lang: str) -> list[tuple[str, str]]:
    out = [(family, f(question)) for family, by_lang in FRAMES.items() for f in by_lang.get(lang, [])]
    if lang == "en":
        out += [("spelling", v) for v in {_spelling(question, True), _spelling(question, False)} if v != question]
    if lang == "vi":  # typed without diacritics: the restorer's guesses may differ (not 0 by design)
        out.append(("no-diacritics", fold(question)))
    if lang == "en" and fold(question) != question.lower():  # its Vietnamese names without diacritics
        out.append(("names-folded", "".join(c if fold(c) == c.lower() else fold(c) for c in question)))
    for pattern, subs in SWAPS.get(lang, []):
        if re.search(pattern, question):
            out += [("which-word", re.sub(pattern, s, question, count=1)) for s in subs]
    return out


def places(idx, question: str) -> list[tuple[str, str]]:
    df = idx.ask(question)
    return sorted(zip(df["locality"].fillna("").astype(str), df["province"].fillna("").astype(str)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print N changed answers")
    args = ap.parse_args()
    indexes = benchmark_indexes(open_index(ROOT / "index"), ROOT / "eval")
    questions = [q for q in load_answer_questions(ROOT / "eval" / "answers.jsonl")
                 if args.split == "all" or q.split == args.split]
    asked, changed, shown = Counter(), Counter(), []
    for q in questions:
        idx = indexes[q.corpus]
        base = places(idx, q.question)
        for family, v in variants(q.question, q.lang):
            asked[family] += 1
            if places(idx, v) != base:
                changed[family] += 1
                shown.append(f"  {q.id} [{family}] {v!r}")
    print(f"{len(questions)} questions ({args.split}); answers whose places changed, per family:")
    for family in asked:
        print(f"  {family:<13} {changed[family]:4d} / {asked[family]}")
    print(f"  {'all':<13} {sum(changed.values()):4d} / {sum(asked.values())}")
    print("\n".join(shown[:args.show]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
