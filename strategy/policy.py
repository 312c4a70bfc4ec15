"""Who may read, edit or approve which unit's things: the one place this is decided.

A role (`Membership`) covers the unit's whole subtree; a superuser may do everything; an
inactive or anonymous user nothing. A `Policy` loads a user's memberships with one query and then
answers both questions from them, so the two cannot disagree:

- "may this user ...?" for one unit (`policy.can(EDIT, unit)`), in Python, for pages that ask
  about many units without a query each;
- "which rows?" (`policy.filter(queryset, READ)`), a `path__startswith` condition on the
  queryset's unit, for lists, exports, the API and the admin.

Web views, htmx partials, exports, the API and the admin all ask here; the querysets'
`visible_to`/`editable_by`/`approvable_by` are one-line calls into it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.db.models import Model, Q, QuerySet

from strategy.models import Membership, Role, Unit, UnitQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

_Q = TypeVar("_Q", bound=QuerySet[Any])


class Placed(Protocol):
    """A unit, or a plain row of one: what "may this user ...?" needs of it."""

    @property
    def path(self) -> str: ...


class Action(enum.Enum):
    READ = "read"
    EDIT = "edit"
    APPROVE = "approve"

    @property
    def roles(self) -> frozenset[str]:
        return _ROLES[self]


READ, EDIT, APPROVE = Action.READ, Action.EDIT, Action.APPROVE
_ROLES = {
    READ: frozenset(Role.values),
    EDIT: frozenset({Role.REPORTER, Role.APPROVER}),
    APPROVE: frozenset({Role.APPROVER}),
}

#: How each model reaches the unit whose subtree decides access to it. A model not listed here
#: cannot be filtered by the policy: add it rather than guessing.
UNIT_PATHS = {
    "strategy.unit": "path",
    "strategy.membership": "unit__path",
    "goals.progressreport": "unit__path",
    "indicators.indicator": "owner_unit__path",
    "indicators.measurement": "unit__path",
    "indicators.target": "indicator__owner_unit__path",
}


@dataclass(frozen=True)
class Policy:
    is_superuser: bool
    memberships: tuple[tuple[str, str], ...]  # (unit path, role)

    @classmethod
    def for_user(cls, user: AbstractBaseUser | AnonymousUser | None) -> Policy:
        """The user's policy, from one query (none for anonymous or inactive users)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return cls(False, ())
        is_superuser = bool(getattr(user, "is_superuser", False))
        if user.pk is None:  # a stand-in such as the snapshots' whole organisation
            return cls(is_superuser, ())
        rows = Membership.objects.filter(user_id=user.pk).values_list("unit__path", "role")
        return cls(is_superuser, tuple(rows))

    @classmethod
    def of(cls, request: HttpRequest) -> Policy:
        """The requesting user's policy, worked out once per request."""
        policy = getattr(request, "_policy", None)
        if policy is None:
            policy = cls.for_user(request.user)
            request._policy = policy  # type: ignore[attr-defined]
        return policy

    # "May this user ...?" ------------------------------------------------------------------

    def roles_on(self, unit: Placed) -> set[str]:
        return {role for path, role in self.memberships if unit.path.startswith(path)}

    def can(self, action: Action, unit: Placed) -> bool:
        return self.is_superuser or bool(self.roles_on(unit) & action.roles)

    def can_view(self, unit: Placed) -> bool:
        return self.can(READ, unit)

    def can_edit(self, unit: Unit) -> bool:
        return self.can(EDIT, unit)

    def can_approve(self, unit: Unit) -> bool:
        return self.can(APPROVE, unit)

    @property
    def is_rectorate(self) -> bool:
        """A role at the top of the unit tree (the rector is a viewer there): reads everything."""
        return any(path.count("/") == 1 for path, _role in self.memberships)

    def can_comment(self, unit: Unit | None = None) -> bool:
        """Who may comment: the rectorate everywhere; approvers on their units' reports, and on
        goals as a whole. Commenting is the one thing a viewer at the root may change."""
        if self.is_superuser or self.is_rectorate:
            return True
        if unit is None:
            return any(role == Role.APPROVER for _path, role in self.memberships)
        return self.can_approve(unit)

    def can_report_to_board(self, unit: Unit | None = None) -> bool:
        """Who may produce the board report: the rectorate for every unit it reads, a leader
        (approver) for their subtree. Without a unit: for some unit."""
        if self.is_superuser:
            return True
        if unit is None:
            return self.is_rectorate or any(role == Role.APPROVER for _p, role in self.memberships)
        return (self.is_rectorate and self.can_view(unit)) or self.can_approve(unit)

    def board_report_units(self) -> UnitQuerySet:
        """The units `can_report_to_board` allows, as rows."""
        return self.units(READ if self.is_superuser or self.is_rectorate else APPROVE)

    @property
    def has_any_role(self) -> bool:
        return self.is_superuser or bool(self.memberships)

    @property
    def can_edit_anything(self) -> bool:
        return self.is_superuser or any(role in EDIT.roles for _path, role in self.memberships)

    # "Which rows?" -------------------------------------------------------------------------

    def paths(self, action: Action) -> list[str]:
        """The roots of the subtrees the action is allowed in, nested ones left out."""
        paths = sorted({path for path, role in self.memberships if role in action.roles})
        return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]

    def condition(self, action: Action, *, path_field: str) -> Q | None:
        """The Q for rows whose unit path is in an allowed subtree; None: every row."""
        if self.is_superuser:
            return None
        condition = Q(pk__in=[])
        for path in self.paths(action):
            condition |= Q(**{f"{path_field}__startswith": path})
        return condition

    def filter(self, queryset: _Q, action: Action = READ) -> _Q:
        """The rows of `queryset` whose unit the user may `action` (see UNIT_PATHS)."""
        condition = self.condition(action, path_field=_path_field(queryset.model))
        return queryset if condition is None else queryset.filter(condition)

    def reporting_paths(self) -> list[str]:
        """The units whose reports the user is expected to write: exactly those they hold an
        editing role on. They may also edit the units below, but those have their own
        reporters, so their drafts are not this user's to-do."""
        return sorted({path for path, role in self.memberships if role in EDIT.roles})

    def units(self, action: Action = READ) -> UnitQuerySet:
        return self.filter(Unit.objects.all(), action)

    def home_unit(self) -> Unit | None:
        """The unit a user starts on: the highest one they may edit, else the highest they read."""
        ranked = sorted(
            self.memberships, key=lambda m: (m[1] not in EDIT.roles, m[0].count("/"), m[0])
        )
        if ranked:
            return Unit.objects.filter(path=ranked[0][0]).first()
        if self.is_superuser:
            return Unit.objects.filter(parent=None).order_by("path").first()
        return None

    @property
    def cache_key(self) -> str:
        """What decides what the user reads, for caching pages shared by users alike."""
        return "*" if self.is_superuser else "|".join(self.paths(READ))


def holders_of(action: Action, unit: Unit) -> QuerySet[Membership]:
    """The memberships that allow `action` on `unit` (a role for it on the unit or one above):
    the policy's rule read the other way round, for "whom to tell"."""
    parts = unit.path.strip("/").split("/")
    ancestors = ["/".join(parts[:depth]) + "/" for depth in range(1, len(parts) + 1)]
    return Membership.objects.filter(role__in=action.roles, unit__path__in=ancestors)


def _path_field(model: type[Model]) -> str:
    return UNIT_PATHS[model._meta.label_lower]


class PolicyAdminMixin:
    """For a ModelAdmin of things that belong to a unit: staff see the rows of the units they
    may read and change or delete those they may edit; superusers everything (the policy)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return Policy.of(request).filter(super().get_queryset(request), READ)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        return allowed and (obj is None or _may_edit(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return allowed and (obj is None or _may_edit(request, obj))


def _may_edit(request: HttpRequest, obj: Model) -> bool:
    model = type(obj)
    return Policy.of(request).filter(model._default_manager.filter(pk=obj.pk), EDIT).exists()
