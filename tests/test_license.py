"""The licence the package metadata declares ships as text with the code."""

from __future__ import annotations

import tomllib

from django.conf import settings


def test_the_agpl_text_is_shipped_as_the_package_declares():
    project = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["project"]
    text = (settings.BASE_DIR / "LICENSE").read_text()
    assert project["license"] == "AGPL-3.0-or-later"
    assert text.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE\n")
    assert "Version 3, 19 November 2007" in text
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
