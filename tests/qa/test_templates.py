"""Templates in `prompts/`: placeholders checked on load, a user's folder overrides them."""

from __future__ import annotations

import pytest

from qa import QAError
from qa.templates import REQUIRED, Prompts


def test_every_shipped_template_loads_with_its_placeholders():
    prompts = Prompts()
    for name in REQUIRED:
        assert prompts.template(name)
    assert "The articles don't say" in prompts.render("abstain", topic="x", markers="[1]")


def test_a_users_folder_overrides_one_template(tmp_path):
    (tmp_path / "abstain_empty.txt").write_text("Nothing on {topic}.", encoding="utf-8")
    prompts = Prompts(tmp_path)
    assert prompts.render("abstain_empty", topic="Sirte") == "Nothing on Sirte."
    assert prompts.template("abstain") == Prompts().template("abstain")


@pytest.mark.parametrize(
    ("text", "message"),
    [("Sources: {sources}", "expected"), ("Q: {question} {sources} {extra}", "extra"), ("Q: {question", "malformed")],
)
def test_a_template_with_wrong_placeholders_is_refused_on_load(tmp_path, text, message):
    (tmp_path / "answer_user.txt").write_text(text, encoding="utf-8")
    with pytest.raises(QAError, match=message):
        Prompts(tmp_path)


def test_a_missing_prompt_folder_is_a_clear_error(tmp_path):
    with pytest.raises(QAError, match="QA_PROMPTS"):
        Prompts(tmp_path / "nope")
