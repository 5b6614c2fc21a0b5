"""Settings: defaults, environment variables, explicit overrides, bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import QAError, Settings


def test_environment_variables_fill_the_settings():
    settings = Settings.from_env({"QA_INDEX_DIR": "/tmp/x", "QA_TOP_K": "7", "QA_CHROMA_URL": "http://h:8000"})
    assert (settings.index_dir, settings.top_k, settings.chroma_url) == (Path("/tmp/x"), 7, "http://h:8000")


def test_explicit_overrides_win_over_the_environment():
    settings = Settings.from_env({"QA_INDEX_DIR": "/tmp/x"}, index_dir="/tmp/y")
    assert settings.index_dir == Path("/tmp/y")


def test_a_non_number_is_a_clear_error():
    with pytest.raises(QAError, match="QA_TOP_K"):
        Settings.from_env({"QA_TOP_K": "many"})


def test_every_setting_is_described_with_its_variable():
    rows = Settings.describe()
    assert all(env.startswith("QA_") and help_text for env, _, help_text in rows)
