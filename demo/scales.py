"""How much demo data to generate, and the demo users and markers that let a re-run find it."""

from __future__ import annotations

from dataclasses import dataclass

from strategy.models import Role

DEMO_PASSWORD = "veikart-demo"  # noqa: S105 (printed for demo logins)
GENERATED_PREFIX = "G-"
GENERATED_UNIT_NOTE = "Generated demo unit"
ROOT_CODE = "NTNU"


class DemoDataError(Exception):
    """Demo data cannot be (re)generated; the message says why."""


# Scales


@dataclass(frozen=True)
class Scale:
    """How much to generate. Indicator counts are per owner unit at each level of the tree."""

    name: str
    units: int | None  # grow the tree to about this many units; None keeps the loaded units
    sections: bool  # add sections below the departments (the national scale)
    per_root: int
    per_faculty: int
    per_department: int
    per_section: int
    tertial_share: float  # chance that an indicator that can be tertial is


SCALES: dict[str, Scale] = {
    scale.name: scale
    for scale in (
        Scale(
            "small",
            units=None,
            sections=False,
            per_root=12,
            per_faculty=4,
            per_department=2,
            per_section=0,
            tertial_share=0.5,
        ),
        Scale(
            "ntnu",
            units=60,
            sections=False,
            per_root=160,
            per_faculty=50,
            per_department=8,
            per_section=0,
            tertial_share=0.9,
        ),
        Scale(
            "national",
            units=600,
            sections=True,
            per_root=100,
            per_faculty=50,
            per_department=30,
            per_section=15,
            tertial_share=0.9,
        ),
    )
}


# Demo users: username, first name, last name, role, unit code (None: superuser)

DEMO_USERS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("admin", "Site", "Administrator", None, None),
    ("rector", "Rector", "NTNU", Role.VIEWER, "NTNU"),
    ("ie-leader", "Faculty leader", "IE", Role.APPROVER, "IE"),
    ("idi-leader", "Department leader", "IDI", Role.APPROVER, "IDI"),
    ("idi-reporter", "Reporter", "IDI", Role.REPORTER, "IDI"),
    ("nv-reporter", "Reporter", "NV", Role.REPORTER, "NV"),
)
DEMO_USERNAMES = tuple(user[0] for user in DEMO_USERS)
