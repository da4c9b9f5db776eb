"""`python -m bot drafts import | revise | summary`: publish draft community rules and
summarise residents' comments for the drafting group (Tổ soạn thảo).

    drafts import FILE --title T --place P --opens DATE --closes DATE   prints the new id
    drafts revise ID FILE                                                a new version
    drafts summary ID --out FILE.xlsx|FILE.md [--version N]

Also ``seed_demo``: with a demo profile and no draft yet, ``run`` publishes the demo quy ước
(open today, for 30 days) so the web chat shows it out of the box.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utc_now
from bot.drafts_summary import build_summary, write_summary
from bot.settings import Settings
from db.drafts_models import RuleDraft
from db.engine import create_engine, session_factory
from db.migrate import migrate
from handlers import draft_actions
from handlers.actions import ActionRefused
from handlers.profiles import Profile, load_profile

log = logging.getLogger(__name__)
T = TypeVar("T")
DEMO_FILE = Path(__file__).resolve().parents[1] / "demo" / "quy-uoc-to-dan-pho-dong-thanh.md"
DEMO_TITLE = "Quy ước Tổ dân phố Đông Thành (dự thảo)"
DEMO_PLACE = "Tổ dân phố Đông Thành"


class CliError(Exception):
    """A problem the operator can fix; printed as one line."""


def add_parser(sub: Any) -> None:
    """Register ``drafts`` and its subcommands on the main parser's subparsers."""
    drafts = sub.add_parser("drafts", help="dự thảo hương ước, quy ước: nhập, sửa, tổng hợp")
    actions = drafts.add_subparsers(dest="drafts_command", required=True)
    imp = actions.add_parser("import", help="nhập dự thảo (phiên bản 1), in ra số dự thảo")
    imp.add_argument("file", type=Path)
    imp.add_argument("--title", required=True)
    imp.add_argument("--place", required=True, help="thôn / tổ dân phố trong hồ sơ địa phương")
    imp.add_argument("--opens", required=True, help="ngày bắt đầu lấy ý kiến (YYYY-MM-DD)")
    imp.add_argument("--closes", required=True, help="ngày kết thúc (YYYY-MM-DD), tính cả ngày")
    rev = actions.add_parser("revise", help="nhập phiên bản mới của dự thảo")
    rev.add_argument("id", type=int)
    rev.add_argument("file", type=Path)
    summary = actions.add_parser("summary", help="tổng hợp ý kiến ra tệp .xlsx hoặc .md")
    summary.add_argument("id", type=int)
    summary.add_argument("--out", required=True, type=Path)
    summary.add_argument("--version", type=int, default=None)


def parse_date(value: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value.strip(), pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise CliError(f"Ngày «{value}» không đúng dạng YYYY-MM-DD (hoặc DD/MM/YYYY).")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"Không tìm thấy tệp {path}.") from None
    except UnicodeDecodeError:
        raise CliError(f"Tệp {path} không phải văn bản UTF-8.") from None


async def _in_transaction(settings: Settings,
                          work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(settings.DATABASE_URL)
    try:
        await migrate(engine)
        async with session_factory(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


async def _draft(session: AsyncSession, draft_id: int) -> RuleDraft:
    draft = await session.get(RuleDraft, draft_id)
    if draft is None:
        raise CliError(f"Không có dự thảo số {draft_id}.")
    return draft


def main(args: argparse.Namespace, settings: Settings,
         clock: Callable[[], dt.datetime] = utc_now) -> int:
    profile = load_profile(settings.PROFILE)
    try:
        if args.drafts_command == "import":
            text = _read(args.file)
            opens, closes = parse_date(args.opens), parse_date(args.closes)

            async def do_import(session: AsyncSession) -> RuleDraft:
                return await draft_actions.import_draft(
                    session, title=args.title, place=args.place, opens_on=opens,
                    closes_on=closes, text=text, profile=profile, now=clock())

            draft = asyncio.run(_in_transaction(settings, do_import))
            print(draft.id)
            print(f"Đã nhập dự thảo số {draft.id} «{draft.title}» ({draft.place}), lấy ý kiến "
                  f"{draft.opens_on:%d/%m/%Y} – {draft.closes_on:%d/%m/%Y}.", file=sys.stderr)
        elif args.drafts_command == "revise":
            text = _read(args.file)

            async def do_revise(session: AsyncSession) -> int:
                draft = await _draft(session, args.id)
                version = await draft_actions.revise_draft(session, draft, text=text,
                                                           profile=profile, now=clock())
                return version.number

            number = asyncio.run(_in_transaction(settings, do_revise))
            print(f"Đã tạo phiên bản {number} của dự thảo số {args.id}. Góp ý trước đây vẫn "
                  "gắn với phiên bản đã góp ý.")
        else:
            out: Path = args.out
            if out.suffix.lower() not in (".xlsx", ".md"):
                raise CliError("Tệp tổng hợp phải có đuôi .xlsx hoặc .md.")

            async def do_summary(session: AsyncSession) -> None:
                draft = await _draft(session, args.id)
                try:
                    summary = await build_summary(session, draft, profile, clock(),
                                                  args.version)
                except LookupError:
                    raise CliError(f"Dự thảo số {args.id} không có phiên bản "
                                   f"{args.version}.") from None
                write_summary(summary, out)

            asyncio.run(_in_transaction(settings, do_summary))
            print(f"Đã ghi tổng hợp dự thảo số {args.id} vào {out}.")
    except (CliError, ActionRefused) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


# -- the demo -----------------------------------------------------------------------------


async def seed_demo(session: AsyncSession, profile: Profile, now: dt.datetime) -> int | None:
    """Publish the demo quy ước when the profile is a demo with residential groups and no
    draft exists yet; idempotent. Returns the new draft's id, or None."""
    if not profile.name.startswith("demo") or not profile.residential_groups:
        return None
    if await session.scalar(select(RuleDraft.id).limit(1)) is not None:
        return None
    place = DEMO_PLACE if DEMO_PLACE in profile.residential_groups else (
        profile.residential_groups[0])
    today = now.astimezone(ZoneInfo(profile.timezone)).date()
    closes = today + dt.timedelta(days=max(30, profile.min_comment_window_days))
    draft = await draft_actions.import_draft(
        session, title=DEMO_TITLE, place=place, opens_on=today, closes_on=closes,
        text=DEMO_FILE.read_text(encoding="utf-8"), profile=profile, now=now, actor="demo")
    return draft.id


def seed_demo_for_run(settings: Settings) -> None:
    """Called by ``run`` before serving: migrate, then seed the demo draft if it applies."""
    profile = load_profile(settings.PROFILE)
    if not profile.name.startswith("demo") or not DEMO_FILE.exists():
        return

    async def work(session: AsyncSession) -> int | None:
        return await seed_demo(session, profile, utc_now())

    draft_id = asyncio.run(_in_transaction(settings, work))
    if draft_id is not None:
        log.info("demo draft %s published for comments (web chat: /start)", draft_id)
