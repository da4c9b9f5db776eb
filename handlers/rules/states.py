"""Item lifecycle: statuses, staff/resident actions and the transitions between them.

The table is data (``TRANSITIONS``); ``next_status`` only looks it up. A few actions have
more than one possible outcome (routing may land in the triage queue; a rating may close the
item); the first listed outcome is the default and the caller picks another with ``target``.

State diagram (``action -> status``; ``*`` = also ``set_kind``, which keeps the status)::

    received* --route--> routed | triage
    triage*   --route--> routed          --reject--> rejected   --forward--> forwarded
    routed*   --accept--> accepted       --reroute--> routed | triage
              --reject--> rejected       --forward--> forwarded
    accepted* --extend--> accepted       --answer--> answered
    answered* --rate--> answered | closed
              --close--> closed          --reopen--> reopened
    closed    --reopen--> reopened       --rate--> closed   (a late rating is still recorded)
    reopened* --answer--> answered       --reroute--> routed | triage
              --accept--> accepted       --close--> closed
    rejected, forwarded: final (a new submission starts a new item)

``set_kind`` is allowed in every status except closed, rejected and forwarded.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class ItemStatus(StrEnum):
    """Where an item is in its life; the values are stored in the database."""

    RECEIVED = "received"
    TRIAGE = "triage"
    ROUTED = "routed"
    ACCEPTED = "accepted"
    FORWARDED = "forwarded"
    REJECTED = "rejected"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"


class ItemAction(StrEnum):
    """Something staff or the resident does to an item."""

    ROUTE = "route"
    REROUTE = "reroute"
    SET_KIND = "set_kind"
    ACCEPT = "accept"
    EXTEND = "extend"
    ANSWER = "answer"
    CLOSE = "close"
    REJECT = "reject"
    FORWARD = "forward"
    REOPEN = "reopen"
    RATE = "rate"


class ItemKind(StrEnum):
    """The legal kind (loại) of an item; it decides which deadline rules apply."""

    PHAN_ANH = "phan_anh"  # report of a situation
    KIEN_NGHI = "kien_nghi"  # proposal / petition
    KHIEU_NAI = "khieu_nai"  # complaint against an administrative decision or act
    TO_CAO = "to_cao"  # denunciation of a violation by a person
    GOP_Y = "gop_y"  # comment on a draft rule (hương ước, quy ước)


S = ItemStatus
A = ItemAction

# (status, action) -> possible outcomes, the default first.
_TABLE: dict[tuple[ItemStatus, ItemAction], tuple[ItemStatus, ...]] = {
    (S.RECEIVED, A.ROUTE): (S.ROUTED, S.TRIAGE),
    (S.RECEIVED, A.SET_KIND): (S.RECEIVED,),
    (S.TRIAGE, A.ROUTE): (S.ROUTED,),
    (S.TRIAGE, A.SET_KIND): (S.TRIAGE,),
    (S.TRIAGE, A.REJECT): (S.REJECTED,),
    (S.TRIAGE, A.FORWARD): (S.FORWARDED,),
    (S.ROUTED, A.ACCEPT): (S.ACCEPTED,),
    (S.ROUTED, A.REROUTE): (S.ROUTED, S.TRIAGE),
    (S.ROUTED, A.REJECT): (S.REJECTED,),
    (S.ROUTED, A.FORWARD): (S.FORWARDED,),
    (S.ROUTED, A.SET_KIND): (S.ROUTED,),
    (S.ACCEPTED, A.EXTEND): (S.ACCEPTED,),
    (S.ACCEPTED, A.ANSWER): (S.ANSWERED,),
    (S.ACCEPTED, A.SET_KIND): (S.ACCEPTED,),
    (S.ANSWERED, A.RATE): (S.ANSWERED, S.CLOSED),
    (S.ANSWERED, A.CLOSE): (S.CLOSED,),
    (S.ANSWERED, A.REOPEN): (S.REOPENED,),
    (S.ANSWERED, A.SET_KIND): (S.ANSWERED,),
    (S.CLOSED, A.REOPEN): (S.REOPENED,),
    (S.CLOSED, A.RATE): (S.CLOSED,),
    (S.REOPENED, A.ANSWER): (S.ANSWERED,),
    (S.REOPENED, A.REROUTE): (S.ROUTED, S.TRIAGE),
    (S.REOPENED, A.ACCEPT): (S.ACCEPTED,),
    (S.REOPENED, A.CLOSE): (S.CLOSED,),
    (S.REOPENED, A.SET_KIND): (S.REOPENED,),
}

TRANSITIONS: Mapping[tuple[ItemStatus, ItemAction], tuple[ItemStatus, ...]] = MappingProxyType(
    _TABLE
)
"""The transition table: (status, action) -> allowed outcomes, the default first."""

FINAL_STATUSES: frozenset[ItemStatus] = frozenset({S.REJECTED, S.FORWARDED})
"""Statuses that allow no action at all."""

STATUS_LABELS: Mapping[ItemStatus, str] = MappingProxyType(
    {
        S.RECEIVED: "mới tiếp nhận",
        S.TRIAGE: "chờ phân loại",
        S.ROUTED: "đã chuyển đơn vị xử lý",
        S.ACCEPTED: "đã thụ lý",
        S.FORWARDED: "đã chuyển cơ quan khác",
        S.REJECTED: "đã từ chối",
        S.ANSWERED: "đã trả lời",
        S.CLOSED: "đã đóng",
        S.REOPENED: "đã mở lại",
    }
)
"""Vietnamese labels for statuses, for residents and staff."""

ACTION_LABELS: Mapping[ItemAction, str] = MappingProxyType(
    {
        A.ROUTE: "chuyển đơn vị xử lý",
        A.REROUTE: "chuyển sang đơn vị khác",
        A.SET_KIND: "đổi loại",
        A.ACCEPT: "thụ lý",
        A.EXTEND: "gia hạn",
        A.ANSWER: "trả lời",
        A.CLOSE: "đóng",
        A.REJECT: "từ chối",
        A.FORWARD: "chuyển cơ quan khác",
        A.REOPEN: "mở lại",
        A.RATE: "đánh giá",
    }
)
"""Vietnamese labels for actions."""

# Reasons that say more than the generic sentence.
_SPECIFIC_REASONS: Mapping[tuple[ItemStatus, ItemAction], str] = MappingProxyType(
    {
        (S.ROUTED, A.ANSWER): "Phản ánh chưa được thụ lý, cần thụ lý trước khi trả lời.",
        (S.ROUTED, A.EXTEND): "Phản ánh chưa được thụ lý, chưa thể gia hạn.",
        (S.RECEIVED, A.ANSWER): "Phản ánh chưa được chuyển đơn vị xử lý, chưa thể trả lời.",
        (S.TRIAGE, A.ANSWER): "Phản ánh đang chờ phân loại, chưa thể trả lời.",
        (S.ANSWERED, A.ANSWER): "Phản ánh đã được trả lời; mở lại nếu cần trả lời thêm.",
        (S.ACCEPTED, A.ACCEPT): "Phản ánh đã được thụ lý.",
        (S.ACCEPTED, A.REROUTE): (
            "Phản ánh đã được thụ lý, không thể chuyển sang đơn vị khác; "
            "hãy chuyển cơ quan có thẩm quyền theo quy định."
        ),
        (S.ANSWERED, A.EXTEND): "Phản ánh đã được trả lời, không cần gia hạn.",
        (S.CLOSED, A.CLOSE): "Phản ánh đã đóng.",
        (S.CLOSED, A.ANSWER): "Phản ánh đã đóng, không thể trả lời.",
        (S.RECEIVED, A.RATE): "Phản ánh chưa được trả lời, chưa thể đánh giá.",
        (S.ROUTED, A.RATE): "Phản ánh chưa được trả lời, chưa thể đánh giá.",
        (S.ACCEPTED, A.RATE): "Phản ánh chưa được trả lời, chưa thể đánh giá.",
    }
)


class TransitionRefused(Exception):
    """An action is not allowed in the item's current status.

    ``reason`` is a short Vietnamese sentence fit to show to staff or the resident.
    """

    def __init__(self, status: ItemStatus, action: ItemAction, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.action = action
        self.reason = reason


def refusal_reason(status: ItemStatus, action: ItemAction) -> str:
    """The Vietnamese reason why ``action`` is not allowed in ``status``."""
    specific = _SPECIFIC_REASONS.get((status, action))
    if specific is not None:
        return specific
    verb = ACTION_LABELS[action]
    if status is S.CLOSED:
        return f"Phản ánh đã đóng, không thể {verb}."
    if status is S.REJECTED:
        return f"Phản ánh đã bị từ chối, không thể {verb}."
    if status is S.FORWARDED:
        return f"Phản ánh đã được chuyển đến cơ quan khác, không thể {verb}."
    return f"Phản ánh đang ở trạng thái «{STATUS_LABELS[status]}», không thể {verb}."


def outcomes(status: ItemStatus, action: ItemAction) -> tuple[ItemStatus, ...]:
    """Every status ``action`` may lead to from ``status`` (default first); empty if refused."""
    return TRANSITIONS.get((ItemStatus(status), ItemAction(action)), ())


def next_status(
    status: ItemStatus, action: ItemAction, target: ItemStatus | None = None
) -> ItemStatus:
    """The status after ``action``; ``target`` picks a non-default outcome.

    Raises ``TransitionRefused`` (with a Vietnamese reason) when the action is not allowed,
    or when ``target`` is not one of its outcomes.
    """
    status = ItemStatus(status)
    action = ItemAction(action)
    possible = TRANSITIONS.get((status, action))
    if not possible:
        raise TransitionRefused(status, action, refusal_reason(status, action))
    if target is None:
        return possible[0]
    target = ItemStatus(target)
    if target not in possible:
        allowed = ", ".join(f"«{STATUS_LABELS[s]}»" for s in possible)
        reason = (
            f"Thao tác «{ACTION_LABELS[action]}» không thể đưa phản ánh sang trạng thái "
            f"«{STATUS_LABELS[target]}» (chỉ: {allowed})."
        )
        raise TransitionRefused(status, action, reason)
    return target


def allowed_actions(status: ItemStatus) -> frozenset[ItemAction]:
    """The actions allowed in ``status``."""
    status = ItemStatus(status)
    return frozenset(action for (st, action) in TRANSITIONS if st is status)


def is_final(status: ItemStatus) -> bool:
    """True when no action is possible any more."""
    return not allowed_actions(status)
