"""Pure rules: the comment window (time as an input), last-vote-counts tallies, message
splitting and staff access."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.drafts.access import DraftAccess, draft_access
from handlers.drafts.split import split_text
from handlers.drafts.votes import VoteRecord, latest_votes, tally
from handlers.drafts.window import CommentWindow, WindowRefused, WindowState, check_window
from handlers.rules.permissions import Role, Viewer

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_thirty_calendar_days_both_ends_included_is_enough() -> None:
    window = check_window(date(2026, 3, 1), date(2026, 3, 30), min_days=30, allow_shorter=False)
    assert window.days == 30


def test_twenty_nine_days_is_refused_with_the_earliest_closing_date() -> None:
    with pytest.raises(WindowRefused) as caught:
        check_window(date(2026, 3, 1), date(2026, 3, 29), min_days=30, allow_shorter=False)
    assert "29 ngày" in str(caught.value) and "30/03/2026" in str(caught.value)


def test_a_profile_may_allow_a_shorter_window_but_never_a_reversed_one() -> None:
    assert check_window(date(2026, 3, 1), date(2026, 3, 10), min_days=30,
                        allow_shorter=True).days == 10
    with pytest.raises(WindowRefused, match="trước ngày bắt đầu"):
        check_window(date(2026, 3, 10), date(2026, 3, 1), min_days=30, allow_shorter=True)


def test_window_state_follows_the_local_date_not_utc() -> None:
    window = CommentWindow(date(2026, 3, 1), date(2026, 3, 30))
    # 30/3 23:59 in Hà Nội is 16:59 UTC; one minute later it is 31/3 locally.
    last_minute = datetime(2026, 3, 30, 16, 59, tzinfo=UTC)
    assert window.state(last_minute, VN) is WindowState.OPEN
    assert window.state(last_minute + timedelta(minutes=1), VN) is WindowState.CLOSED
    # 1/3 00:00 local is 28/2 17:00 UTC.
    assert window.state(datetime(2026, 2, 28, 16, 59, tzinfo=UTC), VN) is WindowState.NOT_YET
    assert window.is_open(datetime(2026, 2, 28, 17, 0, tzinfo=UTC), VN)
    with pytest.raises(ValueError, match="aware"):
        window.state(datetime(2026, 3, 5), VN)  # noqa: DTZ001


T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _vote(article: int, resident: int, agree: bool, minutes: int, seq: int,
          group: str = "Đông Thành") -> VoteRecord:
    return VoteRecord(article, resident, agree, group, T0 + timedelta(minutes=minutes), seq)


def test_the_last_vote_counts() -> None:
    votes = [_vote(1, 7, True, 0, 1), _vote(1, 7, False, 5, 2), _vote(1, 8, True, 1, 3)]
    latest = latest_votes(reversed(votes))  # order of arrival does not matter
    assert latest[(1, 7)].agree is False
    counted = tally(votes)
    assert (counted[1].total.agree, counted[1].total.disagree) == (1, 1)


def test_same_instant_votes_are_ordered_by_insertion() -> None:
    votes = [_vote(1, 7, False, 0, 2), _vote(1, 7, True, 0, 1)]
    assert latest_votes(votes)[(1, 7)].agree is False


def test_tally_by_group_with_comments_and_whole_draft_comments() -> None:
    votes = [_vote(1, 7, True, 0, 1, "A"), _vote(1, 8, False, 0, 2, "B"),
             _vote(2, 7, True, 0, 3, "A")]
    counted = tally(votes, [(1, "A"), (1, "A"), (None, "B")])
    assert (counted[1].by_group["A"].agree, counted[1].by_group["A"].comments) == (1, 2)
    assert counted[1].by_group["B"].disagree == 1
    assert counted[2].total.agree == 1
    assert counted[None].total.comments == 1 and counted[None].by_group["B"].comments == 1


def test_split_keeps_every_word_in_order_and_respects_the_limit() -> None:
    text = "Mở đầu.\n\n" + "\n".join(f"{i}. Mục số {i} có nội dung vừa phải;" for i in range(40))
    pieces = split_text(text, 200)
    assert len(pieces) > 1 and all(len(p) <= 200 for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    assert split_text("ngắn", 200) == ["ngắn"]
    assert split_text("x" * 450, 200) == ["x" * 200, "x" * 200, "x" * 50]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (Viewer(Role.OFFICE, "van_phong"), DraftAccess.ACT),
        (Viewer(Role.UNIT_HEAD, "van_hoa_xa_hoi"), DraftAccess.ACT),
        (Viewer(Role.OFFICER, "van_hoa_xa_hoi"), DraftAccess.ACT),
        (Viewer(Role.OBSERVER), DraftAccess.READ),
        (Viewer(Role.OFFICER, "kinh_te"), DraftAccess.NONE),
        (Viewer(Role.UNIT_HEAD, "cong_an"), DraftAccess.NONE),
        (Viewer(Role.INSPECTORATE, "van_phong"), DraftAccess.NONE),
    ],
)
def test_who_sees_and_acts_on_comments(viewer: Viewer, expected: DraftAccess) -> None:
    assert draft_access(viewer, "van_hoa_xa_hoi") is expected
