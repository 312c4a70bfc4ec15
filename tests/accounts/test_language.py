from __future__ import annotations

from django.urls import reverse

from accounts.models import Profile, language_of


def test_switching_language_makes_it_the_language_of_ones_emails(client, personas):
    client.force_login(personas.idi_reporter)
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    assert language_of(personas.idi_reporter) == "nb"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert Profile.objects.get(user=personas.idi_reporter).language == "en"


def test_people_without_a_profile_get_english(personas):
    assert language_of(personas.rector) == "en"


def test_anonymous_visitors_may_switch_language_without_a_profile(client, db):
    response = client.post(reverse("set_language"), {"language": "nb", "next": "/login/"})
    assert response.status_code == 302
    assert Profile.objects.count() == 0


def test_an_unknown_language_is_not_stored(client, personas):
    client.force_login(personas.idi_reporter)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert Profile.objects.count() == 0
