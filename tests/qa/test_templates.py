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


OLD_SOURCE = '[{n}] {title} ({date}, paragraph {paragraph})\n<source n="{n}">\n{text}\n</source>\n'


def test_a_users_source_template_with_the_title_outside_the_fence_is_refused_in_one_line(tmp_path):
    (tmp_path / "source.txt").write_text(OLD_SOURCE, encoding="utf-8")
    with pytest.raises(QAError) as refused:
        Prompts(tmp_path)
    message = str(refused.value)
    assert str(tmp_path / "source.txt") in message and "\n" not in message
    assert "{title} and {date} outside" in message and "move {title}, {date}, {text} between" in message


@pytest.mark.parametrize(
    "text",
    [
        "Source {n}, paragraph {paragraph}:\n{title} ({date})\n{text}",  # no fence at all
        '<source n="{n}">\n{title} {date} {paragraph}\n</source>\n{text}',  # the text after it
        '<source n="{n}" title="{title}">\n{date} {paragraph}\n{text}\n</source>',  # inside the tag itself
    ],
)
def test_a_source_template_showing_article_words_outside_the_fence_is_refused(tmp_path, text):
    (tmp_path / "source.txt").write_text(text, encoding="utf-8")
    with pytest.raises(QAError, match=r"source\.txt .*fence"):
        Prompts(tmp_path)


def test_a_users_source_template_with_every_article_field_fenced_loads(tmp_path):
    own = '[{n}] paragraph {paragraph}\n<source n="{n}">\n{title}, {date}:\n{text}\n</source>'
    (tmp_path / "source.txt").write_text(own, encoding="utf-8")
    assert Prompts(tmp_path).render("source", n=2, title="T", date="D", paragraph=3, text="X").startswith("[2] para")


def test_a_missing_prompt_folder_is_a_clear_error(tmp_path):
    with pytest.raises(QAError, match="QA_PROMPTS"):
        Prompts(tmp_path / "nope")
