"""The claims Feide gives: names and e-mail, and with the scope userid-feide the Feide
username as eduPersonPrincipalName and in the list dataporten-userid_sec."""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext_lazy as _

from oidc_provider.lib.claims import ScopeClaims

FEIDE = "https://n.feide.no/claims/eduPersonPrincipalName"


def feide_username(user) -> str:
    return f"{user.username}@ntnu.no"


def pairwise_subject(user) -> str:
    """An opaque subject like Feide's, not the username."""
    return hashlib.sha256(f"veikart:{user.username}".encode()).hexdigest()[:32]


def userinfo(claims: dict, user) -> dict:
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["name"] = user.get_full_name()
    claims["email"] = user.email
    return claims


class FeideScopeClaims(ScopeClaims):
    info_userid_feide = (_("Feide username"), _("Your Feide username."))

    def userid_feide(self) -> dict:
        username = feide_username(self.user)
        return {FEIDE: username, "dataporten-userid_sec": [f"feide:{username}"]}


# The scope's name has a dash, which a method name cannot have.
setattr(FeideScopeClaims, "scope_userid-feide", FeideScopeClaims.userid_feide)
setattr(FeideScopeClaims, "info_userid-feide", FeideScopeClaims.info_userid_feide)
