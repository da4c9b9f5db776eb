"""State changes. Each runs inside the caller's transaction and writes its audit event.

Every item action follows one pattern: check the actor's permission (the role x action
matrix and the unit scope, ``handlers.rules.permissions``) and the transition
(``handlers.rules.states``), change the item, write an ``AuditEvent``, and write outbox rows
for the people who must hear of it (the resident in plain Vietnamese, staff where their
unit is concerned). Nothing here commits: the caller's transaction holds state, audit and
messages together. A refusal raises ``ActionRefused`` with a Vietnamese reason.

Denunciations (tố cáo): the sender's name, phone and chat ids are sealed into
``Item.sealed_identity`` and never written anywhere else by these actions (not the item's
phone column, not the resident's phone, not audit data, not logs, not staff messages).
"""

from handlers.actions.accounts import (
    INVITE_TTL,
    create_invite,
    hash_code,
    invite_existing,
    link_account,
    new_link_code,
)
from handlers.actions.common import (
    SYSTEM,
    UNIT_STAFF_ROLES,
    ActionRefused,
    Actor,
    Rules,
    audit,
    enqueue,
    iso_date,
    notify_staff,
    staff_viewer,
    tell_resident,
)
from handlers.actions.intake import Draft, get_or_create_resident, give_consent, submit_item
from handlers.actions.lifecycle import (
    accept,
    add_rating_reason,
    answer,
    close,
    extend,
    forward,
    rate,
    rating_buttons,
    reject,
    reopen,
    reroute,
    route,
    set_kind,
)
from handlers.actions.moves import (
    check_denunciation_target,
    expected_answer,
    move,
    start_clocks,
    transition,
    unit_code_of,
)

__all__ = [
    "INVITE_TTL",
    "SYSTEM",
    "UNIT_STAFF_ROLES",
    "ActionRefused",
    "Actor",
    "Draft",
    "Rules",
    "accept",
    "add_rating_reason",
    "answer",
    "audit",
    "check_denunciation_target",
    "close",
    "create_invite",
    "enqueue",
    "expected_answer",
    "extend",
    "forward",
    "get_or_create_resident",
    "give_consent",
    "hash_code",
    "invite_existing",
    "iso_date",
    "link_account",
    "move",
    "new_link_code",
    "notify_staff",
    "rate",
    "rating_buttons",
    "reject",
    "reopen",
    "reroute",
    "route",
    "set_kind",
    "staff_viewer",
    "start_clocks",
    "submit_item",
    "tell_resident",
    "transition",
    "unit_code_of",
]
