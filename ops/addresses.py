"""Addresses reversed once per process: a page that links hundreds of rows (units, goals,
indicators, grid cells) spent a tenth of its time in `reverse`."""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=8192)
def _reversed(name: str, args: tuple, urlconf, root: str, prefix: str) -> str:
    # The key holds what reversing reads: the request's URL configuration, the project's and
    # the script prefix.
    return reverse(name, args=args, urlconf=urlconf)


def reverse_once(name: str, *args) -> str:
    """`reverse(name, args=args)`, worked out once per process for each address."""
    return _reversed(name, args, get_urlconf(), settings.ROOT_URLCONF, get_script_prefix())


def address_pattern(name: str, *samples) -> str:
    """The address of `name` as a format string, `{0}`, `{1}`, … where `samples` stand: values
    its converters accept, each a whole path segment that occurs nowhere else in it."""
    url = reverse_once(name, *samples)
    for n, sample in enumerate(samples):
        url = url.replace(f"/{sample}/", f"/{{{n}}}/", 1)
    return url
