from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from jobs.models import Job, JobKind
from spreadsheets.exports import XLSX_TYPE, template_file
from spreadsheets.forms import ExportForm, ImportForm, TemplateForm
from spreadsheets.reading import file_format_of
from strategy.policy import Policy

CONTENT_TYPES = {"xlsx": XLSX_TYPE, "csv": "text/csv; charset=utf-8"}


def _rights(request: HttpRequest) -> tuple[bool, bool]:
    """(may import, may export): import needs a unit to report for, export one to read."""
    user = request.user
    policy = Policy.for_user(user)
    may_import = policy.can_edit_anything
    may_export = policy.has_any_role
    if not may_export:
        raise PermissionDenied
    return may_import, may_export


def _page(request: HttpRequest, *, status: int = 200, **forms) -> TemplateResponse:
    may_import, _may_export = _rights(request)
    context = {
        "may_import": may_import,
        "template_form": forms.get("template_form") or TemplateForm(user=request.user),
        "import_form": forms.get("import_form") or ImportForm(),
        "export_form": forms.get("export_form") or ExportForm(),
        "jobs": Job.objects.filter(created_by=request.user).without_files()[:10],
    }
    return TemplateResponse(request, "spreadsheets/index.html", context, status=status)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_safe
def template_download(request: HttpRequest) -> HttpResponse:
    """The import template for a unit and period, pre-filled with the values stored so far."""
    may_import, _may_export = _rights(request)
    if not may_import:
        raise PermissionDenied
    form = TemplateForm(request.GET, user=request.user)
    if not form.is_valid():
        return _page(request, template_form=form, status=400)
    file_format = form.cleaned_data["format"]
    content, name = template_file(
        form.cleaned_data["unit"], form.cleaned_data["period"], file_format=file_format
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    may_import, _may_export = _rights(request)
    if not may_import:
        raise PermissionDenied
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    with transaction.atomic():
        job = Job.objects.create(
            kind=JobKind.IMPORT_MEASUREMENTS,
            created_by=request.user,
            payload={
                "format": file_format_of(upload.name),
                "language": translation.get_language(),
                "overwrite": form.cleaned_data["overwrite"],
            },
            upload=upload.read(),
            upload_name=upload.name[:255],
        )
        job.enqueue()
    return redirect(job)


@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    _rights(request)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, export_form=form, status=400)
    with transaction.atomic():
        job = Job.objects.create(
            kind=JobKind.EXPORT_PERIOD,
            created_by=request.user,
            payload={
                "period": form.cleaned_data["period"].pk,
                "language": translation.get_language(),
            },
        )
        job.enqueue()
    return redirect(job)
