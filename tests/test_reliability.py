"""Reliability: every case of issue 13, tried as a careless or hostile user would.

Tampered or mismatched index files, malformed manifests, an index rebuilt while it is being read,
builds killed midway, another build running, write-protected folders, oversize and garbled inputs,
duplicates, queries of nothing. Each gives one clear line and the right exit code (2 for bad input
or a bad index, 1 for the rest), or the library's own exception — never a traceback, never exit 0
with a wrong answer. The property-based fuzz tests are in test_fuzz.py.

Permission cases run for real: as a normal user directly, as root in a subprocess without the
capabilities that let root ignore file modes (``capsh --drop``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from conftest import CORPUS, ROOT
from search import open_index
from search.app.cli import main
from search.errors import (
    CacheWarning,
    CorpusError,
    CorpusWarning,
    IndexCorruptError,
    IndexLockedError,
    QueryError,
    StaleIndexError,
)
from search.indexing.build import build_index
from search.validation import MAX_ARTICLE_BYTES, MAX_QUERY_CHARS

SHIPPED = sorted(p.name for p in CORPUS.iterdir())
FIRST = sorted(CORPUS.glob("*.txt"))[0]


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """The single error line (fails on a traceback, a catch-all or several lines)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "unexpected error" not in err, err
    return lines[0]


@pytest.fixture
def work(tmp_path, fake_index):
    """A private copy of the shipped corpus and its fake-embedder index: tmp/corpus, tmp/index."""
    shutil.copytree(fake_index.parent / "corpus", tmp_path / "corpus")
    shutil.copytree(fake_index, tmp_path / "index")
    return tmp_path


@pytest.fixture(scope="session")
def small_index(tmp_path_factory):
    """Another index: three of the five articles (21-odd chunks), built the same way."""
    base = tmp_path_factory.mktemp("small")
    (base / "corpus").mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:3]:
        shutil.copy(p, base / "corpus" / p.name)
    build_index(base / "corpus", base / "index", "fake")
    return base / "index"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


# ================================================================= tampered index files
@pytest.mark.parametrize("name", ["vectors.faiss", "store.sqlite", "sentences.npy", "precedents.npy", "lexical"])
def test_a_file_from_another_index_is_refused_naming_it(capsys, work, small_index, name):
    target = work / "index" / name
    if target.is_dir():
        shutil.rmtree(target)
        shutil.copytree(small_index / name, target)
    else:
        shutil.copy(small_index / name, target)
    with pytest.raises(IndexCorruptError, match=name):
        open_index(work / "index").search("xây nhà", k=3)
    code, out, err = cli(capsys, "query", "xây nhà", "--index", work / "index")
    assert code == 2 and out == "" and name in one_line(err)


def test_a_store_of_another_index_with_the_same_size_is_refused_by_its_counts(capsys, work, small_index):
    # SQLite files grow by whole pages: sizes often agree, so the row counts are checked at open too
    target = work / "index" / "store.sqlite"
    size = target.stat().st_size
    data = (small_index / "store.sqlite").read_bytes()
    assert len(data) < size
    target.write_bytes(data + b"\0" * (size - len(data)))  # SQLite ignores pages past its header's count
    with pytest.raises(IndexCorruptError, match="store.sqlite.*table articles.*holds 3 articles"):
        open_index(work / "index")
    code, _, err = cli(capsys, "info", "--index", work / "index")
    assert code == 2 and "store.sqlite" in one_line(err)


def _rewrite_faiss(path: Path, change) -> None:
    import faiss

    index = faiss.read_index(str(path))
    x = faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)
    change(x)
    faiss.write_index(index, str(path))


@pytest.mark.parametrize("damage,needle", [
    (lambda x: x.__setitem__(3, np.nan), "NaN"),
    (lambda x: x.__setitem__(slice(None), np.random.default_rng(0).normal(size=x.shape)), "unit length"),
    (lambda x: x.__setitem__(0, 0.0), "unit length"),
])
def test_stored_vectors_with_nan_noise_or_zeros_are_refused(capsys, work, damage, needle):
    _rewrite_faiss(work / "index" / "vectors.faiss", damage)
    # same size: open succeeds, the first use of the vectors does not
    idx = open_index(work / "index")
    assert len(idx.chunks) == idx.manifest["counts"]["chunks"] > 0  # tables still fine
    with pytest.raises(IndexCorruptError, match=f"vectors.faiss.*{needle}"):
        idx.search("xây nhà", k=3)
    code, _, err = cli(capsys, "query", "xây nhà", "--index", work / "index")
    assert code == 2 and "vectors.faiss" in one_line(err)


@pytest.mark.parametrize("name,call", [
    ("sentences.npy", lambda idx: idx.ask("xây nhà cho hộ nghèo")),
    ("precedents.npy", lambda idx: idx.precedents("nhà ở cho hộ nghèo", k=3)),
])
def test_matrices_with_nan_or_the_wrong_shape_are_refused(work, name, call):
    path = work / "index" / name
    x = np.load(path)
    bad = x.copy()
    bad[1, 5] = np.nan
    np.save(path, bad, allow_pickle=False)
    with pytest.raises(IndexCorruptError, match=f"{name}.*NaN"):
        call(open_index(work / "index"))
    # same bytes, other shape: (n, 64) saved as (n/2, 128)
    np.save(path, x.reshape(-1, 2 * x.shape[1]) if len(x) % 2 == 0 else x[:, :-1], allow_pickle=False)
    with pytest.raises(IndexCorruptError, match=name):
        call(open_index(work / "index"))


def test_counts_that_disagree_with_the_files_are_refused(capsys, work):
    m = json.loads((work / "index" / "manifest.json").read_text(encoding="utf-8"))
    m["counts"]["figures"] += 1
    (work / "index" / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="figures"):
        open_index(work / "index").figures  # noqa: B018  # loading checks the count
    code, _, err = cli(capsys, "figures", "--index", work / "index")
    assert code == 2 and "store.sqlite" in one_line(err)


def test_verify_recomputes_checksums_and_names_the_changed_file(capsys, work):
    code, out, err = cli(capsys, "verify", "--index", work / "index")
    manifest = _manifest(work)
    n, files = manifest["counts"]["chunks"], len(manifest["files"])
    assert code == 0 and f"{files} files match" in out and f"{n} chunks" in out, err
    store = work / "index" / "store.sqlite"
    data = store.read_bytes()
    before, after = "Bình Sơn".encode(), "Bình Sơm".encode()
    assert before in data
    store.write_bytes(data.replace(before, after, 1))  # same size: only a checksum can tell
    idx = open_index(work / "index")  # the cheap checks pass …
    assert idx.articles["text"].str.contains("Bình Sơm").any() or idx.chunks["text"].str.contains("Bình Sơm").any()
    with pytest.raises(IndexCorruptError, match="store.sqlite.*checksum"):
        open_index(work / "index", verify=True)
    code, out, err = cli(capsys, "verify", "--index", work / "index")
    assert code == 2 and "store.sqlite" in one_line(err) and "checksum" in err


def test_the_committed_index_verifies():
    report = open_index(ROOT / "index").verify()
    assert report["chunks"] == report["vectors"] == report["lexical"] > 0


# ================================================================= malformed manifests
def _manifest(work) -> dict:
    return json.loads((work / "index" / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case,make", [
    ("a JSON list", lambda m: [m]),
    ("not JSON", lambda m: "{not json"),
    ("no embedder", lambda m: {k: v for k, v in m.items() if k != "embedder"}),
    ("no chunking", lambda m: {k: v for k, v in m.items() if k != "chunking"}),
    ("no files", lambda m: {k: v for k, v in m.items() if k != "files"}),
    ("unknown chunking", lambda m: {**m, "chunking": {"size": 3}}),
    ("count not a number", lambda m: {**m, "counts": {**m["counts"], "chunks": "56"}}),
    ("embedder dim zero", lambda m: {**m, "embedder": {**m["embedder"], "dim": 0}}),
    ("older format", lambda m: {**m, "format_version": 2}),
    ("files lists no store", lambda m: {**m, "files": {k: v for k, v in m["files"].items() if k != "store.sqlite"}}),
    ("file record not a record", lambda m: {**m, "files": {**m["files"], "store.sqlite": 5}}),
    ("vectors and chunks disagree", lambda m: {**m, "counts": {**m["counts"], "vectors": 21}}),
])
def test_a_malformed_manifest_is_one_line_exit_2(capsys, work, case, make):
    new = make(_manifest(work))
    text = new if isinstance(new, str) else json.dumps(new, ensure_ascii=False)
    (work / "index" / "manifest.json").write_text(text, encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        open_index(work / "index")
    for command in (["query", "nhà"], ["info"], ["verify"]):
        code, out, err = cli(capsys, *command, "--index", work / "index")
        assert code == 2 and "manifest.json" in one_line(err), (case, command)
    # a build replaces a broken index rather than failing on it
    code, out, err = cli(capsys, "build", "--corpus", work / "corpus", "--index", work / "index",
                         "--embedder", "fake")
    assert code == 0 and "built" in out, err


# ================================================================= snapshot reads
def _answer(idx, query="xây nhà cho hộ nghèo", method="hybrid"):
    res = idx.search(query, k=5, method=method)
    return list(zip(res["chunk_id"], res["score"], res["text"]))


@pytest.fixture(scope="session")
def generations(tmp_path_factory, fake_index):
    """Two corpora whose indexes differ in every row: gen1 = the shipped five, gen2 = four of them
    with one article removed at the front (every chunk row shifts)."""
    base = tmp_path_factory.mktemp("gens")
    (base / "c2").mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[1:]:
        shutil.copy(p, base / "c2" / p.name)
    build_index(base / "c2", base / "i2", "fake")
    return fake_index, base / "c2", base / "i2"


@pytest.mark.parametrize("method", ["lexical", "dense", "hybrid"])
def test_a_partly_loaded_index_never_mixes_two_builds(work, generations, method):
    _, corpus2, _ = generations
    idx = open_index(work / "index")
    idx.chunks  # noqa: B018  # loaded from the first build
    build_index(corpus2, work / "index", "fake", force=True)  # swapped under it
    with pytest.raises(StaleIndexError, match="open it again"):
        idx.search("xây nhà cho hộ nghèo", k=5, method=method)
    assert idx.stale is True
    fresh = open_index(work / "index", corpus=corpus2)
    assert _answer(fresh, method=method) == _answer(open_index(generations[2]), method=method)


def test_a_fully_loaded_index_keeps_answering_from_its_own_build(work, generations):
    idx = open_index(work / "index")
    idx.chunks  # noqa: B018  # a search reads only its result rows until the chunks are loaded
    before = _answer(idx)
    cold = open_index(work / "index")
    assert _answer(cold) == before and "chunks" not in cold.__dict__
    build_index(generations[1], work / "index", "fake", force=True)
    assert _answer(idx) == before  # nothing new to load: the opened build answers
    with pytest.raises(StaleIndexError, match="open it again"):
        _answer(cold)  # its next rows would come from the new build: refused, never mixed


def test_opening_as_a_finished_swap_replaces_the_files_reads_the_new_build(work, generations, monkeypatch):
    """The manifest read, then a build swaps its folder in and finishes before the files are
    checked: the sizes differ, no build runs any more — the index is opened again, not refused."""
    import search.app.index as index_module

    _, _, gen2_index = generations
    real = index_module.check_files
    calls = {"n": 0}

    def swap_then_check(path, manifest):
        calls["n"] += 1
        if calls["n"] == 1:  # the build swaps its folder in and is done
            shutil.rmtree(work / "index")
            shutil.copytree(gen2_index, work / "index")
        return real(path, manifest)

    monkeypatch.setattr(index_module, "check_files", swap_then_check)
    idx = open_index(work / "index", check_stale=False)
    assert calls["n"] == 2 and _answer(idx) == _answer(open_index(gen2_index))


def test_queries_in_threads_while_a_build_swaps_in(work, generations):
    """8 threads open the index and query it in a loop while a rebuild swaps another index in:
    every answer is exactly the old build's or the new build's, or a StaleIndexError."""
    gen1_index, corpus2, gen2_index = generations
    q = "xây nhà cho hộ nghèo"
    expect = {"old": _answer(open_index(gen1_index), q), "new": _answer(open_index(gen2_index), q)}
    assert expect["old"] != expect["new"]
    shared = open_index(work / "index")
    shared.chunks  # noqa: B018  # half loaded: its next load happens around the swap
    stop = threading.Event()
    seen: dict[str, int] = {"old": 0, "new": 0, "stale": 0}
    wrong: list[object] = []
    lock = threading.Lock()

    def reader(i: int) -> None:
        while not stop.is_set():
            try:
                idx = shared if i == 0 else open_index(work / "index", check_stale=False)
                got = _answer(idx, q)
                kind = next((k for k, v in expect.items() if v == got), None)
            except StaleIndexError:
                kind = "stale"
            except Exception as exc:  # anything else is a failure
                kind, got = None, repr(exc)
            with lock:
                if kind is None:
                    wrong.append(got)
                else:
                    seen[kind] += 1
            if i == 0 and kind == "stale":
                return

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    build_index(corpus2, work / "index", "fake", force=True)
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    assert not wrong, wrong[:3]
    assert seen["old"] and seen["new"], seen
    assert leftovers(work) == []


# ================================================================= killed builds, locks, leftovers
def _bigger_corpus(folder: Path, copies: int = 8) -> None:
    """The shipped articles, numbered copies: enough work for a build to be caught midway."""
    folder.mkdir()
    for i in range(copies):
        for p in sorted(CORPUS.glob("*.txt")):
            text = p.read_text(encoding="utf-8").replace("Chỉ thị", f"Chỉ thị (bản {i})")
            (folder / f"c{i}_{p.name}").write_text(text, encoding="utf-8")


def _wait_for(predicate, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


@pytest.mark.parametrize("delay", [0.0, 0.4])
def test_a_build_killed_midway_leaves_the_old_index_and_the_next_build_cleans_up(work, delay):
    before = _answer(open_index(work / "index"))
    _bigger_corpus(work / "big")
    proc = subprocess.Popen([sys.executable, "-m", "search", "build", "--corpus", str(work / "big"),
                             "--index", str(work / "index"), "--embedder", "fake", "--force"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: any(".index.tmp-" in n for n in leftovers(work)))
        time.sleep(delay)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    if proc.returncode != -signal.SIGKILL:
        pytest.skip("the build finished before it could be killed")
    assert any(n.startswith(".index.tmp-") for n in leftovers(work))  # the debris of the killed build
    assert _answer(open_index(work / "index", check_stale=False)) == before  # old index answers
    report = build_index(work / "big", work / "index", "fake")
    assert report.n_articles == 40 and leftovers(work) == []


def test_a_build_killed_between_its_renames_is_recovered(work):
    before = _answer(open_index(work / "index"))
    os.rename(work / "index", work / "index.old-999999")
    (work / ".index.tmp-999999-dead").mkdir()
    (work / "index.old-backup").mkdir()  # not ours: never touched
    assert _answer(open_index(work / "index")) == before  # a reader puts it back
    build_index(work / "corpus", work / "index", "fake", force=True)
    assert leftovers(work) == ["index.old-backup"]


_HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from search.files import make_temp_dir
    from search.indexing.lock import BuildLock
    index = sys.argv[1]
    with BuildLock(index):
        tmp = make_temp_dir(__import__("pathlib").Path(index).parent, ".index.tmp-")
        print(tmp, flush=True)
        time.sleep(120)
""")


def test_a_second_build_is_refused_and_leaves_the_running_builds_folder_alone(capsys, work):
    proc = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(work / "index")], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        tmp = Path(proc.stdout.readline().strip())
        assert tmp.is_dir()
        with pytest.raises(IndexLockedError, match=f"process {proc.pid}"):
            build_index(work / "corpus", work / "index", "fake", force=True)
        code, _, err = cli(capsys, "build", "--corpus", work / "corpus", "--index", work / "index",
                           "--embedder", "fake", "--force")
        assert code == 1 and "another build" in one_line(err)
        assert tmp.is_dir()  # still the running build's
        open_index(work / "index").search("nhà", k=1)  # readers are not blocked
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    build_index(work / "corpus", work / "index", "fake", force=True)  # the lock died with it
    assert not tmp.exists() and leftovers(work) == []


def test_files_and_folders_get_the_users_umask(work):
    for mask, dir_mode, file_mode in ((0o022, 0o755, 0o644), (0o002, 0o775, 0o664)):
        old = os.umask(mask)
        try:
            src = work / f"new_{mask}.txt"
            src.write_text(FIRST.read_text(encoding="utf-8").replace("An Phú", f"An Phú {mask}")
                           + f"\n\nBài viết riêng số {mask} về hội nghị chuyên đề năm nay.", encoding="utf-8")
            csv_mode = stat.S_IMODE((work / "corpus" / "metadata.csv").stat().st_mode)
            assert main(["ingest", str(src), "--corpus", str(work / "corpus"), "--allow-duplicate"]) == 0
            added = work / "corpus" / f"new_{mask}.txt"
            assert stat.S_IMODE(added.stat().st_mode) == file_mode
            # metadata.csv is rewritten, keeping the mode it had
            assert stat.S_IMODE((work / "corpus" / "metadata.csv").stat().st_mode) == csv_mode
            build_index(work / "corpus", work / f"index_{mask}", "fake")
            folder = work / f"index_{mask}"
            assert stat.S_IMODE(folder.stat().st_mode) == dir_mode
            assert stat.S_IMODE((folder / "lexical").stat().st_mode) == dir_mode
            for f in folder.rglob("*"):
                if f.is_file():
                    assert stat.S_IMODE(f.stat().st_mode) == file_mode, f
        finally:
            os.umask(old)
    (work / "corpus" / "metadata.csv").chmod(0o640)
    (work / "x.txt").write_text(FIRST.read_text(encoding="utf-8") + "\n\nMột đoạn nữa hoàn toàn khác biệt.",
                                encoding="utf-8")
    main(["ingest", str(work / "x.txt"), "--corpus", str(work / "corpus"), "--allow-duplicate"])
    assert stat.S_IMODE((work / "corpus" / "metadata.csv").stat().st_mode) == 0o640


# ---- permissions, for real: root runs these without the capabilities that bypass file modes
def _unprivileged(*argv: str, cwd=ROOT) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "search", *argv]
    if os.geteuid() == 0:
        capsh = shutil.which("capsh")
        if capsh is None:
            pytest.skip("running as root without capsh: cannot test file permissions")
        cmd = [capsh, "--drop=cap_dac_override,cap_dac_read_search", "--",
               "-c", " ".join(f"'{c}'" for c in cmd)]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_ingest_into_a_read_only_corpus_is_one_line_exit_1(work):
    src = work / "new.txt"
    src.write_text("Tiêu đề\n\n" + "Huyện ủy Bình Sơn tổ chức hội nghị chuyên đề về học tập và làm theo "
                   "tấm gương đạo đức Hồ Chí Minh cho toàn thể cán bộ đảng viên trong năm nay.", encoding="utf-8")
    (work / "corpus").chmod(0o555)
    try:
        r = _unprivileged("ingest", str(src), "--corpus", str(work / "corpus"))
    finally:
        (work / "corpus").chmod(0o755)
    assert r.returncode == 1 and "Permission denied" in one_line(r.stderr), r.stderr
    assert sorted(p.name for p in (work / "corpus").iterdir()) == SHIPPED


def test_an_unreadable_article_is_one_line_exit_2(work):
    art = work / "corpus" / FIRST.name
    art.chmod(0o000)
    try:
        r = _unprivileged("build", "--corpus", str(work / "corpus"), "--index", str(work / "index"),
                          "--embedder", "fake", "--force")
        r2 = _unprivileged("ingest", str(art), "--corpus", str(work / "other"))
    finally:
        art.chmod(0o644)
    assert r.returncode == 2 and FIRST.name in one_line(r.stderr) and "cannot read" in r.stderr
    assert r2.returncode == 2 and FIRST.name in one_line(r2.stderr)


def test_building_into_a_read_only_folder_is_one_line_exit_1(work):
    (work / "ro").mkdir()
    (work / "ro").chmod(0o555)
    try:
        r = _unprivileged("build", "--corpus", str(work / "corpus"), "--index", str(work / "ro" / "index"),
                          "--embedder", "fake")
    finally:
        (work / "ro").chmod(0o755)
    assert r.returncode == 1 and "Permission denied" in one_line(r.stderr), r.stderr
    assert list((work / "ro").iterdir()) == []


def test_a_build_over_a_write_protected_old_index_leaves_nothing_behind(work):
    for p in [work / "index", *(q for q in (work / "index").rglob("*") if q.is_dir())]:
        p.chmod(0o555)
    r = _unprivileged("build", "--corpus", str(work / "corpus"), "--index", str(work / "index"),
                      "--embedder", "fake", "--force")
    assert r.returncode == 0, r.stderr
    assert leftovers(work) == []
    open_index(work / "index").verify()


# ================================================================= queries and filters
@pytest.mark.parametrize("query,needle", [
    ("", "empty"),
    ("   \n\t", "empty"),
    ("🙂🙂🔥", "no letters or digits"),
    ("?!… — «»", "no letters or digits"),
    ("\x00\x01\x1b\x07\u200b", "no letters or digits"),
    ("nhà \udcff\udcfe", "not UTF-8"),
    ("x" * (MAX_QUERY_CHARS + 1), "limit of 2000"),
    ("xây nhà " * 25_000, "limit of 2000"),  # 200 KB: refused at once, not searched for a minute
])
def test_unusable_queries_are_refused_everywhere(capsys, fake_index, query, needle):
    idx = open_index(fake_index)
    for call in (lambda: idx.search(query), lambda: idx.ask(query), lambda: idx.precedents(query)):
        with pytest.raises(QueryError, match=needle):
            call()
    for command in ("query", "ask", "precedents"):
        code, out, err = cli(capsys, command, query, "--index", fake_index)
        assert code == 2 and out == "" and needle in one_line(err), command


@pytest.mark.parametrize("query", [123, None, b"nh\xc3\xa0", ["nhà"], 4.5])
def test_a_query_that_is_not_text_says_so(fake_index, query):
    with pytest.raises(QueryError, match="must be text"):
        open_index(fake_index).search(query)


def test_a_query_at_the_limit_is_answered(fake_index):
    q = ("xây nhà cho hộ nghèo " * 200)[:MAX_QUERY_CHARS]
    assert len(open_index(fake_index).search(q, k=3)) == 3
    assert len(open_index(fake_index).search("5", k=3)) <= 3  # a digit is something to search for


def test_non_utf8_bytes_on_the_command_line_are_one_line_exit_2(fake_index):
    r = subprocess.run([sys.executable, "-m", "search", "query", b"nh\xe0 \xff\xfe", "--index", str(fake_index)],
                       cwd=ROOT, capture_output=True)
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2 and "not UTF-8" in one_line(err)


@pytest.mark.parametrize("where,needle", [
    (5, "where must be"),
    (b"province=An Giang", "where must be"),
    ({"province": None}, "has no value"),
    ({"province": 3.5}, "must be text"),
    ({"province": []}, "empty list"),
    ({"colour": "red"}, "unknown filter"),
    ({5: "x"}, "not text"),
    ([5], "FIELD=VALUE"),
    ({"province": "\udcff"}, "not UTF-8"),
])
def test_bad_filters_are_query_errors(fake_index, where, needle):
    idx = open_index(fake_index)
    for call in (lambda: idx.search("nhà", where=where), lambda: idx.ask("nhà", where=where),
                 lambda: idx.precedents(where=where), lambda: idx.figures_where(where)):
        with pytest.raises(QueryError, match=needle):
            call()


def test_repeated_filters_on_one_field_are_an_or(capsys, fake_index):
    idx = open_index(fake_index)
    both = idx.search("xây nhà", k=50, where={"province": ["An Giang", "Quảng Ngãi"]})
    assert set(both["province"]) == {"An Giang", "Quảng Ngãi"}
    assert set(idx.search("xây nhà", k=50, where=["province=An Giang", "province=quang ngai"])["province"]) \
        == {"An Giang", "Quảng Ngãi"}
    code, out, _ = cli(capsys, "query", "xây nhà", "-k", "50", "--format", "json", "--index", fake_index,
                       "--where", "province=An Giang", "--where", "province=Quảng Ngãi")
    assert code == 0 and {r["province"] for r in json.loads(out)} == {"An Giang", "Quảng Ngãi"}
    # different fields still all hold
    one = idx.search("xây nhà", k=50, where=["province=An Giang", "province=Quảng Ngãi", "locality=Bình Sơn"])
    assert set(one["locality"]) == {"Bình Sơn"}
    assert len(idx.search("xây nhà", k=50, where={"year": 2012})) > 0  # a number is a value


# ================================================================= oversize articles
def test_an_article_over_2_mb_is_refused_at_ingest_and_at_build(capsys, work):
    big = work / "big.txt"
    paragraph = FIRST.read_text(encoding="utf-8")
    big.write_text("\n\n".join(f"{i}. {paragraph}" for i in range(MAX_ARTICLE_BYTES // len(paragraph.encode()) + 2)),
                   encoding="utf-8")
    assert big.stat().st_size > MAX_ARTICLE_BYTES
    code, _, err = cli(capsys, "ingest", big, "--corpus", work / "corpus")
    assert code == 2 and "big.txt" in one_line(err) and "limit of 2 MB" in err
    assert sorted(p.name for p in (work / "corpus").iterdir()) == SHIPPED
    shutil.copy(big, work / "corpus" / "big.txt")
    code, _, err = cli(capsys, "build", "--corpus", work / "corpus", "--index", work / "index", "--embedder", "fake")
    assert code == 2 and "big.txt" in one_line(err) and "limit of 2 MB" in err
    assert leftovers(work) == []


def test_the_size_limit_is_inclusive(monkeypatch, work):
    import search.ingest.corpus as corpus

    text = FIRST.read_bytes()
    monkeypatch.setattr(corpus, "MAX_ARTICLE_BYTES", len(text))
    (work / "a.txt").write_bytes(text)
    (work / "b.txt").write_bytes(text + b" ")
    with pytest.raises(CorpusError, match="over the limit"):
        corpus.ingest_files([work / "b.txt"], work / "fresh")
    assert corpus.ingest_files([work / "a.txt"], work / "fresh") == ["a"]


# ================================================================= corpus errors
def test_a_missing_or_empty_corpus_is_exit_2(capsys, tmp_path):
    for corpus in (tmp_path / "none", tmp_path / "empty", tmp_path / "file.txt"):
        if corpus.name == "empty":
            corpus.mkdir()
        if corpus.name == "file.txt":
            corpus.write_text("x", encoding="utf-8")
        code, _, err = cli(capsys, "build", "--corpus", corpus, "--index", tmp_path / "index", "--embedder", "fake")
        assert code == 2 and str(corpus) in one_line(err), corpus
        with pytest.raises(CorpusError):
            build_index(corpus, tmp_path / "index", "fake")
    assert not (tmp_path / "index").exists()


# ================================================================= duplicates
def _syndicated(text: str) -> str:
    """The same report as another outlet prints it: its own headline, no lead, a credit line."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    body = [p for p in paras if len(p.split()) > 25]
    return "\n\n".join(["Đảng bộ địa phương đẩy mạnh làm theo gương Bác (tin từ báo bạn)", *body[1:],
                        "Theo Báo Nhân Dân điện tử"])


@pytest.mark.parametrize("make,needle", [
    (lambda t: t, "same text as"),
    (lambda t: t.replace("\n\n", "\n\n\n").replace(" ", "  "), "same text as"),
    (_syndicated, "nearly the same text"),
])
def test_the_same_article_under_another_name_is_refused(capsys, work, make, needle):
    src = work / "copy of article.txt"
    src.write_text(make(FIRST.read_text(encoding="utf-8")), encoding="utf-8")
    code, _, err = cli(capsys, "ingest", src, "--corpus", work / "corpus")
    line = one_line(err)
    assert code == 2 and needle in line and FIRST.stem in line and "--allow-duplicate" in line
    assert sorted(p.name for p in (work / "corpus").iterdir()) == SHIPPED


def test_two_inputs_repeating_each_other_are_refused(capsys, work):
    text = "Tiêu đề\n\n" + " ".join(f"Câu {i}: chi bộ ấp {i} vận động xây nhà cho hộ nghèo." for i in range(40))
    (work / "a.txt").write_text(text, encoding="utf-8")
    (work / "b.html").write_text(f"<html><body><h1>Tiêu đề</h1><p>{text.split(chr(10))[-1]}</p></body></html>",
                                 encoding="utf-8")
    code, _, err = cli(capsys, "ingest", work / "a.txt", work / "b.html", "--corpus", work / "corpus")
    assert code == 2 and "b.html" in one_line(err) and " a " in err.replace("as a", " a ")
    assert sorted(p.name for p in (work / "corpus").iterdir()) == SHIPPED


def test_allow_duplicate_keeps_it_and_the_build_flags_and_warns(capsys, work):
    src = work / "syndicated.txt"
    src.write_text(_syndicated(FIRST.read_text(encoding="utf-8")), encoding="utf-8")
    code, out, err = cli(capsys, "ingest", src, "--allow-duplicate", "--corpus", work / "corpus")
    assert code == 0 and "added syndicated" in out and "warning:" in err and FIRST.stem in err
    code, out, err = cli(capsys, "build", "--corpus", work / "corpus", "--index", work / "index", "--embedder", "fake")
    assert code == 0 and "near_duplicate_of" in err and "syndicated" in err
    flags = open_index(work / "index").articles.set_index("doc_id")["flags"]
    assert f"near_duplicate_of:{FIRST.stem}" in flags["syndicated"]
    assert not any("duplicate" in f for d, fl in flags.items() if d != "syndicated" for f in fl)


def test_a_duplicate_already_in_the_corpus_is_indexed_with_a_warning(work):
    shutil.copy(FIRST, work / "corpus" / "zz_copy.txt")
    with pytest.warns(CorpusWarning, match="zz_copy = " + FIRST.stem):
        build_index(work / "corpus", work / "index", "fake")
    flags = open_index(work / "index").articles.set_index("doc_id")["flags"]
    assert f"duplicate_of:{FIRST.stem}" in flags["zz_copy"]


def test_reingesting_the_same_file_is_not_a_duplicate_of_itself(capsys, work):
    code, out, err = cli(capsys, "ingest", work / "corpus" / FIRST.name, "--corpus", work / "corpus")
    assert code == 0 and err == ""


def test_distinct_reports_are_not_duplicates(fake_index):
    from conftest import FIXTURES
    from search.ingest.corpus import article_text, read_article
    from search.ingest.duplicates import DuplicateFinder, signature

    finder = DuplicateFinder()
    files = sorted(CORPUS.glob("*.txt")) + sorted((FIXTURES / "articles").glob("*.*"))
    for p in files:
        sig = signature(article_text(read_article(p)))
        assert finder.match(sig) is None, p.name
        finder.add(p.stem, sig)
    assert not any("duplicate" in f for fl in open_index(fake_index).articles["flags"] for f in fl)


# ================================================================= damaged text
def _mojibake(text: str, codec: str) -> str:
    return text.encode("utf-8").decode(codec, errors="ignore" if codec == "cp1252" else "strict")


@pytest.mark.parametrize("codec,suffix", [("cp1252", ".txt"), ("latin-1", ".txt"), ("cp1252", ".html")])
def test_mojibake_is_refused_with_a_hint(capsys, work, codec, suffix):
    text = FIRST.read_text(encoding="utf-8")
    if suffix == ".html":
        text = "<html><body>" + "".join(f"<p>{p}</p>" for p in text.split("\n\n")) + "</body></html>"
    src = work / f"garbled{suffix}"
    src.write_text(_mojibake(text, codec), encoding="utf-8")  # valid UTF-8, wrong letters
    code, _, err = cli(capsys, "ingest", src, "--corpus", work / "corpus")
    line = one_line(err)
    assert code == 2 and "garbled" in line and "wrong encoding" in line and "UTF-8" in line
    example = re.search(r'like "([^"]+)" for "([^"]+)"', line)  # an example, with what it should read
    assert example and example.group(1) != example.group(2) and example.group(2).isprintable()
    assert _mojibake(example.group(2), codec) == example.group(1)  # and it is the right repair
    assert sorted(p.name for p in (work / "corpus").iterdir()) == SHIPPED


def test_replacement_characters_are_refused(capsys, work):
    src = work / "lossy.txt"
    src.write_text(FIRST.read_text(encoding="utf-8").encode("utf-8").decode("ascii", errors="replace"),
                   encoding="utf-8")
    code, _, err = cli(capsys, "ingest", src, "--corpus", work / "corpus")
    assert code == 2 and "replacement characters" in one_line(err)


def test_a_few_latin_symbols_are_not_mojibake(capsys, work):
    src = work / "ok.txt"
    src.write_text(FIRST.read_text(encoding="utf-8") + "\n\nBản quyền © 2023 Báo Điện tử. Giá 50.000₫ — “Tin” Â©",
                   encoding="utf-8")
    code, out, err = cli(capsys, "ingest", src, "--corpus", work / "corpus", "--allow-duplicate")
    assert code == 0, err


def test_mojibake_already_in_the_corpus_is_flagged_at_build(work):
    (work / "corpus" / "zz_garbled.txt").write_text(_mojibake(FIRST.read_text(encoding="utf-8"), "latin-1"),
                                                    encoding="utf-8")
    with pytest.warns(CorpusWarning, match="garbled.*zz_garbled"):
        build_index(work / "corpus", work / "index", "fake")
    flags = open_index(work / "index").articles.set_index("doc_id")["flags"]
    assert "damaged_text" in flags["zz_garbled"]


# ================================================================= the embedding cache
def _rewrite_cache(path: Path, change) -> int:
    con = sqlite3.connect(path)
    rows = con.execute("SELECT embedder_id, text_hash, dim, vector FROM embeddings").fetchall()
    for eid, h, _dim, blob in rows:
        v = np.frombuffer(blob, dtype="<f4").copy()
        con.execute("UPDATE embeddings SET vector = ? WHERE embedder_id = ? AND text_hash = ?",
                    (change(v).astype("<f4").tobytes(), eid, h))
    con.commit()
    con.close()
    return len(rows)


@pytest.mark.parametrize("change", [lambda v: v * 0, lambda v: v * np.nan, lambda v: v * 3,
                                    lambda v: v[: len(v) // 2]])
def test_unusable_cached_vectors_are_embedded_again_and_reported(work, change):
    good = np.load(work / "index" / "sentences.npy")
    cached = _rewrite_cache(work / "index" / "embeddings.sqlite", change)
    with pytest.warns(CacheWarning, match=f"held {cached} unusable vectors"):
        report = build_index(work / "corpus", work / "index", "fake", force=True)
    assert report.n_embedded == cached > 0  # every one of them again
    assert np.array_equal(np.load(work / "index" / "sentences.npy"), good)
    open_index(work / "index").verify()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)  # repaired: no warning the next time
        assert build_index(work / "corpus", work / "index", "fake", force=True).n_embedded == 0


def test_an_embedding_cache_of_another_schema_is_replaced(capsys, work):
    cache = work / "index" / "embeddings.sqlite"
    cache.unlink()
    con = sqlite3.connect(cache)
    con.execute("CREATE TABLE embeddings (key TEXT PRIMARY KEY, data BLOB)")
    con.commit()
    con.close()
    code, out, err = cli(capsys, "build", "--corpus", work / "corpus", "--index", work / "index",
                         "--embedder", "fake", "--force")
    assert code == 0 and "embedding cache" in err and "started a new one" in err
    assert "Traceback" not in err


def test_every_error_class_maps_to_the_documented_exit_code():
    from search import errors

    two = {errors.InputError, errors.CorpusError, errors.QueryError, errors.SearchIndexError,
           errors.IndexNotFoundError, errors.IndexCorruptError, errors.StaleIndexError,
           errors.EmbedderMismatchError}
    one = {errors.SearchError, errors.IndexLockedError, errors.StorageError}
    for cls in two:
        assert cls.exit_code == 2, cls
    for cls in one:
        assert cls.exit_code == 1, cls
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Limits and exit codes", 1)[1].split("\n## ", 1)[0]
    assert f"{MAX_QUERY_CHARS:,}" in section and f"{MAX_ARTICLE_BYTES // 2**20} MB" in section
