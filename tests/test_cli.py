"""The CLI through its entry point: output formats, exit codes, one-line errors."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT
from search.app.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_query_formats(capsys, fake_index):
    code, out, err = run(capsys, "query", "xây nhà cho hộ nghèo", "-k", "3", "--index", str(fake_index), "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 3 and rows[0]["rank"] == 1 and "chunk_id" in rows[0]
    assert "\\u" not in out  # Vietnamese stays readable
    code, out, _ = run(capsys, "query", "xây nhà", "-k", "2", "--index", str(fake_index), "--format", "csv")
    assert code == 0 and out.startswith("\ufeff")  # Excel needs the BOM to read UTF-8
    assert out.splitlines()[0].lstrip("\ufeff").startswith("rank,score,chunk_id")
    assert len(out.strip().splitlines()) >= 3
    code, out, _ = run(capsys, "query", "xay nha", "--index", str(fake_index), "--where", "province=An Giang")
    assert code == 0 and "An Giang" in out and "Quảng Ngãi" not in out


@pytest.mark.parametrize("argv,code,needle", [
    (["query", ""], 2, "empty"),
    (["query", "   "], 2, "empty"),
    (["query", "nhà", "-k", "0"], 2, "at least 1"),
    (["query", "nhà", "-k", "many"], 2, "whole number"),
    (["query", "nhà", "--where", "nonsense"], 2, "FIELD=VALUE"),
    (["query", "nhà", "--where", "colour=red"], 2, "unknown filter"),
    (["query", "nhà", "--format", "xml"], 2, "invalid choice"),
    (["frobnicate"], 2, "invalid choice"),
])
def test_bad_usage_is_one_line_exit_2(capsys, fake_index, argv, code, needle):
    got, out, err = run(capsys, *argv, "--index", str(fake_index))
    assert got == code
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_and_corrupt_index_exit_2(capsys, tmp_path, fake_index):
    # a bad index is bad input (README: exit codes): fix the path or rebuild
    code, _, err = run(capsys, "query", "nhà", "--index", str(tmp_path / "none"))
    assert code == 2 and "search build" in err and len(err.strip().splitlines()) == 1
    bad = tmp_path / "bad"
    shutil.copytree(fake_index, bad)
    (bad / "store.sqlite").write_bytes(b"not a database")
    code, _, err = run(capsys, "query", "nhà", "--index", str(bad))
    assert code == 2 and "store.sqlite" in err and len(err.strip().splitlines()) == 1


def test_stale_index_warns_naming_build(capsys, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    assert run(capsys, "build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--embedder", "fake")[0] == 0
    (corpus / "zz.txt").write_text("Bài mới.\n\nHuyện ủy tổ chức hội nghị học tập chuyên đề cho 200 lượt cán bộ.", encoding="utf-8")
    code, out, err = run(capsys, "info", "--index", str(tmp_path / "index"))
    assert code == 0 and "warning" in err and "search build" in err
    code, out, err = run(capsys, "build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--embedder", "fake")
    assert code == 0 and "embedded" in out
    code, out, err = run(capsys, "build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--embedder", "fake")
    assert code == 0 and "up to date" in out


def test_ingest_bad_file_names_it(capsys, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Huyện ủy".encode("utf-16"))
    code, _, err = run(capsys, "ingest", str(bad), "--corpus", str(corpus))
    assert code == 2 and "latin1.txt" in err and len(err.strip().splitlines()) == 1
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    code, _, err = run(capsys, "ingest", str(empty), "--corpus", str(corpus))
    assert code == 2 and "empty.txt" in err
    assert sorted(p.name for p in corpus.iterdir()) == sorted(p.name for p in CORPUS.iterdir())


def test_figures_and_precedents_commands(capsys, fake_index):
    code, out, _ = run(capsys, "figures", "--index", str(fake_index), "--kind", "money", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows and all(r["kind"] == "money" for r in rows)
    code, out, _ = run(capsys, "precedents", "--index", str(fake_index), "--format", "json", "-k", "50")
    names = [r["name"] for r in json.loads(out)]
    assert code == 0 and "Ngôi nhà cấp ủy" in names


def test_cli_query_does_not_import_torch(fake_index):
    code = ("import sys; from search.app.cli import main; "
            f"rc = main(['query', 'nhà', '-k', '1', '--index', {str(fake_index)!r}]); "
            "assert rc == 0; assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT)
