"""The item state machine: every allowed transition, and every other pair refused."""

from __future__ import annotations

import itertools

import pytest

from handlers.rules.states import (
    TRANSITIONS,
    ItemAction,
    ItemStatus,
    TransitionRefused,
    allowed_actions,
    is_final,
    next_status,
    outcomes,
)

S = ItemStatus
A = ItemAction

ALLOWED = [
    (status, action, target)
    for (status, action), targets in TRANSITIONS.items()
    for target in targets
]
REFUSED = [
    (status, action)
    for status, action in itertools.product(ItemStatus, ItemAction)
    if (status, action) not in TRANSITIONS
]


def test_values_are_the_stored_lowercase_words() -> None:
    assert [s.value for s in ItemStatus] == [
        "received",
        "triage",
        "routed",
        "accepted",
        "forwarded",
        "rejected",
        "answered",
        "closed",
        "reopened",
    ]
    assert ItemAction("set_kind") is A.SET_KIND


@pytest.mark.parametrize(("status", "action", "target"), ALLOWED)
def test_allowed_transition(status: ItemStatus, action: ItemAction, target: ItemStatus) -> None:
    assert next_status(status, action, target) is target
    assert action in allowed_actions(status)


@pytest.mark.parametrize(("status", "action"), list(TRANSITIONS))
def test_default_outcome_is_the_first(status: ItemStatus, action: ItemAction) -> None:
    assert next_status(status, action) is TRANSITIONS[(status, action)][0]


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_refused_transition(status: ItemStatus, action: ItemAction) -> None:
    with pytest.raises(TransitionRefused) as refused:
        next_status(status, action)
    assert refused.value.reason.startswith("Phản ánh")
    assert refused.value.status is status
    assert action not in allowed_actions(status)
    assert outcomes(status, action) == ()


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        (S.RECEIVED, A.ROUTE, S.ROUTED),
        (S.RECEIVED, A.ROUTE, S.TRIAGE),
        (S.TRIAGE, A.ROUTE, S.ROUTED),
        (S.ROUTED, A.ACCEPT, S.ACCEPTED),
        (S.ROUTED, A.REROUTE, S.ROUTED),
        (S.ROUTED, A.REJECT, S.REJECTED),
        (S.ROUTED, A.FORWARD, S.FORWARDED),
        (S.ACCEPTED, A.EXTEND, S.ACCEPTED),
        (S.ACCEPTED, A.ANSWER, S.ANSWERED),
        (S.ANSWERED, A.RATE, S.ANSWERED),
        (S.ANSWERED, A.RATE, S.CLOSED),
        (S.ANSWERED, A.CLOSE, S.CLOSED),
        (S.ANSWERED, A.REOPEN, S.REOPENED),
        (S.CLOSED, A.REOPEN, S.REOPENED),
        (S.REOPENED, A.ANSWER, S.ANSWERED),
        (S.REOPENED, A.REROUTE, S.ROUTED),
    ],
)
def test_the_specified_lifecycle_is_in_the_table(
    status: ItemStatus, action: ItemAction, target: ItemStatus
) -> None:
    assert target in TRANSITIONS[(status, action)]


@pytest.mark.parametrize(
    ("status", "action", "reason"),
    [
        (S.CLOSED, A.ANSWER, "Phản ánh đã đóng, không thể trả lời."),
        (S.CLOSED, A.EXTEND, "Phản ánh đã đóng, không thể gia hạn."),
        (S.REJECTED, A.REOPEN, "Phản ánh đã bị từ chối, không thể mở lại."),
        (S.FORWARDED, A.ANSWER, "Phản ánh đã được chuyển đến cơ quan khác, không thể trả lời."),
        (S.ROUTED, A.ANSWER, "Phản ánh chưa được thụ lý, cần thụ lý trước khi trả lời."),
        (S.RECEIVED, A.ACCEPT, "Phản ánh đang ở trạng thái «mới tiếp nhận», không thể thụ lý."),
    ],
)
def test_refusal_reasons(status: ItemStatus, action: ItemAction, reason: str) -> None:
    with pytest.raises(TransitionRefused, match=reason):
        next_status(status, action)


def test_a_target_outside_the_outcomes_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="không thể đưa phản ánh sang"):
        next_status(S.ACCEPTED, A.ANSWER, S.CLOSED)


@pytest.mark.parametrize("status", list(ItemStatus))
def test_set_kind_allowed_unless_closed_rejected_or_forwarded(status: ItemStatus) -> None:
    blocked = {S.CLOSED, S.REJECTED, S.FORWARDED}
    assert (A.SET_KIND in allowed_actions(status)) is (status not in blocked)
    if status not in blocked:
        assert next_status(status, A.SET_KIND) is status


def test_final_statuses() -> None:
    assert {s for s in ItemStatus if is_final(s)} == {S.REJECTED, S.FORWARDED}
    assert allowed_actions(S.CLOSED) == frozenset({A.REOPEN, A.RATE})


def test_plain_strings_are_accepted() -> None:
    assert next_status(S("accepted"), A("answer")) is S.ANSWERED
