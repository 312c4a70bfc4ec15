from __future__ import annotations

import pytest

from jobs.models import Job, JobKind, JobState


@pytest.fixture
def export_job(personas) -> Job:
    return Job.objects.create(
        kind=JobKind.EXPORT_PERIOD, created_by=personas.idi_reporter, payload={"period": 1}
    )


def finish_with_file(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=JobState.DONE, output=b"PK fake", output_name="veikart-2025-20250101-120000.xlsx"
    )


def test_a_running_job_polls_every_second_and_a_finished_one_stops(client, personas, export_job):
    client.force_login(personas.idi_reporter)
    running = client.get(export_job.get_absolute_url(), headers={"HX-Request": "true"})
    finish_with_file(export_job)
    finished = client.get(export_job.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "<html" not in running.content.decode()
    assert "hx-trigger" not in finished.content.decode()
    assert "Download" in finished.content.decode()


def test_the_job_page_works_without_javascript(client, personas, export_job):
    client.force_login(personas.idi_reporter)
    page = client.get(export_job.get_absolute_url()).content.decode()
    assert "<html" in page
    assert f'href="{export_job.get_absolute_url()}">Refresh</a>' in page


@pytest.mark.parametrize("name", ["nv_reporter", "ie_leader", "rector", "outsider"])
def test_other_people_get_404_for_someone_elses_job(client, personas, export_job, name):
    finish_with_file(export_job)
    client.force_login(getattr(personas, name))
    assert client.get(export_job.get_absolute_url()).status_code == 404
    assert client.get(f"/jobs/{export_job.pk}/download/").status_code == 404


def test_the_result_is_downloaded_as_an_attachment_with_the_servers_file_name(
    client, personas, export_job
):
    finish_with_file(export_job)
    client.force_login(personas.idi_reporter)
    response = client.get(f"/jobs/{export_job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="veikart-2025-20250101-120000.xlsx"'
    )
    assert b"".join(response.streaming_content) == b"PK fake"


def test_an_administrator_may_download_anyones_result(client, personas, export_job):
    finish_with_file(export_job)
    client.force_login(personas.administrator)
    assert client.get(f"/jobs/{export_job.pk}/download/").status_code == 200


def test_an_unfinished_job_has_nothing_to_download(client, personas, export_job):
    client.force_login(personas.idi_reporter)
    assert client.get(f"/jobs/{export_job.pk}/download/").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, export_job):
    response = client.get(export_job.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith("/login/")
