from __future__ import annotations

from django.core.checks import Error, register


@register()
def openpyxl_uses_defusedxml(app_configs, **kwargs) -> list[Error]:
    """Uploaded workbooks are XML: openpyxl must parse them through defusedxml."""
    import openpyxl

    if openpyxl.DEFUSEDXML:
        return []
    return [
        Error(
            "openpyxl does not use defusedxml, so uploaded workbooks could expand entities.",
            hint="Install defusedxml and leave OPENPYXL_DEFUSEDXML unset (or 'True').",
            id="spreadsheets.E001",
        )
    ]
