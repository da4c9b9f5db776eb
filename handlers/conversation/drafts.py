"""The resident's dialogue on draft community rules (hương ước, quy ước).

    menu «Góp ý dự thảo…» / /duthao ─▶ list ─▶ overview ─▶ article ◀─▶ previous / next / contents
    article ─▶ Đồng ý | Không đồng ý ─┐
            ─▶ Góp ý ─────────────────┼─▶ (window open?) ─▶ (consent?) ─▶ (residential group?)
    overview ─▶ Góp ý chung ──────────┘        └─ closed: refused with the date; reading goes on
        vote ─▶ recorded (the last vote counts)      comment ─▶ text ─▶ recorded

Steps are named ``draft:*`` and buttons ``draft:*``; the engine sends both here. The gates
before a vote or comment keep what the resident wanted in ``pending`` so that, after
consenting and naming their group, it is done without asking again. Every change goes
through ``handlers.draft_actions``; this module only parses, offers and reports.
"""

from __future__ import annotations

from typing import Any

from db import drafts_queries as dq
from db.drafts_models import RuleArticle, RuleDraft, RuleDraftVersion
from handlers import actions, draft_actions
from handlers.actions import ActionRefused
from handlers.conversation.turn import Turn
from handlers.conversation.types import Button, InboundMessage
from handlers.drafts import texts as dt
from handlers.drafts.split import split_text
from handlers.drafts.window import WindowState

PREFIX = "draft:"
READ = "draft:read"
CONSENT = "draft:consent"
GROUP = "draft:group"
COMMENT = "draft:comment"
COMMAND = "duthao"
IDLE = "idle"
MESSAGE_LIMIT = 500
LABEL_LIMIT = 60

Rows = tuple[tuple[Button, ...], ...]


def wants(msg: InboundMessage, step: str) -> bool:
    """True when this message belongs to the drafts dialogue. Other buttons (an older menu,
    a rating) and commands such as /huy go to the resident dialogue, which ends this one."""
    command = msg.command
    if command is not None:
        return command[0] == COMMAND
    if msg.button is not None:
        return msg.button.startswith(PREFIX)
    return step.startswith(PREFIX)


async def menu_rows(turn: Turn) -> Rows:
    """The start-menu entry, shown only while a draft is open for comments."""
    today = turn.deps.calendar.local_date(turn.now)
    if await dq.any_open(turn.session, today):
        return ((Button(dt.BTN_MENU, "draft:list"),),)
    return ()


async def handle(turn: Turn) -> None:
    msg = turn.msg
    if msg.command is not None:
        await _list(turn)
    elif msg.button is not None:
        await _button(turn, msg.button)
    elif turn.step == COMMENT and msg.text and msg.text.strip():
        await _comment_text(turn, msg.text.strip())
    elif turn.step in (CONSENT, GROUP, COMMENT):
        turn.say(dt.PRESS_BUTTON, *_cancel_row(turn))
    else:
        turn.say(dt.READING_HINT, *await _back_rows(turn))


def _label(text: str) -> str:
    return text if len(text) <= LABEL_LIMIT else text[:LABEL_LIMIT - 1].rstrip() + "…"


def _day(value: Any) -> str:
    return f"{value:%d/%m/%Y}"


def _state(turn: Turn, draft: RuleDraft) -> WindowState:
    return draft_actions.window_state(draft, turn.deps.profile, turn.now)


async def _button(turn: Turn, payload: str) -> None:
    parts = payload.split(":")
    kind = parts[1] if len(parts) > 1 else ""
    args = parts[2:]
    if kind == "list":
        await _list(turn)
    elif kind == "open" and args and args[0].isdigit():
        await _overview(turn, int(args[0]))
    elif kind == "toc" and args and args[0].isdigit():
        await _toc(turn, int(args[0]))
    elif kind == "art" and args and args[0].isdigit():
        await _article(turn, int(args[0]))
    elif kind == "vote" and len(args) == 2 and args[0].isdigit() and args[1] in ("yes", "no"):
        await _start(turn, {"kind": "vote", "article": int(args[0]), "agree": args[1] == "yes"})
    elif kind == "cmt" and len(args) == 2 and args[0].isdigit() and args[1].isdigit():
        article = int(args[1]) or None
        await _start(turn, {"kind": "comment", "draft": int(args[0]), "article": article})
    elif kind == "consent" and args and turn.step == CONSENT:
        await _consent(turn, args[0] == "yes")
    elif kind == "group" and args and turn.step == GROUP:
        await _group(turn, args[0])
    elif kind == "exit":
        from handlers.conversation import resident  # the main menu lives there

        turn.go(IDLE, {})
        turn.say(dt.EXITED, *resident.MENU)
    else:
        await _list(turn)


# -- reading ---------------------------------------------------------------------------------


async def _list(turn: Turn) -> None:
    today = turn.deps.calendar.local_date(turn.now)
    drafts = await dq.readable_drafts(turn.session, today)
    turn.go(READ, {})
    if not drafts:
        turn.say(dt.LIST_EMPTY)
        turn.go(IDLE, {})
        return
    lines = [dt.LIST_TITLE]
    rows = []
    for number, draft in enumerate(drafts, start=1):
        window = (dt.WINDOW_CLOSED if _state(turn, draft) is WindowState.CLOSED
                  else dt.WINDOW_OPEN).format(closes=_day(draft.closes_on))
        lines.append(dt.LIST_ENTRY.format(number=number, title=draft.title, place=draft.place,
                                          window=window))
        rows.append((Button(_label(draft.title), f"draft:open:{draft.id}"),))
    turn.say("\n".join(lines), *rows, (Button(dt.BTN_BACK, "draft:exit"),))


async def _draft(turn: Turn, draft_id: int) -> RuleDraft | None:
    draft = await turn.session.get(RuleDraft, draft_id)
    today = turn.deps.calendar.local_date(turn.now)
    if draft is None or draft.opens_on > today:
        turn.say(dt.NOT_FOUND, (Button(dt.BTN_BACK, "draft:exit"),))
        return None
    return draft


async def _overview(turn: Turn, draft_id: int) -> None:
    draft = await _draft(turn, draft_id)
    if draft is None:
        return
    version = await dq.version(turn.session, draft)
    articles = await dq.articles(turn.session, version.id)
    chapters = len({a.chapter for a in articles if a.chapter})
    is_open = _state(turn, draft) is WindowState.OPEN
    window_line = (dt.OVERVIEW_OPEN if is_open else dt.OVERVIEW_CLOSED).format(
        opens=_day(draft.opens_on), closes=_day(draft.closes_on))
    turn.go(READ, {"draft": draft.id})
    if version.preamble:
        for piece in split_text(version.preamble, MESSAGE_LIMIT):
            turn.say(piece)
    rows: list[tuple[Button, ...]] = []
    if articles:
        rows.append((Button(dt.BTN_READ, f"draft:art:{articles[0].id}"),
                     Button(dt.BTN_TOC, f"draft:toc:{draft.id}")))
    if is_open:
        rows.append((Button(dt.BTN_COMMENT_DRAFT, f"draft:cmt:{draft.id}:0"),))
    rows.append((Button(dt.BTN_BACK, "draft:exit"),))
    turn.say(dt.OVERVIEW.format(
        title=draft.title, place=draft.place, version=version.number, window_line=window_line,
        articles=len(articles), chapters=f" trong {chapters} chương" if chapters else "",
    ), *rows)


async def _toc(turn: Turn, draft_id: int) -> None:
    draft = await _draft(turn, draft_id)
    if draft is None:
        return
    version = await dq.version(turn.session, draft)
    articles = await dq.articles(turn.session, version.id)
    turn.go(READ, {"draft": draft.id})
    buttons: list[Button] = []
    firsts: dict[str, list[RuleArticle]] = {}
    for article in articles:
        if article.chapter:
            firsts.setdefault(article.chapter, []).append(article)
    if firsts:
        for chapter, members in firsts.items():
            span = f"Điều {members[0].number}–{members[-1].number}"
            buttons.append(Button(_label(f"{chapter} ({span})"), f"draft:art:{members[0].id}"))
        rows: Rows = tuple((b,) for b in buttons)
    else:
        buttons = [Button(f"Điều {a.number}", f"draft:art:{a.id}") for a in articles]
        rows = tuple(tuple(buttons[i:i + 4]) for i in range(0, len(buttons), 4))
    turn.say(dt.TOC_TITLE.format(title=draft.title), *rows,
             (Button(dt.BTN_BACK, "draft:exit"),))


async def _article(turn: Turn, article_id: int, *, prefix: str | None = None) -> None:
    context = await dq.article_context(turn.session, article_id)
    today = turn.deps.calendar.local_date(turn.now)
    if context is None or context.draft.opens_on > today:
        turn.say(dt.NOT_FOUND, (Button(dt.BTN_BACK, "draft:exit"),))
        return
    draft, version, article = context.draft, context.version, context.article
    if version.number != draft.current_version:
        current = await dq.version(turn.session, draft)
        same = await dq.article_by_number(turn.session, current.id, article.number)
        if same is None:
            turn.say(dt.ARTICLE_GONE.format(version=current.number, number=article.number))
            await _overview(turn, draft.id)
            return
        turn.say(dt.ARTICLE_NEWER.format(version=current.number))
        draft, version, article = draft, current, same
    turn.go(READ, {"draft": draft.id, "article": article.id})
    heading = f"Điều {article.number}. {article.title}".rstrip(". ")
    text = f"{heading}\n{article.body}".strip()
    if article.chapter:
        text = dt.ARTICLE_CHAPTER.format(chapter=article.chapter) + text
    if prefix:
        turn.say(prefix)
    pieces = split_text(text, MESSAGE_LIMIT)
    for piece in pieces[:-1]:
        turn.say(piece)
    footer = await _article_footer(turn, draft, article)
    last = pieces[-1] if pieces else ""
    joined = f"{last}\n\n{footer}" if len(last) + len(footer) + 2 <= MESSAGE_LIMIT else None
    rows = await _article_rows(turn, draft, version, article)
    if joined is None:
        turn.say(last)
        turn.say(footer, *rows)
    else:
        turn.say(joined, *rows)


async def _article_footer(turn: Turn, draft: RuleDraft, article: RuleArticle) -> str:
    lines = []
    vote = await dq.last_vote(turn.session, article.id, turn.resident.id)
    if vote is not None:
        lines.append(dt.ARTICLE_YOUR_VOTE.format(vote=dt.VOTE_LABELS[vote.agree]))
    if _state(turn, draft) is WindowState.OPEN:
        lines.append(dt.ARTICLE_PROMPT.format(number=article.number))
    else:
        lines.append(dt.ARTICLE_CLOSED.format(closes=_day(draft.closes_on)))
    return "\n".join(lines)


async def _article_rows(
    turn: Turn, draft: RuleDraft, version: RuleDraftVersion, article: RuleArticle
) -> Rows:
    rows: list[tuple[Button, ...]] = []
    if _state(turn, draft) is WindowState.OPEN:
        rows.append((Button(dt.BTN_AGREE, f"draft:vote:{article.id}:yes"),
                     Button(dt.BTN_DISAGREE, f"draft:vote:{article.id}:no")))
        rows.append((Button(dt.BTN_COMMENT, f"draft:cmt:{draft.id}:{article.id}"),))
    nav = []
    previous = await dq.article_by_number(turn.session, version.id, article.number - 1)
    following = await dq.article_by_number(turn.session, version.id, article.number + 1)
    if previous is not None:
        nav.append(Button(dt.BTN_PREV.format(number=previous.number), f"draft:art:{previous.id}"))
    if following is not None:
        nav.append(Button(dt.BTN_NEXT.format(number=following.number),
                          f"draft:art:{following.id}"))
    if nav:
        rows.append(tuple(nav))
    rows.append((Button(dt.BTN_TOC, f"draft:toc:{draft.id}"),
                 Button(dt.BTN_BACK, "draft:exit")))
    return tuple(rows)


async def _back_rows(turn: Turn) -> Rows:
    """Where a resident who typed while reading can go back to."""
    article_id = turn.data.get("article")
    draft_id = turn.data.get("draft")
    rows: list[tuple[Button, ...]] = []
    if isinstance(article_id, int):
        rows.append((Button(dt.BTN_READ, f"draft:art:{article_id}"),))
    elif isinstance(draft_id, int):
        rows.append((Button(dt.BTN_READ, f"draft:open:{draft_id}"),))
    rows.append((Button(dt.BTN_BACK, "draft:exit"),))
    return tuple(rows)


def _cancel_row(turn: Turn) -> Rows:
    pending = turn.data.get("pending") or {}
    article_id = pending.get("article")
    target = (f"draft:art:{article_id}" if article_id
              else f"draft:open:{pending.get('draft') or turn.data.get('draft') or 0}")
    return ((Button(dt.BTN_CANCEL, target),),)


# -- votes and comments, behind the gates -------------------------------------------------------


async def _start(turn: Turn, pending: dict[str, Any]) -> None:
    if pending["kind"] == "vote" or pending.get("article"):
        context = await dq.article_context(turn.session, int(pending["article"]))
        if context is None:
            turn.say(dt.NOT_FOUND)
            return
        if context.version.number != context.draft.current_version:
            await _article(turn, context.article.id)  # shows the new version's text first
            return
        pending["draft"] = context.draft.id
    turn.go(READ, {"draft": pending["draft"], "article": pending.get("article"),
                   "pending": pending})
    await _proceed(turn, pending)


async def _proceed(turn: Turn, pending: dict[str, Any]) -> None:
    draft = await turn.session.get(RuleDraft, int(pending["draft"]))
    if draft is None:
        turn.say(dt.NOT_FOUND)
        return
    state = _state(turn, draft)
    data = {"draft": draft.id, "article": pending.get("article"), "pending": pending}
    if state is not WindowState.OPEN:
        turn.go(READ, {"draft": draft.id, "article": pending.get("article")})
        text = (dt.CLOSED.format(title=draft.title, closes=_day(draft.closes_on))
                if state is WindowState.CLOSED
                else dt.NOT_YET.format(title=draft.title, opens=_day(draft.opens_on)))
        turn.say(text, *await _back_rows(turn))
        return
    if turn.resident.consent_at is None:
        turn.go(CONSENT, data)
        turn.say(dt.CONSENT.format(place=turn.deps.locality.name),
                 (Button(dt.BTN_CONSENT_YES, "draft:consent:yes"),
                  Button(dt.BTN_CONSENT_NO, "draft:consent:no")))
        return
    joined = await dq.participant(turn.session, draft.id, turn.resident.id)
    if joined is None and "group" not in pending:
        turn.go(GROUP, data)
        groups = turn.deps.profile.residential_groups
        rows = [(Button(name, f"draft:group:{index}"),) for index, name in enumerate(groups)]
        rows.append((Button(dt.BTN_OTHER_GROUP, "draft:group:other"),))
        turn.say(dt.ASK_GROUP, *rows, *_cancel_row(turn))
        return
    if pending["kind"] == "vote":
        await _vote(turn, draft, pending)
        return
    turn.go(COMMENT, data)
    if pending.get("article"):
        article = await turn.session.get(RuleArticle, int(pending["article"]))
        title = article.title if article is not None else ""
        number = article.number if article is not None else "?"
        turn.say(dt.ASK_COMMENT_ARTICLE.format(number=number, title=title), *_cancel_row(turn))
    else:
        turn.say(dt.ASK_COMMENT_DRAFT.format(title=draft.title), *_cancel_row(turn))


async def _consent(turn: Turn, yes: bool) -> None:
    pending = dict(turn.data.get("pending") or {})
    if not yes:
        turn.go(READ, {"draft": pending.get("draft"), "article": pending.get("article")})
        turn.say(dt.CONSENT_REFUSED.format(contact=turn.deps.locality.contact),
                 *await _back_rows(turn))
        return
    await actions.give_consent(turn.session, turn.resident, display_name=turn.msg.display_name,
                               now=turn.now)
    await _proceed(turn, pending)


async def _group(turn: Turn, choice: str) -> None:
    pending = dict(turn.data.get("pending") or {})
    groups = turn.deps.profile.residential_groups
    if choice == "other":
        pending["group"] = draft_actions.OTHER_GROUP
    elif choice.isdigit() and int(choice) < len(groups):
        pending["group"] = groups[int(choice)]
    else:
        turn.say(dt.PRESS_BUTTON)
        return
    await _proceed(turn, pending)


async def _vote(turn: Turn, draft: RuleDraft, pending: dict[str, Any]) -> None:
    article = await turn.session.get(RuleArticle, int(pending["article"]))
    if article is None:
        turn.say(dt.NOT_FOUND)
        return
    agree = bool(pending["agree"])
    try:
        async with turn.session.begin_nested():
            _, previous = await draft_actions.cast_vote(
                turn.session, turn.resident, article, agree=agree, group=pending.get("group"),
                profile=turn.deps.profile, now=turn.now)
    except ActionRefused as exc:
        turn.go(READ, {"draft": draft.id, "article": article.id})
        turn.say(exc.reason, *await _back_rows(turn))
        return
    template = dt.VOTED if previous is None or previous.agree == agree else dt.VOTED_CHANGED
    turn.go(READ, {"draft": draft.id, "article": article.id})
    version = await dq.version(turn.session, draft)
    turn.say(template.format(vote=dt.VOTE_WORDS[agree], number=article.number),
             *await _article_rows(turn, draft, version, article))


async def _comment_text(turn: Turn, text: str) -> None:
    pending = dict(turn.data.get("pending") or {})
    draft = await turn.session.get(RuleDraft, int(pending.get("draft") or 0))
    if draft is None:
        turn.go(IDLE, {})
        turn.say(dt.NOT_FOUND)
        return
    article = (await turn.session.get(RuleArticle, int(pending["article"]))
               if pending.get("article") else None)
    limit = turn.deps.limits.max_text_length
    if len(text) > limit:
        turn.say(dt.COMMENT_TOO_LONG.format(length=len(text), limit=limit), *_cancel_row(turn))
        return
    try:
        async with turn.session.begin_nested():
            comment = await draft_actions.add_comment(
                turn.session, turn.resident, draft, article, text=text,
                group=pending.get("group"), profile=turn.deps.profile, now=turn.now)
    except ActionRefused as exc:
        turn.go(READ, {"draft": draft.id, "article": article.id if article else None})
        turn.say(exc.reason, *await _back_rows(turn))
        return
    turn.go(READ, {"draft": draft.id, "article": article.id if article else None})
    target = (dt.TARGET_ARTICLE.format(number=article.number) if article is not None
              else dt.TARGET_DRAFT)
    if article is not None:
        version = await dq.version(turn.session, draft)
        rows = await _article_rows(turn, draft, version, article)
    else:
        rows = await _back_rows(turn)
    turn.say(dt.COMMENTED.format(id=comment.id, target=target), *rows)
