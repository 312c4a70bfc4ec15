"""One's own settings: the language of e-mails and the weekly digest."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Profile


def settings_url() -> str:
    return reverse("accounts:settings")


def test_opting_in_to_the_weekly_digest_is_saved(client, personas):
    client.force_login(personas.rector)
    response = client.post(settings_url(), {"language": "en", "weekly_digest": "on"})
    assert response.status_code == 302
    assert Profile.objects.get(user=personas.rector).weekly_digest is True
    page = client.get(settings_url()).content.decode()
    assert "Settings saved." in page
    checkbox = page[page.index('name="weekly_digest"') :]
    assert " checked" in checkbox[: checkbox.index(">")]


def test_opting_out_keeps_the_language(client, personas):
    Profile.objects.create(user=personas.rector, language="nb", weekly_digest=True)
    client.force_login(personas.rector)
    client.post(settings_url(), {"language": "nb"})
    profile = Profile.objects.get(user=personas.rector)
    assert (profile.language, profile.weekly_digest) == ("nb", False)


def test_the_page_shows_the_language_of_ones_emails(client, personas):
    Profile.objects.create(user=personas.rector, language="nb")
    client.force_login(personas.rector)
    page = client.get(settings_url()).content.decode()
    assert '<option value="nb" selected>' in page


@pytest.mark.parametrize("language", ["xx", "", "a\x00"])
def test_an_unknown_language_is_refused_with_a_message(client, personas, language):
    client.force_login(personas.rector)
    response = client.post(settings_url(), {"language": language, "weekly_digest": "on"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: please correct the fields marked below." in page
    assert not Profile.objects.exists()


def test_the_settings_page_is_linked_from_every_page(client, personas):
    client.force_login(personas.idi_reporter)
    assert (
        f'href="{settings_url()}"'
        in client.get(reverse("goals:unit", args=["IDI"])).content.decode()
    )


def test_the_settings_page_speaks_norwegian(client, personas):
    client.force_login(personas.idi_reporter)
    client.cookies["django_language"] = "nb"
    assert "Send meg et ukentlig sammendrag" in client.get(settings_url()).content.decode()


def test_put_is_not_allowed(client, personas):
    client.force_login(personas.idi_reporter)
    assert client.put(settings_url()).status_code == 405
