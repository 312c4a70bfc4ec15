from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from accounts.forms import SettingsForm
from accounts.models import Profile, language_of


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also makes the choice the language of one's e-mails."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """One's own settings: the language of one's e-mails and the weekly digest."""
    profile = Profile.objects.filter(user=request.user).first()
    initial = {
        "language": language_of(request.user),
        "weekly_digest": bool(profile and profile.weekly_digest),
    }
    form = SettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        Profile.objects.update_or_create(user=request.user, defaults=form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("accounts:settings")
    return TemplateResponse(request, "accounts/settings.html", {"form": form})
