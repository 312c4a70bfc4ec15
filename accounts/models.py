"""What a person prefers, apart from their roles (those are strategy.Membership)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """A person's preferences. Users without a profile get the defaults (see `language_of`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of e-mails Veikart sends this person."),
    )
    weekly_digest = models.BooleanField(
        _("weekly digest"),
        default=False,
        help_text=_(
            "Every Monday, an e-mail of what changed in the units one reads: reports, "
            "statuses, actions and comments."
        ),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


def language_of(user) -> str:
    """The user's preferred language, "en" without a profile."""
    try:
        return user.profile.language
    except Profile.DoesNotExist:
        return "en"
