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


class ExternalIdentityQuerySet(models.QuerySet):
    def linked_to(self, identifier: str):
        return self.filter(identifier=normalize_identifier(identifier))


def normalize_identifier(value: str) -> str:
    """How an identity from the provider is stored and compared: trimmed, lower case
    (Feide usernames such as `olanor@ntnu.no` are case-insensitive)."""
    return str(value).strip().lower()


class ExternalIdentity(models.Model):
    """The single sign-on identity (e.g. the Feide username `olanor@ntnu.no`) of a Veikart user.

    Made on the first sign-on, or beforehand by an administrator (`manage.py link_sso_accounts`
    or the user's page in the admin), so that an existing account with its roles is found
    instead of a new, empty one being created.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identity",
        verbose_name=_("user"),
    )
    identifier = models.CharField(
        _("single sign-on identifier"),
        max_length=255,
        unique=True,
        help_text=_("The identifier the provider asserts, e.g. the Feide username olanor@ntnu.no."),
    )
    subject = models.CharField(
        _("subject"),
        max_length=255,
        blank=True,
        help_text=_("The provider's own identifier for the person (the sub claim), once seen."),
    )
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)
    last_sign_on = models.DateTimeField(_("last single sign-on"), null=True, blank=True)

    objects = ExternalIdentityQuerySet.as_manager()

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        ordering = ["identifier"]

    def __str__(self) -> str:
        return self.identifier

    def save(self, *args, **kwargs):
        self.identifier = normalize_identifier(self.identifier)
        super().save(*args, **kwargs)
