from __future__ import annotations

from io import BytesIO

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from jobs.models import Job, JobState

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The result files jobs make, by their name's extension.
CONTENT_TYPES = {"xlsx": XLSX, "pdf": "application/pdf"}


def _get_job_for_viewer(request: HttpRequest, pk: int, *, with_output: bool = False) -> Job:
    jobs = Job.objects.visible_to(request.user)
    if not with_output:
        jobs = jobs.without_files()
    return get_object_or_404(jobs, pk=pk)


@require_safe
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's state; while it runs, htmx polls the status partial every second."""
    job = _get_job_for_viewer(request, pk)
    template = "jobs/job_detail.html#status" if request.htmx else "jobs/job_detail.html"
    return TemplateResponse(request, template, {"job": job})


@require_safe
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's result file, only to the person who asked for it (or an administrator)."""
    job = _get_job_for_viewer(request, pk, with_output=True)
    if job.state != JobState.DONE or not job.output:
        raise Http404("This job has no file to download.")
    response = FileResponse(
        BytesIO(bytes(job.output)),
        as_attachment=True,
        filename=job.output_name,
        content_type=CONTENT_TYPES.get(job.output_name.rpartition(".")[2], XLSX),
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
