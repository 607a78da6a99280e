"""The index folder: its fixed file names, its manifest, and when it is fresh.

Used by the build (which writes the folder) and by ``open_index`` (which reads it), so that opening
an index never imports the build code.

Freshness comes from explicit inputs only: the corpus bytes (``corpus_fingerprint``), the embedder
id, the build settings (chunking, vector index kind, the purpose classifier's settings for that
embedder, BM25 parameters), the word tables (``search.data.digest``), the gazetteer's data version
and :data:`PIPELINE_VERSION` — a number bumped by hand whenever a change of code changes what a build
writes. Editing a comment or moving a module changes none of these. A test rebuilds the shipped
corpus and compares it with the committed index, so a forgotten bump is caught.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from .. import data
from ..errors import IndexCorruptError, IndexNotFoundError
from ..extract.purpose import purpose_settings_for
from ..ingest.corpus import corpus_fingerprint, corpus_stat
from .chunking import ChunkSettings

__all__ = [
    "FORMAT_VERSION", "PIPELINE_VERSION", "MANIFEST", "STORE", "VECTORS", "LEXICAL", "CACHE",
    "PRECEDENT_VECTORS", "SENTENCE_VECTORS", "SENTENCE_LEXICAL", "VOCAB_TERMS", "VOCAB_VECTORS",
    "INPUTS", "SIGNATURES", "LEXICAL_PARAMS", "read_manifest", "existing_manifest", "validate_manifest",
    "build_settings", "fingerprint", "corpus_state", "recorded_corpus_fingerprint", "pipeline_key",
    "package_version",
]

#: version of the folder's layout and manifest; an index of another format must be rebuilt
FORMAT_VERSION = 3
#: bump when a code change changes what a build writes (extraction, chunking, tokens, tables …)
# 4: vocabulary vectors and sentence BM25 (cross-lingual answers); 5: articles.url, articles.outlet;
# 6: duplicate/damaged-text flags and manifest records (integrity); 7: staged and incremental builds
# (inputs.json, signatures.npy), query vectors cached under "<id>#query"; 8: counts of things no unit
# table lists (figures.py); 9: numbers written in words ("ba trăm năm mươi triệu", "mười hai căn nhà");
# 10: a counted unit opening a quoted name (9 “Mái ấm tình thương”)
PIPELINE_VERSION = 10

MANIFEST = "manifest.json"
STORE = "store.sqlite"
VECTORS = "vectors.faiss"
LEXICAL = "lexical"
CACHE = "embeddings.sqlite"
PRECEDENT_VECTORS = "precedents.npy"
SENTENCE_VECTORS = "sentences.npy"
SENTENCE_LEXICAL = "lexical_sentences"   # BM25 over sentences: the evidence `ask` quotes
VOCAB_TERMS = "vocab.json"               # index vocabulary embedded for cross-lingual matching
VOCAB_VECTORS = "vocab.npy"
#: what each article was built from (its input key, and the pipeline key): lets a build reuse the
#: rows of articles whose input did not change
INPUTS = "inputs.json"
#: each article's duplicate signature (exact hash, MinHash), read back by the next build
SIGNATURES = "signatures.npy"

#: BM25 parameters of the lexical index
LEXICAL_PARAMS: dict[str, Any] = {"k1": 1.5, "b": 0.75, "bigrams": True}

# key → (type, required sub-keys): what open_index relies on
_REQUIRED: dict[str, tuple[type, tuple[str, ...]]] = {
    "format_version": (int, ()),
    "fingerprint": (str, ()),
    "corpus": (dict, ("path",)),
    "embedder": (dict, ("id", "dim")),
    "chunking": (dict, ()),
    "vectors": (dict, ("kind",)),
    "counts": (dict, ("articles", "chunks", "sentences", "figures", "precedents", "vectors")),
    "files": (dict, ()),
    "built_at": (str, ()),
}


def package_version(name: str) -> str | None:
    try:
        return importlib_metadata.version(name)
    except importlib_metadata.PackageNotFoundError:
        return None


def existing_manifest(index_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The manifest of an index folder, validated, or None when there is no manifest there."""
    if not (Path(index_dir) / MANIFEST).exists():
        return None
    return read_manifest(index_dir)


def read_manifest(index_dir: str | os.PathLike) -> dict[str, Any]:
    """The manifest of an index folder, validated; IndexCorruptError naming what is wrong."""
    path = Path(index_dir) / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if not Path(index_dir).is_dir():
            raise IndexNotFoundError(f"{index_dir}: no index here; build one with `search build`") from None
        raise IndexCorruptError(f"{path} is missing; rebuild with `search build --force`") from None
    except OSError as exc:
        raise IndexCorruptError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise IndexCorruptError(f"{path} is not valid JSON ({exc}); rebuild with `search build --force`") from None
    validate_manifest(manifest, path)
    return manifest


def validate_manifest(manifest: object, where: str | os.PathLike = MANIFEST) -> None:
    """IndexCorruptError unless ``manifest`` has every key ``open_index`` relies on, of the right type."""
    if not isinstance(manifest, dict):
        raise IndexCorruptError(f"{where} is not a JSON object; rebuild with `search build --force`")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexCorruptError(f"{where}: index format {version!r} is not {FORMAT_VERSION}; "
                                "rebuild with `search build --force`")
    for key, (kind, subkeys) in _REQUIRED.items():
        value = manifest.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise IndexCorruptError(f"{where}: {key!r} is missing or not a {kind.__name__}; "
                                    "rebuild with `search build --force`")
        for sub in subkeys:
            if sub not in value:  # type: ignore[operator]  # value is a dict when subkeys exist
                raise IndexCorruptError(f"{where}: {key}.{sub} is missing; rebuild with `search build --force`")
    numbers = {f"counts.{k}": v for k, v in manifest["counts"].items()}
    numbers["embedder.dim"] = manifest["embedder"]["dim"]
    for key, value in numbers.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < (1 if key == "embedder.dim" else 0):
            raise IndexCorruptError(f"{where}: {key} is {value!r}, not a count; rebuild with `search build --force`")
    if not isinstance(manifest["embedder"]["id"], str) or not isinstance(manifest["corpus"]["path"], str):
        raise IndexCorruptError(f"{where}: embedder.id or corpus.path is not text; rebuild with `search build --force`")
    for rel, rec in manifest["files"].items():
        ok = (isinstance(rec, dict) and isinstance(rec.get("bytes"), int) and isinstance(rec.get("sha256"), str)
              and not rel.startswith("/") and ".." not in rel.split("/"))
        if not ok:
            raise IndexCorruptError(f"{where}: files.{rel} is not a size and a checksum; rebuild with `search build --force`")
    listed = set(manifest["files"])
    for name in (STORE, VECTORS, SENTENCE_VECTORS, PRECEDENT_VECTORS, LEXICAL + "/"):
        if name not in listed and not any(rel.startswith(name) for rel in listed if name.endswith("/")):
            raise IndexCorruptError(f"{where}: files lists no {name}; rebuild with `search build --force`")
    if manifest["counts"]["vectors"] != manifest["counts"]["chunks"]:
        raise IndexCorruptError(f"{where}: counts {manifest['counts']['vectors']} vectors for "
                                f"{manifest['counts']['chunks']} chunks; rebuild with `search build --force`")
    try:
        ChunkSettings(**manifest["chunking"])
    except (TypeError, ValueError):
        raise IndexCorruptError(f"{where}: unknown chunking settings {manifest['chunking']!r}; "
                                "rebuild with `search build --force`") from None


def build_settings(embedder_id: str, chunking: ChunkSettings, vector_kind: str) -> dict[str, Any]:
    """Every setting that decides what a build writes (stamped in the manifest, part of the fingerprint)."""
    return {
        "chunking": chunking.as_dict(),
        "vectors": vector_kind,
        "purpose": purpose_settings_for(embedder_id).as_dict(),
        "lexical": dict(LEXICAL_PARAMS),
    }


def _pipeline_parts(embedder_id: str, chunking: ChunkSettings, vector_kind: str) -> dict[str, Any]:
    return {
        "pipeline": PIPELINE_VERSION,
        "tables": data.digest(),
        "gazetteer": package_version("vietnam-provinces"),
        "embedder": embedder_id,
        "settings": build_settings(embedder_id, chunking, vector_kind),
    }


def _digest(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def fingerprint(corpus_dir: str | os.PathLike, embedder_id: str, chunking: ChunkSettings,
                vector_kind: str = "auto", *, corpus: str | None = None) -> str:
    """What an index built now from ``corpus_dir`` with these settings would be stamped with
    (``corpus``: the corpus fingerprint, when already known)."""
    return _digest({"corpus": corpus if corpus is not None else corpus_fingerprint(corpus_dir),
                    **_pipeline_parts(embedder_id, chunking, vector_kind)})


def corpus_state(corpus_dir: str | os.PathLike) -> dict[str, str]:
    """What a manifest records of the corpus it was built from: the stat digest, taken first (a
    file written while it is hashed then differs from it), and the fingerprint of the bytes."""
    stat = corpus_stat(corpus_dir)
    return {"stat": stat, "fingerprint": corpus_fingerprint(corpus_dir)}


def recorded_corpus_fingerprint(corpus_dir: str | os.PathLike, manifest: dict[str, Any]) -> str | None:
    """The corpus fingerprint a manifest recorded, when no corpus file was written since (same
    names, sizes and modification times); None: hash the corpus to know."""
    recorded = manifest.get("corpus") or {}
    stat, fp = recorded.get("stat"), recorded.get("fingerprint")
    if isinstance(stat, str) and isinstance(fp, str) and corpus_stat(corpus_dir) == stat:
        return fp
    return None


def pipeline_key(embedder_id: str, chunking: ChunkSettings, vector_kind: str = "auto") -> str:
    """Everything but the corpus that decides what a build writes for one article: two builds with
    the same key may share the rows of an unchanged article (see ``INPUTS``)."""
    return _digest({"format": FORMAT_VERSION, **_pipeline_parts(embedder_id, chunking, vector_kind)})
