"""Who among staff sees the comments on drafts and who acts on them.

The office (Văn phòng) and the staff of the unit that the profile routes hương ước / quy ước
to (the culture-social unit in the demo ward) read comments, answer them and turn them into
feedback items; observers (e.g. Ban Thanh tra nhân dân) read only. Nobody else: comments
carry residents' residential group and words, and are not every unit's business.
"""

from __future__ import annotations

from enum import IntEnum

from handlers.rules.permissions import Role, Viewer

DRAFTS_FIELD = "huong_uoc_quy_uoc"


class DraftAccess(IntEnum):
    NONE = 0
    READ = 1
    ACT = 2


def draft_access(viewer: Viewer, drafts_unit: str | None) -> DraftAccess:
    """``drafts_unit``: the unit routed the hương ước / quy ước field in the profile."""
    if viewer.role is Role.OFFICE:
        return DraftAccess.ACT
    if viewer.role in (Role.UNIT_HEAD, Role.OFFICER) and viewer.unit_code == drafts_unit:
        return DraftAccess.ACT
    if viewer.role is Role.OBSERVER:
        return DraftAccess.READ
    return DraftAccess.NONE
