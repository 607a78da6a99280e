"""Turn a news page (flattened text or HTML) into the article alone: headline, paragraphs, byline.

Pages of Vietnamese party and government news sites carry the same furniture around the article:
visitor counters ("Đang có 53 khách…", "Số lần xem"), font-size and contrast widgets ("A- A A+"),
menus and breadcrumbs, "Tin mới" / "Các tin khác" / "Ý kiến bạn đọc" lists, greetings
("Chào mừng bạn đến với Cổng TTĐT …"), share/print links, copyright footers, URL slugs.

The cleaner does not list lines of known pages. It finds the *body* — the run from the first to the
last line of running prose (long enough, ends like a sentence) — and treats what is around it by
position:

* before the body: the headline is the nearest headline-like line above the lead; dates, bylines,
  greetings and bullets there become metadata; anything else (categories, menus) is dropped;
* inside the body: short lines are sub-headings and captions and are kept, unless they are widget
  vocabulary, numbers, slugs or repeats of the headline;
* after the body: a byline ("Tác giả: …", "Nguồn tin: …", a short name line) becomes metadata, a
  parenthesised attribution of a closing quote stays in the text, the rest is dropped — and a
  "related news" heading ends the article even if prose-looking lines follow it.

Every removed line is kept in ``CleanArticle.dropped`` so the choices can be inspected.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from ..errors import CorpusError
from ..text.normalize import fold, normalize, normalize_line

__all__ = ["CleanArticle", "clean_text", "clean_html", "parse_date", "derive_title", "article_url",
           "site_domain"]


@dataclass
class CleanArticle:
    """The article without its page: see docs/architecture.md (shared data shapes)."""

    title: str
    paragraphs: list[str]
    author: str | None = None
    source: str | None = None
    date: str | None = None
    dropped: list[str] = field(default_factory=list)
    #: site names, URLs and agency tags seen in the page furniture (greeting, footer, byline):
    #: not article text, but they tell where the article comes from (used by metadata.py).
    hints: list[str] = field(default_factory=list)
    #: True when the page had no headline and ``title`` was made from the lead's first sentence.
    title_derived: bool = False
    #: the article's own address when the page states it (canonical link, og:url, a byline
    #: "Nguồn: https://…/bai-viet.html"); a bare site address is not an article's URL.
    url: str | None = None


# --- vocabularies (matched on the folded line: lower case, no diacritics) -----------------------

# Lines that are page furniture wherever they appear, even when long: counters, footers.
_ALWAYS_JUNK = re.compile(
    r"dang co \d+ khach|\bkhach va \S+ thanh vien|dang truy cap|dang online|truy cap hien tai"
    r"|luot truy cap|so lan xem|luot xem|so nguoi (?:dang )?xem"
    r"|^ban quyen|ban quyen (?:thuoc|\u00a9|\d{4})|giu ban quyen|\u00a9|copyright|all rights reserved"
    r"|giay phep (?:so|hoat dong|thiet lap|xuat ban)"
    r"|chiu trach nhiem (?:noi dung|chinh|xuat ban)|tong bien tap:|co quan chu quan"
    r"|thiet ke (?:boi|va phat trien)|phat trien boi|ghi ro nguon|khi phat hanh lai"
    r"|chung nhan tin nhiem mang|tin nhiem mang"
    r"|(?:^|\s)a-\s*a\s*a\+|tang tuong phan|giam tuong phan|co chu:|kich thuoc chu"
)

# Short lines that are widgets, menus or sharing tools (whole line, optional trailing colon).
_WIDGET = re.compile(
    r"^(?:trang chu|trang nhat|gioi thieu|lien he|so do (?:trang|site|website)|tim kiem|dang nhap"
    r"|dang ky|dang xuat|rss|english|tieng viet|menu|danh muc|tro ve|quay lai|(?:len|ve) dau trang"
    r"|xem tiep|xem them|doc tiep|doc them|chi tiet|chia se|in bai(?: viet)?|in trang|ban in"
    r"|gui email|gui bai|luu bai|luu tin|facebook|zalo|twitter|tweet|like|copy link|sao chep"
    r"|hom nay|hom qua|tuan nay|thang nay|tong cong|tong so|truy cap|online|thong ke truy cap"
    r"|phong chu|co chu|mau nen|nghe doc bai|nghe bai viet|play|top|email|dien thoai|hotline"
    r"|anh minh hoa|\(?anh\s*:.{0,40}|\(?nguon anh\s*:.{0,40}|video|audio|podcast)\s*:?$"
)

# Headings of the lists that follow an article ("related news", comments, links). After the body
# they end the article.
_TAIL_MARKER = re.compile(
    r"^(?:tin moi|tin moi nhat|moi nhat|tin moi hon|nhung tin moi hon|tin cu hon|nhung tin cu hon"
    r"|tin da dua|cac tin da dua|cac tin khac|tin khac|tin lien quan|bai lien quan|cac bai lien quan"
    r"|bai viet lien quan|tin cung chuyen muc|cung chuyen muc|xem nhieu|doc nhieu|xem nhieu nhat"
    r"|doc nhieu nhat|tin doc nhieu|tin xem nhieu|tin noi bat|tin tieu diem|tieu diem|tin anh"
    r"|y kien ban doc|y kien|binh luan|phan hoi|gui phan hoi|gui y kien|y kien cua ban"
    r"|viet binh luan|lien ket website|lien ket web|website lien ket|lien ket|thong bao"
    r"|van ban moi|van ban chi dao|tai lieu|tu khoa|tags?|chuyen muc)\s*:?$"
)

# Footer contact lines (address, phone, e-mail) — furniture when they are not running prose.
_CONTACT = re.compile(r"^(?:dia chi|dien thoai|dt|fax|e-?mail|website|hotline)\s*:")

# "Chào mừng bạn đến với <site>" — but not a headline such as "Chào mừng Đại hội …".
_GREETING = re.compile(r"^(?:chao mung|xin chao)(?: (?:ban|quy vi|quy khach|cac ban))?(?: da)?"
                       r" (?:den voi|ghe tham|truy cap)\s+|^welcome to\s+")
_SLUG = re.compile(r"^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+){2,}(?:\.html?)?$")
_URL = re.compile(r"https?://\S+|\bwww\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|org|net)\b\S*",
                  re.IGNORECASE)
_BULLET = re.compile(r"^[•·●▪■◦‣►▸*]+\s*|^-\s+")
_SEPARATORS = re.compile(r"(?:\s*[|•·»>]\s*)+$")

# Byline forms, on the folded line.
_AUTHOR_PREFIX = re.compile(
    r"^(?:tac gia|nguoi viet|but danh|bai va anh|bai,? anh|bai ?& ?anh|bai ?/ ?anh|bai|tin,? anh"
    r"|tin va anh|tin ?/ ?anh|phong vien|nhom phong vien|nhom pv|pv|ctv)\s*:\s*(?=\S)"
)
# "Nguồn: …" always; "Theo …" only when a publication follows ("Theo gương Bác" is a sub-heading).
_SOURCE_PREFIX = re.compile(
    r"^(?:nguon tin|nguon|trich nguon)\s*:?\s+(?=\S)"
    r"|^theo\s+(?=(?:bao|tap chi|dai|cong|trang|website|ttxvn|vov|vtv|vna|qdnd|dcsvn|http|www)\b)"
)
# Units that post articles on their own sites ("Ban VHTT phường Mỹ Thạnh", "Trung tâm Chính trị …").
_AGENCY_START = re.compile(
    r"^(?:ban|phong|trung tam|dai|bao|tap chi|van phong|ubnd|uy ban|dang uy|huyen uy|thanh uy"
    r"|tinh uy|quan uy|thi uy|hoi|mat tran|doan|bbt|ban bien tap|cong thong tin|trang thong tin"
    r"|pv|ctv)\b"
)
_AGENCY_TAG = re.compile(r"^\(([A-ZĐ]{2,8}(?:[ -][A-ZĐ]{2,8})?)\)\s*[-–—:]?\s*")

# A sentence ends with . ! ? … ; : possibly inside closing quotes or brackets. A bare closing quote
# does not end a sentence: headlines often end with a quoted name (… MÔ HÌNH “CHI BỘ 4 TỐT”).
_SENTENCE_END = re.compile(r"[.!?…;:]['\"”’)\]]*$")
_DATE_NUM = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DATE_WORDS = re.compile(r"\bngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})\b")
# What may surround a date on a CMS info line: labels, weekday, time, time zone, separators.
_DATE_LINE_NOISE = re.compile(
    r"\b(?:ngay dang|ngay cap nhat|cap nhat luc|cap nhat|dang luc|dang ngay|dang|ngay|thoi gian"
    r"|posted|published|updated|luc|gio)\b|\b(?:thu (?:hai|ba|tu|nam|sau|bay)|chu nhat|t[2-7]|cn)\b"
    r"|\(?gmt\s*[+-]\s*\d+\)?|\b\d{1,2}\s*[:h]\s*\d{2}(?::\d{2})?\s*(?:am|pm)?\b|[^\w\s]"
)

_MIN_PROSE_WORDS = 8
_BYLINE_WINDOW = 4  # lines after the body where a byline is looked for
_TITLE_MAX_CHARS = 200


# --- line features -------------------------------------------------------------------------------


@dataclass
class _Line:
    text: str   # normalised, bullet and trailing separators removed
    raw: str    # normalised line as it was (for ``dropped``)
    folded: str
    bullet: bool

    @property
    def words(self) -> int:
        return len(self.text.split())


def _make_line(raw: str) -> _Line:
    text = raw
    bullet = bool(_BULLET.match(text))
    text = _BULLET.sub("", text)
    text = _SEPARATORS.sub("", text).strip()
    return _Line(text=text, raw=raw, folded=fold(text), bullet=bullet)


def _letter_ratio(text: str) -> float:
    if not text:
        return 0.0
    return sum(ch.isalpha() for ch in text) / len(text)


def _has_diacritics(line: _Line) -> bool:
    return line.folded != line.text.lower()


def _is_junk(line: _Line) -> bool:
    """Furniture whatever its position: counters, widgets, slugs, numbers, bare URLs, footers."""
    f = line.folded
    if not line.text:
        return True
    if _ALWAYS_JUNK.search(f):
        return True
    if _is_prose(line):
        return False
    if _WIDGET.match(f) or _CONTACT.match(f) or _SLUG.match(line.text):
        return True
    if _letter_ratio(line.text) < 0.5:          # counters, bare numbers, separators
        return True
    if _URL.fullmatch(line.text):
        return True
    # Menus flattened into one line: several short items separated by bars or arrows.
    items = [s for s in re.split(r"\s*[|»›]\s*|\s[>/]\s", line.text) if s.strip()]
    if len(items) >= 3 and max(len(s.split()) for s in items) <= 4:
        return True
    # A multi-word line without a single diacritic in a Vietnamese page is an image alt text,
    # a widget label or a slug, never article text.
    if line.words >= 2 and not _has_diacritics(line) and re.search(r"[a-z]{2}", f):
        return True
    return False


def _is_prose(line: _Line) -> bool:
    """Running text: enough words and a sentence ending, or long enough to be a paragraph anyway."""
    n = line.words
    if line.text.isupper():  # headlines and labels in capitals are never running text
        return False
    if n >= 25:
        return True
    return n >= _MIN_PROSE_WORDS and bool(_SENTENCE_END.search(line.text))


def _is_headline(line: _Line) -> bool:
    """Short line without a final full stop, made of words (a headline or sub-heading)."""
    if not (2 <= line.words <= 40) or len(line.text) > 250:
        return False
    if line.words <= 12 and _DATE_NUM.search(line.folded):  # "Nguyễn Văn A - 15/05/2023"
        return False
    if line.text.endswith(".") and not line.text.endswith("..."):
        return False
    return _letter_ratio(line.text) >= 0.6


def _is_name_word(word: str) -> bool:
    if word in {"-", "–", "—", "&", "/", ",", "và"}:  # "Thu Hà - Minh Tuấn", "Lan và Hùng"
        return True
    core = word.strip("()[],.")
    return bool(core) and core[0].isupper()


def _is_name_line(line: _Line) -> bool:
    """A byline such as "Huỳnh Như", "Thu Hà - Minh Tuấn", "LÊ HOÀNG (TTXVN)": capitalised words only."""
    words = line.text.split()
    if not 1 <= len(words) <= 7 or len(line.text) > 60:
        return False
    if _SENTENCE_END.search(line.text) and not line.text.endswith(")"):
        return False
    if not all(_is_name_word(w) for w in words) or _letter_ratio(line.text) < 0.6:
        return False
    # A single word must look like an agency code ("TTXVN"), not a menu label ("Video").
    return len(words) >= 2 or line.text.isupper()


# --- metadata from furniture -------------------------------------------------------------------


def parse_date(text: str) -> str | None:
    """First valid date in ``text`` as ISO ``YYYY-MM-DD`` (dd/mm/yyyy, yyyy-mm-dd, "ngày d tháng m năm y")."""
    f = fold(text)
    candidates: list[tuple[int, int, int, int]] = []  # (position, y, m, d)
    for m in _DATE_NUM.finditer(f):
        candidates.append((m.start(), int(m.group(3)), int(m.group(2)), int(m.group(1))))
    for m in _DATE_ISO.finditer(f):
        candidates.append((m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _DATE_WORDS.finditer(f):
        candidates.append((m.start(), int(m.group(3)), int(m.group(2)), int(m.group(1))))
    for _, y, mo, d in sorted(candidates):
        try:
            return _dt.date(y, mo, d).isoformat()
        except ValueError:
            continue
    return None


def _site_hint(line: _Line) -> str | None:
    """Site name in a greeting or a footer ("Chào mừng bạn đến với Cổng TTĐT TP Long Xuyên")."""
    m = _GREETING.match(line.folded)
    if m:
        return line.text[m.end():].strip(" .!:") or None
    m = re.search(r"ban quyen(?: thuoc(?: ve)?)?\s*:?\s*(?:\u00a9\s*)?(?:\d{4}\s*)?|co quan chu quan\s*:?\s*"
                  r"|(?:copyright\s*)?(?:\u00a9|\(c\))\s*(?:\d{4}(?:\s*-\s*\d{4})?\s*)?(?:by\s+)?",
                  line.folded)
    if m:
        rest = line.text[m.end():]
        rest = re.split(r"[.;|]|\s-\s", rest)[0].strip(" ,©")
        return rest or None
    return None


@dataclass
class _Meta:
    author: str | None = None
    source: str | None = None
    date: str | None = None
    hints: list[str] = field(default_factory=list)

    def hint(self, value: str | None) -> None:
        if value and value not in self.hints:
            self.hints.append(value)


def _take_byline(line: _Line, meta: _Meta, *, allow_name: bool) -> bool:
    """Record a byline ("Tác giả: …", "Nguồn: …", a URL, "(Theo …)", a name) into ``meta``."""
    f = line.folded
    m = _AUTHOR_PREFIX.match(f)
    if m and line.words <= 12:
        meta.author = meta.author or line.text[m.end():].strip(" .")
        return True
    m = _SOURCE_PREFIX.match(f)
    if m and line.words <= 12 and not _SENTENCE_END.search(line.text.rstrip("/")):
        value = line.text[m.end():].strip(" .")
        meta.source = meta.source or value
        meta.hint(value)
        return True
    if _URL.fullmatch(line.text):
        meta.source = meta.source or line.text
        meta.hint(line.text)
        return True
    paren = re.fullmatch(r"\((?:theo\s+|nguon\s*:?\s*)(.+)\)", f)
    if paren:
        value = line.text[paren.start(1):paren.end(1)].strip()
        meta.source = meta.source or value
        meta.hint(value)
        return True
    if allow_name and _is_name_line(line):
        meta.author = meta.author or line.text.strip("()")
        return True
    return False


def _is_date_line(line: _Line) -> bool:
    """A line that is a date and its trimmings ("Thứ Tư, 12/07/2023 | 15:20 GMT+7")."""
    f = line.folded
    if not (_DATE_NUM.search(f) or _DATE_ISO.search(f) or _DATE_WORDS.search(f)):
        return False
    rest = _DATE_WORDS.sub(" ", _DATE_ISO.sub(" ", _DATE_NUM.sub(" ", f)))
    return len(_DATE_LINE_NOISE.sub(" ", rest).split()) == 0


def _take_header_meta(line: _Line, meta: _Meta) -> bool:
    """Header furniture that carries metadata: dates, greetings, bylines, bullet lines."""
    parts = [p for p in re.split(r"\s[|–—-]\s", line.text) if p.strip()]
    if len(parts) > 1:
        # Info bars put several items on one line: "Thứ Hai, 15/05/2023 | Tác giả: Lê Na",
        # "Nguyễn Văn An - 15/05/2023" (next to a date, a bare name is the writer).
        subs = [_make_line(p) for p in parts]
        with_date = any(_is_date_line(sub) for sub in subs)
        taken = [_take_header_meta(sub, meta) or _is_junk(sub)
                 or (with_date and _take_byline(sub, meta, allow_name=True)) for sub in subs]
        if all(taken):
            return True
    if _is_date_line(line):
        meta.date = meta.date or parse_date(line.text)
        return True
    hint = _site_hint(line)
    if hint:
        meta.hint(hint)
        return True
    if _take_byline(line, meta, allow_name=False):
        return True
    if line.bullet and line.words <= 10 and (_AGENCY_START.match(line.folded) or _is_name_line(line)):
        # CMS info bars list the posting unit (or writer) and the date as bullets under the headline.
        meta.author = meta.author or line.text
        return True
    return False


# --- title -------------------------------------------------------------------------------------


def derive_title(paragraph: str, max_chars: int = _TITLE_MAX_CHARS) -> str:
    """A title for an article without headline: the lead's first sentence, cut at a clause boundary.

    The cut falls on the last comma/semicolon outside quotation marks that keeps the title within
    ``max_chars``; failing that, on a word boundary with an ellipsis.
    """
    text = paragraph.strip()
    sentence = text
    for m in re.finditer(r"(?<=[^\d\s][.!?…])\s+(\S)", text):
        if m.group(1).isupper() or m.group(1) in "“\"(":
            sentence = text[: m.start()]
            break
    sentence = sentence.rstrip(" .")
    if len(sentence) <= max_chars:
        return sentence
    depth, cuts = 0, []
    for i, ch in enumerate(sentence):
        if ch == "“" or (ch == '"' and depth == 0):
            depth += 1
        elif ch == "”" or ch == '"':
            depth = max(0, depth - 1)
        elif ch in ",;" and depth == 0 and i <= max_chars:
            cuts.append(i)
    good = [c for c in cuts if c >= 40]
    if good:
        return sentence[: good[-1]].rstrip()
    cut = sentence.rfind(" ", 0, max_chars)
    return sentence[: cut if cut > 0 else max_chars].rstrip(" ,;") + "…"


def _same_text(a: str, b: str) -> bool:
    def key(s: str) -> str:
        return re.sub(r"[\W_]+", " ", fold(s)).strip()

    return key(a) == key(b)


# --- the cleaner ---------------------------------------------------------------------------------


def _split_tail(lines: list[_Line]) -> int:
    """Index where the article ends: the first "related news"/comment heading after the body began.

    A heading counts only once prose has started (menus above the headline use the same words) and
    only if no more prose follows it than came before it (a stray label in the middle of an
    article does not cut it in half).
    """
    prose = [len(x.text) if _is_prose(x) and not _is_junk(x) else 0 for x in lines]
    prose_after = sum(prose)  # prose below line i, kept as a running total: linear, not quadratic
    prose_before = 0
    for i, line in enumerate(lines):
        prose_after -= prose[i]
        if prose[i]:
            prose_before += prose[i]
            continue
        if prose_before and (_TAIL_MARKER.match(line.folded) or _ALWAYS_JUNK.search(line.folded)):
            if prose_after < prose_before:
                return i
    return len(lines)


def _clean_lines(raw_lines: list[str], *, known_title: str | None = None,
                 meta: _Meta | None = None) -> CleanArticle:
    meta = meta or _Meta()
    lines = [_make_line(r) for r in raw_lines if r.strip()]
    dropped: list[str] = []

    def drop(line: _Line) -> None:
        dropped.append(line.raw)
        meta.hint(_site_hint(line))  # footers name the site ("Bản quyền thuộc về Báo Tây Ninh")

    end = _split_tail(lines)
    for line in lines[end:]:
        drop(line)
    lines = lines[:end]

    prose = [i for i, line in enumerate(lines) if _is_prose(line) and not _is_junk(line)]
    if not prose:
        raise CorpusError("no article text found (the page is only navigation, widgets or footers)")
    first, last = prose[0], prose[-1]

    # Header: metadata, the headline nearest the lead, then everything else is page furniture.
    title = known_title
    headlines: list[_Line] = []
    for line in reversed(lines[:first]):
        # Metadata first: a date line is also "mostly digits", i.e. junk, but worth reading.
        if _take_header_meta(line, meta) or _is_junk(line):
            drop(line)
        elif title is None and _is_headline(line):
            headlines.append(line)
        else:
            drop(line)
    if title is None and headlines:
        # The nearest headline-like line above the lead, unless it is a short label (a category
        # such as "Xây dựng Đảng") and a real headline sits above it.
        chosen = next((h for h in headlines if h.words >= 4), headlines[0])
        title = chosen.text
        for h in headlines:
            if h is not chosen:
                drop(h)

    # Body: keep prose, sub-headings and captions; drop widgets and repeats of the headline.
    paragraphs: list[str] = []
    for line in lines[first:last + 1]:
        tag = _AGENCY_TAG.match(line.text)
        if tag:
            meta.hint(tag.group(1))
        if _is_junk(line) or (title and _same_text(line.text, title)):
            drop(line)
        elif not _is_prose(line) and _take_byline(line, meta, allow_name=False):
            drop(line)
        elif paragraphs and _same_text(line.text, paragraphs[-1]):
            drop(line)
        else:
            paragraphs.append(line.text)

    # Tail: the byline right after the body (widgets such as share buttons may sit between);
    # a parenthesised attribution of a closing quote stays. Further down it is all furniture.
    in_byline = True
    for k, line in enumerate(lines[last + 1:]):
        if in_byline and k < _BYLINE_WINDOW and not _is_junk(line):
            if k == 0 and _is_attribution(line):
                paragraphs.append(line.text)
                continue
            if _take_byline(line, meta, allow_name=True):
                drop(line)
                continue
            if _is_date_line(line):
                meta.date = meta.date or parse_date(line.text)
                drop(line)
                continue
            in_byline = False  # other content (a related headline): the byline is over
        drop(line)

    title_derived = False
    if not title:
        title = derive_title(paragraphs[0])
        title_derived = True
    url = next((u for u in map(article_url, [meta.source, *meta.hints]) if u), None)
    return CleanArticle(title=normalize_line(title), paragraphs=paragraphs, author=meta.author,
                        source=meta.source, date=meta.date, dropped=dropped, hints=meta.hints,
                        title_derived=title_derived, url=url)


_WEB_ADDRESS = re.compile(r"https?://([^/\s?#]+)(/[^\s]*)?", re.IGNORECASE)


def article_url(value: str | None) -> str | None:
    """``value`` when it is the address of a page (http(s), a host and a path), else None.

    "http://baobackan.org.vn" names a site, not an article, so it is not an article's URL.
    Trailing punctuation of a sentence is not part of the address.
    """
    if not value:
        return None
    m = _WEB_ADDRESS.fullmatch(value.strip().rstrip(".,;)]»”\"'"))
    if not m or not m.group(2) or m.group(2).strip("/") == "":
        return None
    return m.group(0)


def site_domain(value: str | None) -> str | None:
    """The host of a web address or bare domain, lower case, without "www."
    ("http://www.baobackan.org.vn/x" → "baobackan.org.vn"); None when ``value`` holds none."""
    if not value:
        return None
    m = re.search(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?=[/:\s?#]|$)", value.strip(), re.IGNORECASE)
    if not m:
        return None
    host = m.group(1).lower()
    return host[4:] if host.startswith("www.") else host


def _is_attribution(line: _Line) -> bool:
    """"(Bí thư Huyện ủy X Phan Văn A)" under a closing quote: who said it, part of the article."""
    return (re.fullmatch(r"\([^()]{3,}\)", line.text) is not None and line.words >= 3
            and not re.match(r"\((?:theo|nguon)\b", line.folded))


def clean_text(raw: str) -> CleanArticle:
    """Clean plain text already flattened from a web page (one block per line)."""
    text = normalize(raw)
    if not text.strip():
        raise CorpusError("the article is empty")
    return _clean_lines(text.split("\n"))


def _doc_field(doc: object, name: str) -> str | None:
    """A text field of trafilatura's result (a Document, or a dict in older versions), normalised."""
    value = doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)
    if not isinstance(value, str) or not value.strip():
        return None
    return value if name == "text" else normalize_line(value)


def clean_html(html: str, url: str | None = None) -> CleanArticle:
    """Clean an HTML page: trafilatura extracts the main text and the page metadata.

    The extracted text still goes through the line rules above (extractors keep some bylines,
    captions and widget labels); trafilatura's title, author, date and site name fill in what the
    text does not say.
    """
    import trafilatura  # heavy import, only needed for HTML

    if not html.strip():
        raise CorpusError("the article is empty")
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=True, include_images=False, include_links=False)
    text = normalize(_doc_field(doc, "text") or "")
    if not text.strip():
        raise CorpusError("no article text found in the HTML page")
    meta = _Meta()
    title, site = _doc_field(doc, "title"), _doc_field(doc, "sitename")
    page_url = url or _doc_field(doc, "url")
    meta.hint(site)
    meta.hint(page_url)
    meta.hint(_doc_field(doc, "hostname"))
    article = _clean_lines(text.split("\n"), known_title=title, meta=meta)
    author, date = _doc_field(doc, "author"), _doc_field(doc, "date")
    article.author = article.author or author
    article.date = article.date or (parse_date(date) if date else None)
    article.source = article.source or page_url or site
    # the address given by the user, else the one the page declares (canonical / og:url)
    article.url = article_url(url) or article_url(page_url) or article.url
    return article
