"""Citations a writer can paste: who published the passage, where and when, and the sentence itself.

A passage is named by a chunk id (``000_de9fd5cf185cd21c#005``) or by character offsets into the
article's cleaned text (``000_de9fd5cf185cd21c:3498-3517``, the ``start``/``end`` every table of
the index carries). :func:`cite` turns either into a :class:`Citation`:

* provenance from the article's metadata — outlet, title, author, date, URL when the page stated
  one (``idx.articles``), and the place: locality with its level, province, and the commune or
  ward when the initiatives quoted name exactly one ("xã Phú Hữu, huyện An Phú, An Giang");
* the quote: the sentence holding the passage. Report sentences run long (one sentence of a
  district's report may list five works with their costs), so a sentence over ``max_chars`` is
  cut to the ";"-clauses the passage lies in, and failing that to a window of words around it
  that starts a few words early — "trên 860 triệu đồng" keeps its "trên". Cuts are marked "…".

``Citation.text()`` is the plain-text form the web app's "copy citation" button and
``search cite`` print; ``Citation.as_dict()`` the machine form. :func:`best_passages` picks, for
each search hit, the sentence (or clause of a long sentence) that answers the query best — meaning
and shared words — which the web app highlights and cites.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import QueryError
from ..retrieval.lexical import content_terms
from ..text.segment import sentence_spans, split_clauses

if TYPE_CHECKING:
    from .index import Index

__all__ = ["Citation", "cite", "cite_span", "parse_ref", "quote_span",
           "format_date", "place_name", "MAX_QUOTE", "best_passages"]

MAX_QUOTE = 320          # characters of a quote before it is cut to clauses or a window
_LEAD_WORDS = 6          # words kept before a passage when a window must be cut
_REF = re.compile(r"^\s*(?P<doc>[^\s:#]+):(?P<start>\d+)-(?P<end>\d+)\s*$")
_CHUNK = re.compile(r"^\s*(?P<doc>[^\s:#]+)#(?P<n>\d+)\s*$")


@dataclass(frozen=True)
class Citation:
    """One citable passage with its provenance (empty fields are None)."""

    doc_id: str
    start: int           # the passage cited, offsets into the article's cleaned text
    end: int
    quote: str           # the sentence (or clauses) holding it, "…" where cut
    quote_start: int
    quote_end: int
    title: str
    outlet: str | None
    author: str | None
    date: str | None     # ISO YYYY-MM-DD
    url: str | None
    locality: str | None
    locality_level: str | None
    province: str | None
    chunk_id: str | None = None
    sublocality: str | None = None   # e.g. "xã Phú Hữu", the actor's commune within the locality

    @property
    def ref(self) -> str:
        """The passage's reference: ``DOC_ID:START-END`` (what ``search cite`` accepts)."""
        return f"{self.doc_id}:{self.start}-{self.end}"

    @property
    def place(self) -> str:
        return place_name(self.locality, self.locality_level, self.province, self.sublocality)

    def text(self) -> str:
        """The plain-text citation: quote, then who/what/when/where, then the reference."""
        who = [self.author, f"“{self.title}”" if self.title else None, self.outlet,
               format_date(self.date) or "không rõ ngày đăng"]
        line2 = "— " + ", ".join(w for w in who if w)
        if self.url:
            line2 += f", {self.url}"
        line2 += "."
        if self.place:
            line2 += f" Địa bàn: {self.place}."
        return f"“{self.quote}”\n{line2}\n[{self.ref}]"

    def as_dict(self) -> dict:
        out = asdict(self)
        out.update(ref=self.ref, place=self.place, text=self.text())
        return out


def format_date(iso: str | None) -> str | None:
    """"2023-06-01" → "01/06/2023" (how Vietnamese readers write dates); None stays None."""
    if not iso:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(iso))
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else str(iso)


def place_name(locality: str | None, level: str | None, province: str | None,
               sublocality: str | None = None) -> str:
    """"xã Phú Hữu, huyện An Phú, An Giang": the most precise unit first, parts that are known."""
    parts = [sublocality]
    if locality:
        parts.append(f"{level} {locality}" if level and not locality.lower().startswith(level) else locality)
    parts.append(province)
    seen: list[str] = []
    for p in parts:
        if p and not _blank(p) and p not in seen:
            seen.append(str(p))
    return ", ".join(seen)


def _blank(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _clean(value) -> str | None:
    if value is None or _blank(value):
        return None
    s = str(value).strip()
    return s or None


def parse_ref(ref: str) -> tuple[str, int | None, int | None, str | None]:
    """``(doc_id, start, end, chunk_id)`` of a reference: ``DOC:START-END`` or a chunk id."""
    if not isinstance(ref, str) or not ref.strip():
        raise QueryError("give a chunk id (DOC_ID#NNN) or DOC_ID:START-END")
    m = _REF.match(ref)
    if m:
        start, end = int(m.group("start")), int(m.group("end"))
        if end <= start:
            raise QueryError(f"{ref.strip()!r}: the end offset must be after the start")
        return m.group("doc"), start, end, None
    m = _CHUNK.match(ref)
    if m:
        return m.group("doc"), None, None, ref.strip()
    raise QueryError(f"{ref.strip()[:80]!r} is neither a chunk id (DOC_ID#NNN) nor DOC_ID:START-END")


# --- the quote ------------------------------------------------------------------------------------


def _covering(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """From the first span that ends after ``start`` to the last that begins before ``end``."""
    inside = [(a, b) for a, b in spans if b > start and a < end]
    if not inside:
        return None
    return inside[0][0], inside[-1][1]


def _window(text: str, lo: int, hi: int, start: int, end: int, max_chars: int) -> tuple[int, int]:
    """Words around ``[start, end)`` within ``[lo, hi)``: a few words before (the qualifier), the
    passage, then as much after as fits."""
    words = [m.start() for m in re.finditer(r"\S+", text[lo:start])]
    a = lo + words[-_LEAD_WORDS] if len(words) >= _LEAD_WORDS else lo
    b = min(hi, max(end, a + max_chars))
    if b < hi:
        cut = text.rfind(" ", end, b)
        b = cut if cut > end else b
    return a, b


def quote_span(text: str, start: int, end: int, max_chars: int = MAX_QUOTE) -> tuple[int, int]:
    """Offsets of the quote for the passage ``text[start:end]`` (see the module docstring)."""
    start = max(0, min(start, len(text) - 1))
    end = max(start + 1, min(end, len(text)))
    sentences = sentence_spans(text)
    span = _covering(sentences, start, end) or (start, end)
    if span[1] - span[0] <= max_chars:
        return span
    first = _covering(sentences, start, start + 1) or span
    if end > first[1]:          # a passage of several sentences (a chunk): its first one stands for it
        start, end = first
        if end - start <= max_chars:
            return first
    if end - start > max_chars:  # a passage too long to quote whole: quote where it begins
        end = start + 1
    clauses = _covering(split_clauses(text, *first), start, end)
    if clauses and clauses[1] - clauses[0] <= max_chars:
        return clauses
    lo, hi = clauses or first
    return _window(text, lo, hi, start, end, max_chars)


def _quote(text: str, a: int, b: int) -> str:
    sentences = sentence_spans(text)
    starts = {s for s, _ in sentences}
    ends = {e for _, e in sentences}
    body = " ".join(text[a:b].split())
    return ("" if a in starts else "…") + body + ("" if b in ends else "…")


# --- citations ------------------------------------------------------------------------------------


def _article(idx: Index, doc_id: str) -> pd.Series:
    arts = idx.articles
    rows = arts[arts["doc_id"] == doc_id]
    if rows.empty:
        raise QueryError(f"no article {doc_id!r} in this index")
    return rows.iloc[0]


def cite_span(idx: Index, doc_id: str, start: int, end: int, *, chunk_id: str | None = None,
              sublocality: str | None = None, max_chars: int = MAX_QUOTE) -> Citation:
    """The citation of ``text[start:end]`` of article ``doc_id`` (offsets into its cleaned text)."""
    art = _article(idx, doc_id)
    text = str(art["text"])
    start, end = int(start), int(end)
    if not 0 <= start < end <= len(text):
        raise QueryError(f"{doc_id}:{start}-{end} lies outside the article (0-{len(text)})")
    a, b = quote_span(text, start, end, max_chars)
    if sublocality is None:
        sublocality = _sublocality(idx, doc_id, a, b)
    if chunk_id is None:
        ch = idx.chunks
        hit = ch[(ch["doc_id"] == doc_id) & (ch["start"] <= start) & (ch["end"] > start)]
        chunk_id = str(hit["chunk_id"].iloc[0]) if len(hit) else None
    return Citation(
        doc_id=doc_id, start=start, end=end, quote=_quote(text, a, b), quote_start=a, quote_end=b,
        title=_clean(art.get("title")) or doc_id, outlet=_clean(art.get("outlet")),
        author=_clean(art.get("author")), date=_clean(art.get("date")), url=_clean(art.get("url")),
        locality=_clean(art.get("locality")), locality_level=_clean(art.get("locality_level")),
        province=_clean(art.get("province")), chunk_id=chunk_id, sublocality=_clean(sublocality))


def _sublocality(idx: Index, doc_id: str, a: int, b: int) -> str | None:
    """The commune / ward of the initiatives quoted in ``[a, b)`` when they name one and only one
    ("xã Phú Hữu" in An Phú's report)."""
    prec = idx.precedent_table
    inside = prec[(prec["doc_id"] == doc_id) & (prec["start"] >= a) & (prec["end"] <= b)]
    names = {str(v) for v in inside["sublocality"] if isinstance(v, str) and v.strip()}
    return names.pop() if len(names) == 1 else None


def cite(idx: Index, ref: str, *, query: str | None = None, max_chars: int = MAX_QUOTE) -> Citation:
    """The citation of a chunk id or ``DOC_ID:START-END``.

    A chunk is quoted by its sentence that best answers ``query`` when one is given, else by its
    first sentence.
    """
    doc_id, start, end, chunk_id = parse_ref(ref)
    if chunk_id is None:
        assert start is not None and end is not None
        return cite_span(idx, doc_id, start, end, max_chars=max_chars)
    ch = idx.chunks
    rows = ch[ch["chunk_id"] == chunk_id]
    if rows.empty:
        raise QueryError(f"no chunk {chunk_id!r} in this index")
    row = rows.iloc[0]
    if query is not None and str(query).strip():
        s, e = best_passages(idx, rows, query, max_chars)[0]
    else:
        text = str(_article(idx, doc_id)["text"])
        spans = sentence_spans(text, int(row["start"]), int(row["end"]))
        s, e = spans[0] if spans else (int(row["start"]), int(row["end"]))
    return cite_span(idx, doc_id, s, e, chunk_id=chunk_id, max_chars=max_chars)


def best_passages(idx: Index, hits: pd.DataFrame, query: str,
                  max_chars: int = MAX_QUOTE) -> list[tuple[int, int]]:
    """For each hit (rows with ``chunk_id``, ``start``, ``end``), the ``(start, end)`` of the passage
    that answers ``query`` best: its best sentence — cosine of sentence and query (the index's
    sentence vectors) plus the share of the query's content words it holds — narrowed to its best
    ";"-clause when the sentence is longer than ``max_chars``. The chunk's span when it has none."""
    query = idx.check_query(query)
    if hits.empty:
        return []
    sents = idx.sentences
    cand = sents[sents["chunk_id"].isin(set(hits["chunk_id"]))]
    if cand.empty:
        return [(int(s), int(e)) for s, e in zip(hits["start"], hits["end"])]
    qv = idx.embed_queries([idx.for_embedder(query)])[0]
    q_terms = content_terms(query)

    def overlap(texts) -> np.ndarray:
        return np.array([len(q_terms & content_terms(t)) / max(1, len(q_terms)) for t in texts])

    cos = idx.sentence_vectors[cand["row"].to_numpy()] @ qv
    cand = cand.assign(_score=cos + overlap(cand["text"]))
    best = cand.sort_values(["_score", "start"], ascending=[False, True]).drop_duplicates("chunk_id")
    texts = idx.articles.set_index("doc_id")["text"]
    spans: dict[str, tuple[int, int]] = {}
    for c, d, s, e in zip(best["chunk_id"], best["doc_id"], best["start"], best["end"]):
        s, e = int(s), int(e)
        if e - s > max_chars:
            text = str(texts[d])
            clauses = split_clauses(text, s, e)
            if len(clauses) > 1:
                vecs = idx.embedder.embed_passages([text[a:b] for a, b in clauses])
                score = vecs @ qv + overlap(text[a:b] for a, b in clauses)
                s, e = clauses[int(np.argmax(score))]
        spans[c] = (s, e)
    return [spans.get(c, (int(s), int(e))) for c, s, e in zip(hits["chunk_id"], hits["start"], hits["end"])]
