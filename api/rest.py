"""The API's glue to Django REST framework: problem details (RFC 9457), CSV, pagination and
ETags (who may call it: api.auth). Access to rows is `strategy.policy`'s alone."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator, Mapping
from http import HTTPStatus
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, renderers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from spreadsheets.cells import escape_formula
from strategy.policy import Policy

PROBLEM_TYPE = "about:blank"


class ProblemRenderer(renderers.JSONRenderer):
    media_type = "application/problem+json"


class CSVRenderer(renderers.BaseRenderer):
    """Lists as CSV, for spreadsheets and Power BI: one row per item, the whole list (see
    `csv_download`), text escaped so that no cell runs as a formula. Rendering here is only for
    a list already in memory; list endpoints stream through `csv_download`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        rows = data.get("results", []) if isinstance(data, dict) else data
        flat = [_flatten(row) for row in rows]
        header: list[str] = []
        for row in flat:
            header.extend(k for k in row if k not in header)
        return "".join(_csv_lines(header, flat)).encode("utf-8")


def csv_download(items: Iterable[Any], serializer_class, context: Mapping[str, Any]):
    """Every item as CSV, streamed in chunks: Excel and Power BI load a list "from web" in one
    request, so a CSV is never cut at a page, and a national list is never held in memory."""

    def rows() -> Iterator[dict[str, Any]]:
        for chunk in _chunks(items, CSV_CHUNK):
            yield from (
                _flatten(row) for row in serializer_class(chunk, many=True, context=context).data
            )

    header = list(serializer_class(context=context).fields)
    response = StreamingHttpResponse(
        _csv_lines(header, rows()), content_type="text/csv; charset=utf-8"
    )
    response["Vary"] = "Accept, Authorization, Cookie, Accept-Language"
    return response


CSV_CHUNK = 2000


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    if isinstance(items, QuerySet):
        # Prefetches run per chunk (Django 4.1+), so milestones cost one query per chunk.
        items = items.iterator(chunk_size=size)
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _csv_lines(header: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def line(cells: list[Any]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(cells)
        return out.getvalue()

    # A byte-order mark so that Excel reads the file as UTF-8.
    yield "\ufeff" + line(header)
    for row in rows:
        yield line([escape_formula(_cell(row.get(k))) for k in header])


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): value}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(_cell(v)) for v in value)
    if isinstance(value, dict):  # an item of a list: its values, "IE 2019-01-01 2024-12-31"
        return " ".join(str(_cell(v)) for v in value.values() if v is not None)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M` (up to 1000); the links also in a `Link` header for scripts."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response(self, data) -> Response:
        response = super().get_paginated_response(data)
        links = []
        if response.data.get("next"):
            links.append(f'<{response.data["next"]}>; rel="next"')
        if response.data.get("previous"):
            links.append(f'<{response.data["previous"]}>; rel="prev"')
        if links:
            response["Link"] = ", ".join(links)
        return response


def problem_handler(exc, context) -> Response | None:
    """Every error as RFC 9457 problem details: type, title, status, detail (and `errors`)."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    problem: dict[str, Any] = {
        "type": PROBLEM_TYPE,
        "title": HTTPStatus(response.status_code).phrase,
        "status": response.status_code,
    }
    if isinstance(data, dict) and set(data) <= {"detail", "errors"} and "detail" in data:
        problem["detail"] = str(data["detail"])
    else:
        problem["detail"] = _("The request has errors; see “errors”.")
        problem["errors"] = data
    response.data = problem
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = ProblemRenderer()
        request.accepted_media_type = ProblemRenderer.media_type
    return response


class ApiView(APIView):
    """Base of every endpoint: ETag and `If-None-Match` on reads, the policy on the request."""

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.policy = Policy.for_user(request.user)
        # PostgreSQL cannot compare text with NUL in it; such a filter matches nothing anyway.
        for name, values in request.query_params.lists():
            if any("\x00" in value for value in values) or "\x00" in name:
                raise exceptions.ValidationError(
                    {name.replace("\x00", ""): [_("The value contains a NUL character.")]}
                )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # A streamed CSV has no body to hash before it is sent: it goes without an ETag.
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.streaming
        ):
            response.render()
            etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            response["ETag"] = etag
            response["Vary"] = "Accept, Authorization, Cookie, Accept-Language"
            if etag in _etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
                not_modified = HttpResponse(status=304)
                not_modified["ETag"] = etag
                return not_modified
        return response


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
