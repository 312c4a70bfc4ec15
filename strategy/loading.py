"""Load the strategy, units and reporting periods from the JSON files in fixtures/.

Records are matched by their codes (natural keys) and only saved when something differs, so
loading twice changes nothing. Everything runs in one transaction: a broken file or record
aborts the whole load with a message naming the file and the record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from goals.models import DevelopmentGoal, GoalPillar, ReportingPeriod
from strategy.models import Area, Pillar, Strategy, Unit, UnitParentHistory

LANGUAGES = ("en", "nb")


class FixtureError(Exception):
    """A fixture file or record that cannot be loaded; the message names both."""


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    files: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.files)} files: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


class FixtureLoader:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.result = LoadResult()
        self._file = ""
        self._record = ""

    def load_all(self) -> LoadResult:
        files = [self.directory / "units.json"]
        files += sorted(self.directory.glob("strategy-*.json"))
        files += [self.directory / "periods.json"]
        with transaction.atomic():
            for path in files:
                self._load_file(path)
        return self.result

    # Files

    def _load_file(self, path: Path) -> None:
        self._file, self._record = path.name, ""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise FixtureError(f"{path.name}: the file is missing ({path}).") from error
        except UnicodeDecodeError as error:
            raise FixtureError(f"{path.name}: not valid UTF-8 ({error.reason}).") from error
        except json.JSONDecodeError as error:
            raise FixtureError(
                f"{path.name}: not valid JSON at line {error.lineno}, column {error.colno}: "
                f"{error.msg}."
            ) from error
        if not isinstance(data, dict):
            raise FixtureError(f"{path.name}: the top level must be a JSON object.")
        self.result.files.append(path.name)
        if path.name == "units.json":
            self._load_units(data)
        elif path.name == "periods.json":
            self._load_periods(data)
        else:
            self._load_strategy(data)

    def _load_units(self, data: dict) -> None:
        # A unit moved with `Unit.move` keeps its place: the fixture gives where it started.
        moved = set(UnitParentHistory.objects.values_list("unit__code", flat=True))
        for index, item in enumerate(self._list(data, "units")):
            with self._at(f"units[{index}]", item):
                parent_code = item.get("parent")
                parent = None
                if parent_code:
                    parent = Unit.objects.filter(code=parent_code).first()
                    if parent is None:
                        raise FixtureError(f"parent unit '{parent_code}' is not defined above.")
                self._upsert(
                    Unit,
                    {"code": item["code"]},
                    {
                        **({} if item["code"] in moved else {"parent": parent}),
                        "kind": item["kind"],
                        "nb_status": item.get("nb_status", "working"),
                        "note": item.get("note", ""),
                        **self._translated(item, "name"),
                    },
                )

    def _load_strategy(self, data: dict) -> None:
        with self._at("strategy", data.get("strategy")) as item:
            strategy = self._upsert(
                Strategy,
                {"code": item["code"]},
                {
                    "start": item["start"],
                    "end": item["end"],
                    "is_current": item.get("is_current", False),
                    "nb_status": item.get("nb_status", "working"),
                    **self._translated(item, "name"),
                    **self._translated(item, "vision"),
                    **self._translated(item, "values"),
                },
            )
        for a, area_item in enumerate(self._list(data, "areas")):
            with self._at(f"areas[{a}]", area_item):
                area = self._upsert(
                    Area,
                    {"strategy": strategy, "code": area_item["code"]},
                    {
                        "order": area_item.get("order", a + 1),
                        "colour": area_item.get("colour", "#0072B2"),
                        "nb_status": area_item.get("nb_status", "working"),
                        "description_nb_status": area_item.get("description_nb_status", "working"),
                        **self._translated(area_item, "name"),
                        **self._translated(area_item, "description"),
                    },
                )
            pillars = {}
            for p, pillar_item in enumerate(self._list(area_item, "pillars")):
                with self._at(f"areas[{a}].pillars[{p}]", pillar_item):
                    pillars[pillar_item["code"]] = self._upsert(
                        Pillar,
                        {"area": area, "code": pillar_item["code"]},
                        {
                            "order": pillar_item.get("order", p + 1),
                            "nb_status": pillar_item.get("nb_status", "working"),
                            **self._translated(pillar_item, "name"),
                        },
                    )
            for g, goal_item in enumerate(self._list(area_item, "goals")):
                with self._at(f"areas[{a}].goals[{g}]", goal_item):
                    goal = self._upsert(
                        DevelopmentGoal,
                        {"area": area, "code": goal_item["code"]},
                        {
                            "order": goal_item.get("order", g + 1),
                            "nb_status": goal_item.get("nb_status", "working"),
                            "note": goal_item.get("note", ""),
                            **self._translated(goal_item, "title"),
                            **self._translated(goal_item, "description", required=False),
                        },
                    )
                    for pillar_code in goal_item.get("pillars", []):
                        if pillar_code not in pillars:
                            raise FixtureError(
                                f"pillar '{pillar_code}' is not one of area {area.code}'s pillars."
                            )
                        self._upsert(GoalPillar, {"goal": goal, "pillar": pillars[pillar_code]}, {})

    def _load_periods(self, data: dict) -> None:
        with self._at("strategy", data):
            try:
                strategy = Strategy.objects.get(code=data["strategy"])
            except Strategy.DoesNotExist as error:
                raise FixtureError(f"strategy '{data['strategy']}' is not loaded.") from error
        for index, item in enumerate(self._list(data, "periods")):
            with self._at(f"periods[{index}]", item):
                self._upsert(
                    ReportingPeriod,
                    {"strategy": strategy, "code": item["code"]},
                    {
                        "kind": item["kind"],
                        "start": item["start"],
                        "end": item["end"],
                        "deadline": item["deadline"],
                        "is_open": item.get("is_open", False),
                    },
                )

    # Records

    def _upsert(self, model: type[models.Model], lookup: dict, values: dict) -> Any:
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            self._validate_and_save(obj)
            self.result.created += 1
            return obj
        changed = False
        for name, value in values.items():
            field = model._meta.get_field(name)
            if isinstance(field, models.Field) and not field.is_relation:
                candidate = field.to_python(value)
            else:
                candidate = value
            if getattr(obj, name) != candidate:
                setattr(obj, name, value)
                changed = True
        if changed:
            self._validate_and_save(obj)
            self.result.updated += 1
        else:
            self.result.unchanged += 1
        return obj

    def _validate_and_save(self, obj: models.Model) -> None:
        obj.full_clean()
        obj.save()

    @staticmethod
    def _translated(item: dict, name: str, *, required: bool = True) -> dict[str, str]:
        texts = item.get(name, {} if not required else None)
        if not isinstance(texts, dict):
            raise FixtureError(f"'{name}' must be an object with 'en' and 'nb' texts.")
        values = {}
        for language in LANGUAGES:
            text = texts.get(language, "")
            if required and not text:
                raise FixtureError(f"'{name}' has no '{language}' text.")
            values[f"{name}_{language}"] = text
        return values

    def _list(self, data: dict, key: str) -> list:
        value = data.get(key)
        if not isinstance(value, list):
            raise FixtureError(f"{self._file}: '{key}' must be a list.")
        return value

    @contextmanager
    def _at(self, where: str, item: Any) -> Iterator[dict[str, Any]]:
        """Names the record in any error raised inside; gives the record, known to be an object."""
        code = item.get("code") if isinstance(item, dict) else None
        label = f"{where} ({code})" if code else where
        try:
            if not isinstance(item, dict):
                raise FixtureError("the record must be a JSON object.")
            yield item
        except FixtureError as error:
            if str(error).startswith(f"{self._file}:"):
                raise
            raise FixtureError(f"{self._file}: {label}: {error}") from error
        except KeyError as error:
            raise FixtureError(f"{self._file}: {label}: missing field {error}.") from error
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise FixtureError(f"{self._file}: {label}: {problems}") from error
        except (TypeError, ValueError) as error:
            raise FixtureError(f"{self._file}: {label}: {error}") from error
