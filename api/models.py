"""Personal access tokens, service accounts and remembered API writes (Idempotency-Key)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TOKEN_PREFIX = "vk_"  # noqa: S105 (a marker that secret scanners can spot, not a secret)
#: last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def digest(plaintext: str) -> str:
    """A token's stored form. Tokens are 256 random bits, so a fast hash is enough: there is
    no password to guess, and a database leak gives nothing to log in with."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class AccessTokenQuerySet(models.QuerySet):
    def live(self) -> AccessTokenQuerySet:
        return self.filter(revoked_at=None, expires_at__gt=timezone.now())


class AccessToken(models.Model):
    """A personal access token: acts with its owner's roles, never more, within its scope."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_tokens",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope, default=Scope.READ)
    prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="access_token_expires_after_creation",
                violation_error_message=_("A token must expire after it is created."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls,
        *,
        user: User,
        name: str,
        scope: str,
        expires_at,
        by: User | None = None,
    ) -> tuple[AccessToken, str]:
        """A new token and its plaintext, which is shown once and never stored."""
        plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            scope=scope,
            prefix=plaintext[:11],
            digest=digest(plaintext),
            expires_at=expires_at,
            created_by=by or user,
        )
        return token, plaintext

    @classmethod
    def find(cls, plaintext: str) -> AccessToken | None:
        """The live token with this plaintext, with its active owner; None otherwise."""
        if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
            return None
        return (
            cls.objects.live()
            .select_related("user")
            .filter(digest=digest(plaintext), user__is_active=True)
            .first()
        )

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def may_write(self) -> bool:
        return self.scope == Scope.WRITE

    def touch(self) -> None:
        """Record a use; one conditional UPDATE, skipped while the last one is recent."""
        now = timezone.now()
        if self.last_used_at and now - self.last_used_at < TOUCH_EVERY:
            return
        AccessToken.objects.filter(pk=self.pk).filter(
            Q(last_used_at=None) | Q(last_used_at__lt=now - TOUCH_EVERY)
        ).update(last_used_at=now)
        self.last_used_at = now

    def revoke(self) -> None:
        AccessToken.objects.filter(pk=self.pk, revoked_at=None).update(revoked_at=timezone.now())
        self.refresh_from_db(fields=["revoked_at"])


class ServiceAccount(models.Model):
    """A user made by an administrator for an integration: no password, no person behind it.

    It gets roles (memberships) and tokens like anyone else, so it never does more than the
    roles it was given.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="service_account",
        verbose_name=_("user"),
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("service account")
        verbose_name_plural = _("service accounts")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return str(self.user)


class IdempotentRequest(models.Model):
    """The answer to a write sent with an `Idempotency-Key`, so that a retry changes nothing
    again and gets the same answer. Saved in the write's own transaction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"
