"""The settings tree: sections, environment variables, overrides by flat name, parsing, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import QAError, Settings


def test_environment_variables_fill_the_sections():
    settings = Settings.from_env({"QA_INDEX_DIR": "/tmp/x", "QA_TOP_K": "7", "QA_CHROMA_URL": "http://h:8000"})
    assert settings.index.dir == Path("/tmp/x")
    assert (settings.retrieval.top_k, settings.index.chroma_url) == (7, "http://h:8000")


def test_explicit_overrides_win_over_the_environment():
    settings = Settings.from_env({"QA_INDEX_DIR": "/tmp/x", "QA_LLM": "ollama"}, index_dir="/tmp/y", llm_backend=None)
    assert settings.index.dir == Path("/tmp/y") and settings.llm.backend == "ollama"


@pytest.mark.parametrize(("raw", "value"), [("yes", True), ("0", False), ("Off", False), ("TRUE", True)])
def test_booleans_are_parsed(raw, value):
    assert Settings.from_env({"QA_NEIGHBOURS": raw}).retrieval.neighbours is value


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QA_TOP_K": "many"}, "QA_TOP_K"),
        ({"QA_NEIGHBOURS": "maybe"}, "true or false"),
        ({"QA_LLM": "gpt"}, "one of off, openai, ollama, local"),
        ({"QA_MIN_SUPPORT": "-1"}, "negative"),
    ],
)
def test_a_bad_value_is_a_clear_error_naming_the_variable(env, message):
    with pytest.raises(QAError, match=message):
        Settings.from_env(env)


def test_paths_expand_the_home_folder():
    settings = Settings.from_env({"QA_ALIASES": "~/aliases.toml"})
    assert settings.retrieval.aliases_file == Path.home() / "aliases.toml"


def test_the_answer_mode_follows_the_configured_model_unless_set():
    assert Settings.from_env({}).answer_mode == "extractive"
    assert Settings.from_env({"QA_LLM": "ollama"}).answer_mode == "llm"
    assert Settings.from_env({"QA_LLM": "ollama", "QA_ANSWER_MODE": "extractive"}).answer_mode == "extractive"


def test_the_api_key_is_never_shown():
    settings = Settings.from_env({"QA_LLM_API_KEY": "sk-secret-123"})
    assert "sk-secret-123" not in repr(settings)
    assert "sk-secret-123" not in str(settings.to_dict())


def test_an_unknown_setting_is_refused():
    with pytest.raises(QAError, match="unknown setting"):
        Settings().replace(top_kk=3)


def test_every_setting_is_described_with_its_variable():
    rows = Settings.describe()
    assert all(env.startswith("QA_") and help_text for env, _, help_text in rows)
    assert len({env for env, _, _ in rows}) == len(rows)
    assert "QA_FAULT_KILL" not in {env for env, _, _ in rows}  # a seam for the crash tests, not a user's setting
