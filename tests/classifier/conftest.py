"""Fixtures: a small hand-made corpus and a model trained on it, and the real model."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from classifier.labels import FIELDS, KINDS
from classifier.model import TrainConfig, ensure_model
from classifier.normalize import strip_accents

# A few hand-written phrases per field; texts are built by combining them.
PHRASES: dict[str, list[str]] = {
    "dat_dai": ["tranh chấp ranh giới đất", "cấp sổ đỏ chậm", "hàng xóm lấn chiếm đất vườn",
                "chuyển mục đích sử dụng đất", "thửa đất bị đo sai diện tích"],
    "giai_phong_mat_bang": ["tiền bồi thường giải phóng mặt bằng thấp",
                            "chưa được bố trí tái định cư",
                            "thu hồi đất làm dự án đường", "giá đền bù không thỏa đáng",
                            "cưỡng chế giải tỏa nhà"],
    "an_sinh_xa_hoi": ["chưa nhận trợ cấp người cao tuổi", "hộ nghèo không được xét",
                       "thẻ bảo hiểm y tế cho trẻ em", "trợ cấp người khuyết tật bị cắt",
                       "hỗ trợ gia đình chính sách"],
    "moi_truong": ["rác thải tồn đọng bốc mùi", "nước thải xả ra kênh", "khói lò gạch ô nhiễm",
                   "trại heo gây mùi hôi", "đốt rơm rạ khói mù mịt"],
    "xay_dung_trat_tu_do_thi": ["xây nhà không phép", "lấn chiếm vỉa hè bán hàng",
                                "công trình xây vượt số tầng", "dựng kiốt trái phép",
                                "ép cọc làm nứt tường nhà bên"],
    "giao_thong_ha_tang": ["đường bị ổ gà hư hỏng", "đèn đường không sáng",
                           "cống thoát nước bị tắc",
                           "cầu dân sinh xuống cấp", "ngập nước sau mưa"],
    "an_ninh_trat_tu": ["thanh niên tụ tập đua xe", "trộm cắp xe máy ban đêm", "đánh nhau gây rối",
                        "nghi có tụ điểm ma túy", "đánh bạc trong xóm"],
    "thu_tuc_hanh_chinh": ["làm căn cước công dân lâu", "đăng ký khai sinh cho con",
                           "chứng thực giấy tờ phải chờ", "hồ sơ một cửa bị trả lại",
                           "xin xác nhận tạm trú"],
    "huong_uoc_quy_uoc": ["dự thảo hương ước thôn", "quy ước tổ dân phố về đám cưới",
                          "hương ước quy định tang lễ", "quy ước cấm đốt vàng mã",
                          "sửa đổi điều khoản hương ước"],
    "khac": ["cảm ơn cán bộ xã nhiệt tình", "hỏi giờ làm việc của ủy ban", "chúc mừng năm mới",
             "xin số điện thoại trưởng thôn", "hỏi lịch tiêm phòng cho chó"],
}  # fmt: skip

KIND_OPENERS: dict[str, list[str]] = {
    "phan_anh": ["tôi xin phản ánh", "báo để xã biết"],
    "kien_nghi": ["đề nghị xã xem xét", "kiến nghị chính quyền giải quyết"],
    "khieu_nai": ["tôi khiếu nại quyết định", "không đồng ý và khiếu nại"],
    "to_cao": ["tôi tố cáo cán bộ", "tố giác hành vi sai phạm"],
    "gop_y": ["xin góp ý", "có ý kiến đóng góp"],
}

URGENT_TAILS = ["nguy hiểm lắm xin xuống gấp", "đang cháy lan cần cứu ngay"]
PLACES = ["thôn Đông", "xóm Bàu Sen", "tổ 9", "ấp 4", "khu phố 3", "ngõ 12"]


def make_examples(per_field: int = 24, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for field in FIELDS:
        for i in range(per_field):
            kind = KINDS[i % len(KINDS)]
            urgent = i % 6 == 0
            parts = [rng.choice(KIND_OPENERS[kind]), rng.choice(PHRASES[field]),
                     "ở " + rng.choice(PLACES), rng.choice(PHRASES[field])]  # fmt: skip
            if urgent:
                parts.append(rng.choice(URGENT_TAILS))
            text = ", ".join(parts)
            if i % 5 == 2:
                text = strip_accents(text)
            rows.append({"text": text, "field": field, "kind": kind, "urgent": urgent})
    return rows


def write_corpus(directory: Path, rows: list[dict[str, object]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    half = len(rows) // 2
    for name, chunk in (("a.jsonl", rows[:half]), ("b.jsonl", rows[half:])):
        with (directory / name).open("w", encoding="utf-8") as handle:
            for row in chunk:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return directory


SMALL_CONFIG = TrainConfig(
    field_c_grid=(0.5,), kind_c_grid=(0.2, 0.5), urgent_c_grid=(0.5,), n_splits=3
)


@pytest.fixture(scope="session")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(corpus dir, artifact path) of a model trained on the hand-made corpus."""
    root = tmp_path_factory.mktemp("small")
    corpus = write_corpus(root / "corpus", make_examples())
    artifact = root / "artifacts" / "model.pkl"
    ensure_model(corpus, artifact, root / "missing.jsonl", SMALL_CONFIG)
    return corpus, artifact


@pytest.fixture(scope="session")
def real_model() -> Path:
    """The package's model, trained once on the real corpus when missing or stale."""
    return ensure_model()
