"""The request the web views are given, as the type checker should see it.

LoginRequiredMiddleware lets only logged-in users through to a view that is not marked
`login_not_required`, and HtmxMiddleware tells whether htmx sent the request.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class ViewRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
