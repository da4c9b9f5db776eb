"""`python -m bot drafts …` as an operator runs it, the summary file's cells, and the demo
draft that `run` publishes into an empty database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.__main__ import main
from bot.clock import utc_now
from bot.drafts_cli import seed_demo
from db.drafts_models import RuleArticle, RuleComment, RuleDraft
from db.engine import create_engine, session_factory
from handlers.conversation.turn import Deps
from tests.drafts.helpers import DEMO, GROUP, Chat, ward

ROOT = Path(__file__).resolve().parents[2]
# The CLI reads the real clock; windows are set around today in the ward's zone.
TODAY = utc_now().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "ZALO_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PROFILE", "demo_ward")
    monkeypatch.chdir(tmp_path)  # no .env file here
    return tmp_path


def _import(path: Path, closes: date, title: str = "Quy ước Tổ dân phố Đông Thành (dự thảo)",
            place: str = GROUP) -> int:
    return main(["drafts", "import", str(path), "--title", title, "--place", place,
                 "--opens", TODAY.isoformat(), "--closes", closes.isoformat()])


def test_import_prints_the_id_in_a_subprocess(env: Path, database_url: str) -> None:
    process = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", "drafts", "import", str(DEMO), "--title", "Quy ước",
         "--place", GROUP, "--opens", TODAY.isoformat(),
         "--closes", (TODAY + timedelta(days=30)).isoformat()],
        cwd=env, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=60, check=False)
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "1"
    assert "Đã nhập dự thảo số 1" in process.stderr


def test_malformed_file_and_short_window_are_refused_with_one_clear_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = env / "bad.txt"
    bad.write_text("Chương I. CHUNG\nĐiều 1. Một\nNội dung.\nĐiều 3. Ba\nNội dung.\n",
                   encoding="utf-8")
    assert _import(bad, TODAY + timedelta(days=30)) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("Dòng 4: gặp Điều 3 nhưng cần Điều 2 (các điều phải đánh số liên tục từ 1, "
                   "không lặp, không bỏ sót).")
    assert _import(DEMO, TODAY + timedelta(days=20)) == 1
    assert "ít hơn 30 ngày" in capsys.readouterr().err
    assert _import(DEMO, TODAY + timedelta(days=30), place="Thôn Xa") == 1
    assert "không có trong danh sách" in capsys.readouterr().err
    assert _import(env / "missing.md", TODAY + timedelta(days=30)) == 1
    assert "Không tìm thấy tệp" in capsys.readouterr().err
    assert asyncio.run(_count_drafts(str(os.environ["DATABASE_URL"]))) == 0


async def _count_drafts(url: str) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(RuleDraft)) or 0)
    finally:
        await engine.dispose()


async def _residents_take_part(url: str) -> None:
    """Two residents of two groups vote and comment; one changes a vote; staff answer."""
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        deps = Deps(profile=ward())
        an = Chat(sessions, "an", now=utc_now(), deps=deps)
        await an.press("draft:open:1")
        await an.choose("Đọc từng điều")
        await an.choose("Đồng ý")
        await an.choose("Đồng ý")  # consent
        await an.choose(GROUP)
        await an.choose("Không đồng ý")  # changed: the last vote counts
        await an.choose("Góp ý")
        await an.say("Nên ghi rõ cả người thuê nhà.")
        binh = Chat(sessions, "binh", now=utc_now(), deps=deps)
        await binh.press("draft:open:1")
        await binh.choose("Đọc từng điều")
        await binh.choose("Đồng ý")
        await binh.choose("Đồng ý")
        await binh.choose("Tổ dân phố Tây Thành")
        await binh.press("draft:cmt:1:0")
        await binh.say("Dự thảo rõ ràng, dễ hiểu.")
        async with sessions.begin() as session:
            comment = (await session.scalars(select(RuleComment).order_by(RuleComment.id))).first()
            assert comment is not None
            comment.answer_text = "Tổ soạn thảo tiếp thu."
            comment.answered_at = utc_now()
    finally:
        await engine.dispose()


def test_revise_and_summary_cells(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _import(DEMO, TODAY + timedelta(days=30)) == 0
    assert capsys.readouterr().out.strip() == "1"
    url = os.environ["DATABASE_URL"]
    asyncio.run(_residents_take_part(url))

    out = env / "tong-hop.xlsx"
    assert main(["drafts", "summary", "1", "--out", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["Tổng hợp", "Theo điều", "Góp ý"]
    overview = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(values_only=True) if row}
    assert overview["Dự thảo"] == "Quy ước Tổ dân phố Đông Thành (dự thảo)"
    closes = TODAY + timedelta(days=30)
    assert overview["Thời gian lấy ý kiến"] == (
        f"{TODAY:%d/%m/%Y} – {closes:%d/%m/%Y} (31 ngày)")
    assert overview["Tình trạng"] == "Đang lấy ý kiến"
    assert overview["Số điều"] == 25 and overview["Số người tham gia"] == 2
    assert overview["Ý kiến đồng ý"] == 1 and overview["Ý kiến không đồng ý"] == 1
    assert overview["Góp ý theo điều"] == 1 and overview["Góp ý chung"] == 1
    assert overview["Góp ý đã trả lời"] == 1
    groups = list(book["Tổng hợp"].iter_rows(values_only=True))
    header = groups.index(("Thôn, tổ dân phố", "Người tham gia", "Đồng ý", "Không đồng ý",
                           "Góp ý"))
    assert groups[header + 1] == (GROUP, 1, 0, 1, 1)
    assert groups[header + 2] == ("Tổ dân phố Tây Thành", 1, 1, 0, 1)

    articles = book["Theo điều"]
    head = [c.value for c in articles[1]]
    assert head[:7] == ["Điều", "Tiêu đề", "Chương", "Nội dung", "Đồng ý", "Không đồng ý",
                        "Góp ý"]
    assert head[7:] == [f"{GROUP}: đồng ý", f"{GROUP}: không đồng ý", f"{GROUP}: góp ý",
                        "Tổ dân phố Tây Thành: đồng ý", "Tổ dân phố Tây Thành: không đồng ý",
                        "Tổ dân phố Tây Thành: góp ý"]
    first = [c.value for c in articles[2]]
    assert first[:3] == [1, "Phạm vi điều chỉnh", "Chương I. NHỮNG QUY ĐỊNH CHUNG"]
    assert str(first[3]).startswith("Quy ước này quy định những việc")
    assert first[4:] == [1, 1, 1, 0, 1, 1, 1, 0, 0]
    assert articles.max_row == 26
    assert [c.value for c in articles[26]][:2] == [25, "Hiệu lực thi hành"]

    comments = [[c.value for c in row] for row in book["Góp ý"].iter_rows(min_row=2)]
    assert [(r[1], r[2], r[3], r[5], r[6]) for r in comments] == [
        (1, "Điều 1", GROUP, "Nên ghi rõ cả người thuê nhà.", "Tổ soạn thảo tiếp thu."),
        (1, "Chung", "Tổ dân phố Tây Thành", "Dự thảo rõ ràng, dễ hiểu.", None),
    ]

    # A revision: the new version has no votes yet; the old comments stay on version 1.
    revised = env / "v2.md"
    revised.write_text(DEMO.read_text(encoding="utf-8").replace(
        "Điều 1. Phạm vi điều chỉnh", "Điều 1. Phạm vi điều chỉnh và mục đích"), encoding="utf-8")
    assert main(["drafts", "revise", "1", str(revised)]) == 0
    assert "phiên bản 2" in capsys.readouterr().out
    md = env / "tong-hop.md"
    assert main(["drafts", "summary", "1", "--out", str(md)]) == 0
    text = md.read_text(encoding="utf-8")
    assert "### Điều 1. Phạm vi điều chỉnh và mục đích" in text
    assert "- **Ý kiến đồng ý:** 0" in text
    assert "## Góp ý trên các phiên bản trước" in text
    assert "Nên ghi rõ cả người thuê nhà." in text and "Trả lời" in text
    old = env / "v1.md"
    assert main(["drafts", "summary", "1", "--out", str(old), "--version", "1"]) == 0
    v1 = old.read_text(encoding="utf-8")
    assert f"| {GROUP} | 0 | 1 | 1 |" in v1 and "| Cộng | 1 | 1 | 1 |" in v1
    assert main(["drafts", "summary", "1", "--out", str(env / "x.csv")]) == 1


async def _seed_twice(url: str) -> tuple[int | None, int | None, int, date, date]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        now = utc_now()
        async with sessions.begin() as session:
            first = await seed_demo(session, ward(), now)
        async with sessions.begin() as session:
            second = await seed_demo(session, ward(), now)
        async with sessions() as session:
            draft = (await session.scalars(select(RuleDraft))).one()
            articles = int(await session.scalar(select(func.count()).select_from(RuleArticle))
                           or 0)
        return first, second, articles, draft.opens_on, draft.closes_on
    finally:
        await engine.dispose()


def test_demo_draft_is_seeded_once_and_open_for_thirty_days(env: Path) -> None:
    first, second, articles, opens, closes = asyncio.run(
        _seed_twice(os.environ["DATABASE_URL"]))
    assert first == 1 and second is None and articles == 25
    assert (closes - opens).days == 30
