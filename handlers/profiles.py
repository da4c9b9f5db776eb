"""Locality profiles: a commune, ward or province described as data (profiles/*.yaml).

A profile holds the locality's units, the field -> unit routing table, the special units
(triage desk, complaints, denunciations, inspectorate, escalation), the deadline rules per
kind with their legal basis, working hours and calendar overrides. It is validated on load;
any problem raises ``ProfileError`` with one line naming the file and the key, e.g.
``profiles/x.yaml: routing.dat_dai: unknown unit 'kinhte'``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from handlers.rules.calendar import DayUnit
from handlers.rules.routing import FeedbackField
from handlers.rules.states import ItemKind

PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"
"""The repository's profiles folder (found from this file, not the working directory)."""

DEFAULT_PROFILE = "demo_ward"
LEGAL_MIN_COMMENT_WINDOW_DAYS = 30  # Nghị định 61/2023/NĐ-CP, Điều 9

_CODE_RE = r"^[a-z][a-z0-9_]*$"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ProfileError(Exception):
    """A profile cannot be loaded; the message is one line naming the file and the key."""


def _parse_hhmm(value: object) -> dt.time:
    # Unquoted 7:30 in YAML 1.1 is the integer 450 (base 60); insist on quoted strings so
    # such a value is an error instead of a wrong time.
    if isinstance(value, dt.time):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{2}:\d{2}", value.strip()):
        raise ValueError(f"expected a quoted time 'HH:MM', got {value!r}")
    hours, minutes = (int(part) for part in value.strip().split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"not a time of day: {value!r}")
    return dt.time(hours, minutes)


HHMM = Annotated[dt.time, BeforeValidator(_parse_hhmm)]
Code = Annotated[str, Field(pattern=_CODE_RE)]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Session(_Model):
    """One daily working interval ``[start, end)``; YAML form: ``"07:30-11:30"``."""

    start: HHMM
    end: HHMM

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        if isinstance(value, str):
            parts = value.split("-")
            if len(parts) != 2:
                raise ValueError(f"expected 'HH:MM-HH:MM', got {value!r}")
            return {"start": parts[0].strip(), "end": parts[1].strip()}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Session:
        if not self.start < self.end:
            raise ValueError(f"session ends before it starts: {self.start}-{self.end}")
        return self


class WorkingHours(_Model):
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(min_length=1)
    sessions: list[Session] = Field(min_length=1)

    @field_validator("days")
    @classmethod
    def _unique_days(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a day is listed twice")
        return value

    @model_validator(mode="after")
    def _no_overlap(self) -> WorkingHours:
        ordered = sorted(self.sessions, key=lambda s: s.start)
        for first, second in itertools.pairwise(ordered):
            if second.start < first.end:
                raise ValueError(
                    f"sessions {first.start:%H:%M}-{first.end:%H:%M} overlaps "
                    f"{second.start:%H:%M}-{second.end:%H:%M}"
                )
        return self

    def weekday_numbers(self) -> frozenset[int]:
        """The working weekdays as numbers (0 = Monday)."""
        return frozenset(_WEEKDAYS.index(day) for day in self.days)


class Unit(_Model):
    name: NonEmpty
    description: NonEmpty
    # read_only: supervises (e.g. the Fatherland Front), never handles items.
    # confidential_access: may see a denunciation's accuser identity.
    flags: frozenset[Literal["read_only", "confidential_access"]] = frozenset()


class ExtensionRule(_Model):
    """How a clock may be extended: up to ``max_count`` times by ``length`` days each."""

    max_count: int = Field(ge=1)
    length: int = Field(ge=1)
    unit: DayUnit | None = None  # default: the clock's unit
    basis: str = ""


class ClockRule(_Model):
    """One clock: ``length`` days of ``unit``, counted from the day after its start."""

    length: int = Field(ge=1)
    unit: DayUnit
    extensions: ExtensionRule | None = None  # None: no extension allowed
    basis: NonEmpty
    note: str = ""


class KindRules(_Model):
    processing: ClockRule
    resolution: ClockRule


class DayOverride(_Model):
    date: dt.date
    reason: NonEmpty


class CalendarOverrides(_Model):
    days_off: list[DayOverride] = []
    working_days: list[DayOverride] = []

    @model_validator(mode="after")
    def _consistent(self) -> CalendarOverrides:
        for key in ("days_off", "working_days"):
            seen: set[dt.date] = set()
            for index, item in enumerate(getattr(self, key)):
                if item.date in seen:
                    raise ValueError(f"{key}[{index}]: {item.date} is listed twice")
                seen.add(item.date)
        off = {o.date for o in self.days_off}
        for index, item in enumerate(self.working_days):
            if item.date in off:
                raise ValueError(f"working_days[{index}]: {item.date} is also in days_off")
        return self


def _default_service_target() -> ClockRule:
    return ClockRule(
        length=10,
        unit="working",
        basis="Chỉ tiêu phục vụ của địa phương (mặc định 10 ngày làm việc)",
    )


class Profile(_Model):
    """A locality: its units, routing, deadline rules and calendar."""

    name: Annotated[str, Field(pattern=_CODE_RE)]
    display_name: NonEmpty
    # How else residents can reach the office (told when they refuse consent, are rejected...).
    contact: NonEmpty = "Bộ phận Tiếp công dân (giờ hành chính)"
    level: Literal["ward", "commune", "province"]
    timezone: str = "Asia/Ho_Chi_Minh"
    working_hours: WorkingHours
    units: dict[Code, Unit] = Field(min_length=1)
    routing: dict[str, str]
    triage_unit: str
    complaints_unit: str
    denunciations_unit: str
    inspectorate_unit: str
    escalation_units: list[str] = Field(min_length=1)
    deadlines: dict[str, KindRules]
    service_target: ClockRule = Field(default_factory=_default_service_target)
    due_soon_working_days: int = Field(default=2, ge=0)
    digest_time: HHMM = dt.time(7, 30)
    calendar: CalendarOverrides = CalendarOverrides()
    residential_groups: list[NonEmpty] = []
    min_comment_window_days: int = Field(default=LEGAL_MIN_COMMENT_WINDOW_DAYS, ge=1)
    allow_shorter_comment_window: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _cross_check(self) -> Profile:
        # Messages carry their own key path (the model-level error has none).
        def unit_ref(key: str, code: str) -> None:
            unit = self.units.get(code)
            if unit is None:
                raise ValueError(f"{key}: unknown unit {code!r}")
            if "read_only" in unit.flags:
                raise ValueError(f"{key}: unit {code!r} is read_only and cannot handle items")

        fields = {f.value for f in FeedbackField}
        for key in self.routing:
            if key not in fields:
                raise ValueError(f"routing.{key}: unknown field (expected one of {_list(fields)})")
        for field in FeedbackField:
            if field.value not in self.routing:
                raise ValueError(f"routing.{field.value}: missing (every field must be routed)")
            unit_ref(f"routing.{field.value}", self.routing[field.value])

        for key in ("triage_unit", "complaints_unit", "denunciations_unit", "inspectorate_unit"):
            unit_ref(key, getattr(self, key))
        for index, code in enumerate(self.escalation_units):
            unit_ref(f"escalation_units[{index}]", code)
        if len(set(self.escalation_units)) != len(self.escalation_units):
            raise ValueError("escalation_units: a unit is listed twice")

        kinds = {k.value for k in ItemKind}
        for key in self.deadlines:
            if key not in kinds:
                raise ValueError(f"deadlines.{key}: unknown kind (expected one of {_list(kinds)})")
        for kind in ItemKind:
            if kind.value not in self.deadlines:
                raise ValueError(f"deadlines.{kind.value}: missing (every kind needs rules)")

        if len(set(self.residential_groups)) != len(self.residential_groups):
            raise ValueError("residential_groups: a name is listed twice")
        if (
            self.min_comment_window_days < LEGAL_MIN_COMMENT_WINDOW_DAYS
            and not self.allow_shorter_comment_window
        ):
            raise ValueError(
                f"min_comment_window_days: {self.min_comment_window_days} is below the legal "
                f"{LEGAL_MIN_COMMENT_WINDOW_DAYS} days (Nghị định 61/2023/NĐ-CP, Điều 9); "
                "set allow_shorter_comment_window: true to allow it"
            )
        return self

    def unit_name(self, code: str) -> str:
        """The Vietnamese name of unit ``code``."""
        return self.units[code].name

    def kind_rules(self, kind: str) -> KindRules:
        """The deadline rules of ``kind``."""
        return self.deadlines[ItemKind(kind)]


def _list(values: set[str]) -> str:
    return ", ".join(sorted(values))


# -- loading ------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML keeps the last silently)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            line = key_node.start_mark.line + 1
            raise ProfileError(f"line {line}: duplicate key {key!r}")
        seen.add(key)
    return dict(loader.construct_pairs(node))


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROFILES_DIR.parent))
    except ValueError:
        return str(path)


def _format_loc(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _format_error(error: Any) -> str:
    loc = _format_loc(tuple(error["loc"]))
    kind = error["type"]
    if kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "missing":
        message = "required key is missing"
    elif kind == "value_error":
        message = str(error["ctx"]["error"])
    else:
        message = str(error["msg"])
    return f"{loc}: {message}" if loc else message


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _resolve(name_or_path: str) -> Path:
    looks_like_path = (
        "/" in name_or_path or "\\" in name_or_path or name_or_path.endswith((".yaml", ".yml"))
    )
    if looks_like_path:
        return Path(name_or_path)
    if not re.fullmatch(_CODE_RE, name_or_path):
        raise ProfileError(f"invalid profile name {name_or_path!r} (use lowercase a-z, 0-9, _)")
    path = PROFILES_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        available = ", ".join(list_profiles()) or "none"
        raise ProfileError(
            f"{_display(path)}: profile {name_or_path!r} not found (available: {available})"
        )
    return path


def profile_from_mapping(data: object, source: str = "<profile>") -> Profile:
    """Validate already-parsed profile data; errors name ``source`` and the key."""
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: the top level must be a mapping of keys")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = _format_error(errors[0])
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ProfileError(_one_line(f"{source}: {first}{more}")) from None


def load_profile(name_or_path: str = DEFAULT_PROFILE) -> Profile:
    """Load and validate a profile by bare name (from the repo's ``profiles/``) or path.

    Raises ``ProfileError`` with one line naming the file and the bad key.
    """
    path = _resolve(name_or_path)
    source = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except ProfileError as exc:
        raise ProfileError(f"{source}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProfileError(_one_line(f"{source}: invalid YAML: {where}{problem}")) from None
    profile = profile_from_mapping(data, source)
    if profile.name != path.stem:
        raise ProfileError(
            f"{source}: name: {profile.name!r} does not match the file name {path.stem!r}"
        )
    return profile


def list_profiles() -> list[str]:
    """Names of the profiles shipped in the repo's ``profiles/`` folder."""
    if not PROFILES_DIR.is_dir():
        return []
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml") if re.fullmatch(_CODE_RE, p.stem))
