from __future__ import annotations

import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from goals.models import DevelopmentGoal, GoalPillar, ReportingPeriod
from strategy.models import Area, Pillar, Strategy, TranslationStatus, Unit
from tests.conftest import FIXTURES_DIR

SOURCE_TITLES = {
    "EDU-2": "Prioritise innovative and exploratory learning processes of high quality, grounded "
    "in research-based knowledge about learning",
    "RES-4": "Facilitate knowledge sharing through open access to our publications and research "
    "data",
    "ART-1": "Develop art with documented high international quality",
    "INN-3": "Include training in innovation in our students’ education",
    "DIS-4": "Increase knowledge about NTNU, nationally and internationally",
}


def snapshot() -> list[tuple]:
    models = [Strategy, Area, Pillar, DevelopmentGoal, GoalPillar, Unit, ReportingPeriod]
    return [tuple(model.objects.order_by("pk").values_list()) for model in models]


def test_loading_gives_five_areas_fifteen_pillars_and_eighteen_goals(strategy):
    assert Area.objects.filter(strategy=strategy).count() == 5
    assert Pillar.objects.filter(area__strategy=strategy).count() == 15
    assert DevelopmentGoal.objects.of_strategy(strategy).count() == 18


def test_goals_carry_the_source_english_titles_and_a_norwegian_title(strategy):
    titles = dict(DevelopmentGoal.objects.values_list("code", "title_en"))
    for code, title in SOURCE_TITLES.items():
        assert titles[code] == title
    assert not DevelopmentGoal.objects.filter(title_nb="").exists()


def test_incomplete_source_goal_is_stored_as_cut_off_with_a_note(strategy):
    goal = DevelopmentGoal.objects.get(code="EDU-1")
    assert goal.title_en.endswith("on the basis of international …")
    assert "incomplete" in goal.note


def test_working_translations_stay_marked_as_unofficial(strategy):
    assert DevelopmentGoal.objects.get(code="EDU-2").nb_status == TranslationStatus.WORKING
    assert DevelopmentGoal.objects.get(code="ART-1").nb_status == TranslationStatus.OFFICIAL
    assert Area.objects.get(code="EDU").description_nb_status == TranslationStatus.WORKING


def test_goal_pillar_links_are_marked_editorial_and_stay_within_the_area(strategy):
    links = GoalPillar.objects.select_related("goal", "pillar")
    assert links.exists()
    assert all(link.is_editorial_default for link in links)
    assert all(link.goal.area_id == link.pillar.area_id for link in links)


def test_units_form_a_tree_under_ntnu(units):
    assert units["IDI"].parent == units["IE"]
    assert units["IDI"].path == "NTNU/IE/IDI/"
    assert set(Unit.objects.subtree(units["IE"]).values_list("code", flat=True)) >= {"IE", "IDI"}
    assert units["NTNU"].kind == "university"


def test_periods_cover_2018_to_2025_in_years_and_tertials(strategy):
    periods = ReportingPeriod.objects.filter(strategy=strategy)
    assert periods.of_kind("year").count() == 8
    assert periods.of_kind("tertial").count() == 24
    assert set(periods.open().values_list("code", flat=True)) == {"2025", "2025-T3"}


def test_loading_twice_changes_no_row(strategy):
    before = snapshot()
    out = StringIO()
    call_command("load_strategy", stdout=out)
    assert snapshot() == before
    assert "0 created, 0 updated" in out.getvalue()


def test_loading_restores_a_title_an_administrator_broke(strategy):
    DevelopmentGoal.objects.filter(code="RES-3").update(title_en="Wrong")
    call_command("load_strategy", stdout=StringIO())
    assert DevelopmentGoal.objects.get(code="RES-3").title_en.startswith("Improve the quality")


@pytest.fixture
def broken_fixtures(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, target)
    return target


def test_invalid_json_names_the_file_and_line_and_changes_nothing(strategy, broken_fixtures):
    (broken_fixtures / "periods.json").write_text('{"strategy": "ntnu-2018-2025", "periods": [')
    before = snapshot()
    with pytest.raises(CommandError, match=r"periods\.json: not valid JSON at line 1"):
        call_command("load_strategy", fixtures_dir=broken_fixtures)
    assert snapshot() == before


def test_a_broken_record_is_named_and_nothing_is_loaded(strategy, broken_fixtures):
    path = broken_fixtures / "strategy-2018-2025.json"
    data = json.loads(path.read_text())
    data["areas"][0]["name"]["en"] = "Renamed area"  # would be saved before the broken record
    data["areas"][1]["goals"][2]["pillars"] = ["EDU-P1"]
    path.write_text(json.dumps(data))
    before = snapshot()
    with pytest.raises(
        CommandError, match=r"strategy-2018-2025\.json: areas\[1\]\.goals\[2\] \(RES-3\)"
    ):
        call_command("load_strategy", fixtures_dir=broken_fixtures)
    assert snapshot() == before


def test_a_period_ending_before_it_starts_is_refused_with_the_record_named(
    strategy, broken_fixtures
):
    path = broken_fixtures / "periods.json"
    data = json.loads(path.read_text())
    data["periods"][3]["end"] = "2017-01-01"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"periods\[3\] \(2018-T3\).*must end after it starts"):
        call_command("load_strategy", fixtures_dir=broken_fixtures)


def test_a_record_missing_a_field_is_named(strategy, broken_fixtures):
    path = broken_fixtures / "units.json"
    data = json.loads(path.read_text())
    del data["units"][2]["kind"]
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"units\.json: units\[2\] .*missing field 'kind'"):
        call_command("load_strategy", fixtures_dir=broken_fixtures)
