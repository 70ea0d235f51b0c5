"""`.env.example` documents exactly the settings that exist: the core ones and each registered
feature's section (a feature toggled off takes its lines with it)."""

from __future__ import annotations

import re
from pathlib import Path

from core.settings import Settings
from web.features import FEATURES

ENV_EXAMPLE = Path(__file__).resolve().parents[3] / ".env.example"
_ASSIGNMENT = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def _settings_names() -> set[str]:
    fields = {name for name in Settings.__struct_fields__ if name != "sections"}
    for feature in FEATURES:
        if feature.settings is not None:
            fields.update(feature.settings.__struct_fields__)
    return {name.upper() for name in fields}


def test_every_setting_is_documented_and_nothing_else() -> None:
    documented = set(_ASSIGNMENT.findall(ENV_EXAMPLE.read_text()))
    assert documented == _settings_names()
