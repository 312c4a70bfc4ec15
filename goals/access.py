"""Who may do what on which unit, worked out once per request from the user's memberships.

Same rule as `Unit.objects.visible_to()` / `editable_by()` / `approvable_by()` (a role covers
the unit's subtree, superusers may do everything), but answered in Python from one query, so a
page can ask it for many units without a query each.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpRequest

from strategy.models import Membership, Role, Unit

EDIT_ROLES = frozenset({Role.REPORTER, Role.APPROVER})


@dataclass(frozen=True)
class Access:
    is_superuser: bool
    memberships: tuple[tuple[str, str], ...]  # (unit path, role)

    @classmethod
    def of(cls, request: HttpRequest) -> Access:
        if not hasattr(request, "_access"):
            user = request.user
            if not user.is_authenticated or not user.is_active:
                request._access = cls(False, ())
            else:
                rows = Membership.objects.filter(user=user).values_list("unit__path", "role")
                request._access = cls(user.is_superuser, tuple(rows))
        return request._access

    def roles_on(self, unit: Unit) -> set[str]:
        return {role for path, role in self.memberships if unit.path.startswith(path)}

    def can_view(self, unit: Unit) -> bool:
        return self.is_superuser or bool(self.roles_on(unit))

    def can_edit(self, unit: Unit) -> bool:
        return self.is_superuser or bool(self.roles_on(unit) & EDIT_ROLES)

    def can_approve(self, unit: Unit) -> bool:
        return self.is_superuser or Role.APPROVER in self.roles_on(unit)

    @property
    def has_any_role(self) -> bool:
        return self.is_superuser or bool(self.memberships)

    @property
    def can_edit_anything(self) -> bool:
        return self.is_superuser or any(role in EDIT_ROLES for _path, role in self.memberships)

    @property
    def reads_the_whole_university(self) -> bool:
        """The rectorate: a role on a top unit (depth 0, path "NTNU/")."""
        return any(path.count("/") == 1 for path, _role in self.memberships)

    def visible_units(self):
        """Active units the user can read, for the unit switcher."""
        units = Unit.objects.active()
        if self.is_superuser:
            return units
        condition = Q()
        for path, _role in self.memberships:
            condition |= Q(path__startswith=path)
        return units.filter(condition) if condition else units.none()

    def home_unit(self) -> Unit | None:
        """The unit a user starts on: the highest one they may edit, else the highest they read."""
        ranked = sorted(self.memberships, key=lambda m: (m[1] not in EDIT_ROLES, m[0].count("/")))
        if ranked:
            return Unit.objects.filter(path=ranked[0][0]).first()
        if self.is_superuser:
            return Unit.objects.filter(parent=None).order_by("path").first()
        return None
