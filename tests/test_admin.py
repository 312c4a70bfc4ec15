"""Every model registered in the admin renders for an administrator and for nobody else."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from strategy.models import Membership
from tests.factories import MeasurementFactory, ProgressReportFactory, TargetFactory

NON_ADMIN_PERSONAS = ["rector", "ie_leader", "idi_reporter", "nv_reporter", "outsider"]


@pytest.fixture
def one_of_each(personas):
    """At least one object of every registered model, so change pages can be opened."""
    TargetFactory()
    MeasurementFactory()
    ProgressReportFactory()
    Group.objects.create(name="Editors")
    # django-axes' login records, which administrators read and clear (unlock) in the admin.
    attempt = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "IDI", "path_info": "/"}
    AccessAttempt.objects.create(**attempt, failures_since_start=1, get_data="", post_data="")
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    assert Membership.objects.exists()
    _background_samples(personas)


def _background_samples(personas):
    from accounts.models import ExternalIdentity, Profile
    from dashboards.models import PeriodSnapshot
    from goals.models import Action, Comment, ProgressReport
    from jobs.models import Heartbeat, Job, JobKind
    from notifications.models import OutboxEmail, SentDigest, SentReminder
    from tests.factories import period

    Profile.objects.create(user=personas.idi_reporter, language="nb")
    ExternalIdentity.objects.create(user=personas.idi_reporter, identifier="perhan@ntnu.no")
    Job.objects.create(kind=JobKind.EXPORT_PERIOD, created_by=personas.idi_reporter)
    SentReminder.objects.create(user=personas.idi_reporter, period=period(), kind="before-14")
    PeriodSnapshot.objects.create(period=period(), figures={})
    SentDigest.objects.create(user=personas.rector, week="2025-11-24")
    report = ProgressReport.objects.first()
    Action.objects.create(report=report, cause="c", action="a", owner="o", due="2025-06-30")
    Comment.post(by=personas.rector, goal=report.goal, body="A comment")
    Heartbeat.beat(Heartbeat.Kind.WORKER, "celery@admin-test")
    OutboxEmail.objects.create(
        step="submitted",
        report=ProgressReport.objects.first(),
        recipient=personas.ie_leader,
        by=personas.idi_reporter,
    )
    _api_samples(personas)


def _api_samples(personas):
    from datetime import timedelta

    from django.utils import timezone

    from api.models import AccessToken, ServiceAccount

    AccessToken.issue(
        user=personas.idi_reporter,
        name="script",
        scope="read",
        expires_at=timezone.now() + timedelta(days=1),
    )
    ServiceAccount.objects.create(user=personas.outsider, purpose="DBH")


def admin_url(info: tuple[str, str], page: str) -> str:
    return f"admin:{info[0]}_{info[1]}_{page}"


def admin_pages():
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield model, model_admin, info


def test_every_admin_changelist_add_and_change_page_renders_for_an_administrator(
    client, personas, one_of_each
):
    client.force_login(personas.administrator)
    for model, model_admin, info in admin_pages():
        obj = model._default_manager.first()
        assert obj is not None, f"add a sample {model.__name__} to one_of_each"
        urls = [
            reverse(admin_url(info, "changelist")),
            reverse(admin_url(info, "change"), args=[obj.pk]),
        ]
        if model_admin.has_add_permission(type("R", (), {"user": personas.administrator})()):
            urls.append(reverse(admin_url(info, "add")))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url


def test_admin_changelist_search_works_for_every_model(client, personas, one_of_each):
    client.force_login(personas.administrator)
    for _model, model_admin, info in admin_pages():
        if model_admin.search_fields:
            response = client.get(reverse(admin_url(info, "changelist")), {"q": "IDI"})
            assert response.status_code == 200


@pytest.mark.parametrize("persona", NON_ADMIN_PERSONAS)
def test_admin_is_refused_to_everyone_but_administrators(client, personas, one_of_each, persona):
    client.force_login(getattr(personas, persona))
    for _model, _model_admin, info in admin_pages():
        response = client.get(reverse(admin_url(info, "changelist")))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_admin_closes_and_opens_periods(client, personas, strategy):
    from goals.models import ReportingPeriod

    client.force_login(personas.administrator)
    period = ReportingPeriod.objects.get(code="2025")
    response = client.post(
        reverse("admin:goals_reportingperiod_changelist"),
        {"action": "close_periods", "_selected_action": [period.pk]},
        follow=True,
    )
    assert "1 period closed." in response.content.decode()
    period.refresh_from_db()
    assert period.is_open is False


def test_admin_edits_a_goal_in_both_languages(client, personas, strategy):
    from goals.models import DevelopmentGoal

    goal = DevelopmentGoal.objects.get(code="DIS-3")
    client.force_login(personas.administrator)
    url = reverse("admin:goals_developmentgoal_change", args=[goal.pk])
    page = client.get(url)
    assert 'name="title_en"' in page.content.decode()
    assert 'name="title_nb"' in page.content.decode()


def test_a_users_linked_identity_is_on_the_user_list_and_page(client, personas):
    from accounts.models import ExternalIdentity

    ExternalIdentity.objects.create(user=personas.idi_reporter, identifier="perhan@ntnu.no")
    client.force_login(personas.administrator)
    listing = client.get(reverse("admin:auth_user_changelist"), {"q": "perhan@ntnu.no"})
    assert listing.status_code == 200
    assert "idi-reporter" in listing.content.decode()
    assert "perhan@ntnu.no" in listing.content.decode()
    page = client.get(reverse("admin:auth_user_change", args=[personas.idi_reporter.pk]))
    assert 'value="perhan@ntnu.no"' in page.content.decode()


def test_the_administration_follows_the_chosen_language_and_can_switch_it(client, personas):
    client.force_login(personas.administrator)
    client.post(reverse("set_language"), {"language": "nb", "next": "/admin/"})
    page = client.get(reverse("admin:index")).content.decode()
    assert '<html lang="nb"' in page
    assert "Logg ut" in page
    assert 'value="en" lang="en">English</button>' in page
