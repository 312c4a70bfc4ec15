"""Every UI string has a Norwegian translation, and the compiled catalogue holds it."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"


def po_entries() -> list[dict[str, str]]:
    """msgid, msgstr (singular) and flags of each entry; header and obsolete ones left out."""
    found, entry, key = [], {}, None
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.get("msgid"):
                found.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry["flags"] = line
        elif match := re.match(r'^(msgctxt|msgid|msgid_plural|msgstr|msgstr\[0\]) (".*")$', line):
            key = "msgstr" if match[1] == "msgstr[0]" else match[1]
            entry[key] = ast.literal_eval(match[2])
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
    return found


def test_no_norwegian_translation_is_missing_or_a_fuzzy_guess():
    entries = po_entries()
    assert len(entries) > 100
    assert not [e["msgid"] for e in entries if not e.get("msgstr")]
    assert not [e["msgid"] for e in entries if "fuzzy" in e.get("flags", "")]


def compiled_text(catalogue: gettext.GNUTranslations, entry: dict[str, str]) -> str:
    if "msgctxt" in entry:
        return catalogue.pgettext(entry["msgctxt"], entry["msgid"])
    return catalogue.gettext(entry["msgid"])


def test_the_compiled_catalogue_holds_every_translation():
    with PO.with_suffix(".mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [
        e["msgid"]
        for e in po_entries()
        if "msgid_plural" not in e and compiled_text(catalogue, e) != e["msgstr"]
    ]
    assert not stale, f"run `make messages`: {stale[:5]}"


def avoided_terms() -> list[str]:
    """The words docs/glossary.md says not to use ("not *på rett spor*", "never *framdrift*")."""
    glossary = (Path(settings.BASE_DIR) / "docs" / "glossary.md").read_text(encoding="utf-8")
    return re.findall(r"(?:not|never) \*([^*]+)\*", glossary)


def test_the_norwegian_catalogue_uses_the_glossarys_terms_only():
    assert "på rett spor" in avoided_terms()
    texts = [e["msgstr"].lower() for e in po_entries()]
    used = {term for term in avoided_terms() for text in texts if term.lower() in text}
    assert not used, f"docs/glossary.md says not to write {sorted(used)}"
