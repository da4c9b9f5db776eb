"""Who may do what: staff roles, the role x action matrix and the item scope of each role.

The matrix is data (``PERMISSIONS``); chat handlers use it to offer buttons, actions use it
to refuse, and the read queries use ``sees_all_units`` / ``sees_triage`` to filter rows.

- office, inspectorate: every item and the triage queue; they route and set the kind.
- unit_head: the items of their unit; accepts, extends, answers, rejects, forwards, sends
  an item back to the triage desk.
- officer: the items of their unit; accepts and answers.
- observer (e.g. Ban Thanh tra nhân dân): reads every item, changes nothing.
Only the inspectorate sees a denunciation's accuser (Luật Tố cáo 2018, Điều 9.1.b, 47).
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from handlers.rules.states import ItemAction


class Role(StrEnum):
    OFFICE = "office"
    INSPECTORATE = "inspectorate"
    UNIT_HEAD = "unit_head"
    OFFICER = "officer"
    OBSERVER = "observer"


ROLE_LABELS: Mapping[Role, str] = MappingProxyType(
    {
        Role.OFFICE: "Văn phòng",
        Role.INSPECTORATE: "Thanh tra / giải quyết khiếu nại, tố cáo",
        Role.UNIT_HEAD: "Lãnh đạo đơn vị",
        Role.OFFICER: "Cán bộ đơn vị",
        Role.OBSERVER: "Giám sát (chỉ xem)",
    }
)

A = ItemAction
_STAFF_ACTIONS = frozenset(
    {A.ROUTE, A.REROUTE, A.SET_KIND, A.ACCEPT, A.EXTEND, A.ANSWER, A.CLOSE, A.REJECT,
     A.FORWARD, A.REOPEN}
)

PERMISSIONS: Mapping[Role, frozenset[ItemAction]] = MappingProxyType(
    {
        Role.OFFICE: _STAFF_ACTIONS,
        Role.INSPECTORATE: _STAFF_ACTIONS,
        Role.UNIT_HEAD: frozenset(
            {A.REROUTE, A.ACCEPT, A.EXTEND, A.ANSWER, A.CLOSE, A.REJECT, A.FORWARD, A.REOPEN}
        ),
        Role.OFFICER: frozenset({A.ACCEPT, A.ANSWER}),
        Role.OBSERVER: frozenset(),
    }
)
"""The role x action matrix. ``rate`` is the resident's own action, never staff's."""

SEES_ALL_UNITS: frozenset[Role] = frozenset({Role.OFFICE, Role.INSPECTORATE, Role.OBSERVER})
SEES_TRIAGE: frozenset[Role] = frozenset({Role.OFFICE, Role.INSPECTORATE})
SEES_IDENTITY: frozenset[Role] = frozenset({Role.INSPECTORATE})
UNIT_REQUIRED: frozenset[Role] = frozenset({Role.UNIT_HEAD, Role.OFFICER})
ROUTES_ANYWHERE: frozenset[Role] = frozenset({Role.OFFICE, Role.INSPECTORATE})
"""Roles that pick the target unit; a unit head may only send an item back to triage."""


class PermissionDenied(Exception):
    """A staff member may not do this; ``reason`` is Vietnamese, fit to show them."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Viewer:
    """A staff member as the rules see them: a role and, for unit roles, a unit."""

    role: Role
    unit_code: str | None = None

    def __post_init__(self) -> None:
        if self.role in UNIT_REQUIRED and not self.unit_code:
            raise ValueError(f"role {self.role} needs a unit")


def may(role: Role, action: ItemAction) -> bool:
    return ItemAction(action) in PERMISSIONS[Role(role)]


def sees_all_units(viewer: Viewer) -> bool:
    return viewer.role in SEES_ALL_UNITS


def sees_triage(viewer: Viewer) -> bool:
    return viewer.role in SEES_TRIAGE


def sees_identity(viewer: Viewer) -> bool:
    return viewer.role in SEES_IDENTITY


def can_view(viewer: Viewer, unit_code: str | None) -> bool:
    """True when an item assigned to ``unit_code`` is within the viewer's scope."""
    return sees_all_units(viewer) or (unit_code is not None and unit_code == viewer.unit_code)


def check(viewer: Viewer, action: ItemAction, unit_code: str | None) -> None:
    """Raise ``PermissionDenied`` unless ``viewer`` may do ``action`` on an item of
    ``unit_code``."""
    if not can_view(viewer, unit_code):
        raise PermissionDenied("Phản ánh này không thuộc phạm vi của anh/chị.")
    if not may(viewer.role, action):
        raise PermissionDenied(
            f"Vai trò «{ROLE_LABELS[viewer.role]}» không được thực hiện thao tác này."
        )
