"""The acceptance questions of the sample corpus, through the public `Assistant` API."""

from __future__ import annotations

import re

import pytest

from qa import QAError
from tests.conftest import questions, source_text

FUGAHA = "002_87556d76f135b60a"


def test_the_beheadings_are_answered_citing_article_002_paragraph_1(sample):
    answer = sample.ask("How many people were beheaded at the al-Fugaha checkpoint?")
    assert not answer.abstained
    assert "eleven" in answer.text
    cited = next(c for c in answer.citations if "eleven" in c.quote)
    assert (cited.article_id, cited.paragraph) == (FUGAHA, 1)
    assert source_text(cited.source)[cited.start : cited.end] == cited.quote
    assert f"[{cited.n}]" in answer.text


def test_fuqaha_spelling_finds_the_same_paragraph(sample):
    first = sample.ask("How many people were beheaded at the al-Fugaha checkpoint?")
    variant = sample.ask("How many people were beheaded at the al-Fuqaha checkpoint?")
    assert (variant.citations[0].article_id, variant.citations[0].paragraph) == (FUGAHA, 1)
    assert variant.short_answer == first.short_answer


def test_population_of_sirte_abstains_and_offers_nearest_passages(sample):
    answer = sample.ask("How many people live in Sirte?")
    assert answer.abstained
    assert answer.text.startswith("The articles don't say")
    assert answer.citations  # the nearest passages, to check by hand


def test_follow_up_resolves_against_history(sample):
    answer = sample.ask("How many of them did the LNA kill?", history=["Who attacked the Uqaylah police station?"])
    assert "13" in answer.text
    assert "Uqaylah" in answer.standalone_question


def test_near_duplicate_paragraphs_are_grouped_and_both_reported(sample):
    answer = sample.ask("How many vehicles did the attackers arrive in at Uqaylah?")
    assert "five vehicles" in answer.text
    articles = {c.article_id for c in answer.citations}
    assert articles == {"000_52274f66d368a0a2", "001_f168f04d7b59aaf8"}
    listed = {(p.article_id, p.paragraph) for p in answer.passages}
    assert not {("000_52274f66d368a0a2", 1), ("001_f168f04d7b59aaf8", 1)} <= listed  # one passage, not two
    assert answer.citations[0].also_in


def test_hashtag_name_is_found_by_plain_words(sample):
    answer = sample.ask("What is the checkpoint near Al Jufrah commonly known as?")
    assert "Fuqaha gate" in answer.text


def test_question_set_is_answered_with_correct_citations(sample):
    items = questions()
    assert len(items) >= 30 and sum(i["unanswerable"] for i in items) >= 5
    correct = []
    for item in items:
        answer = sample.ask(item["question"], item.get("history"))
        if item["unanswerable"]:
            correct.append(answer.abstained)
            continue
        said = _norm(answer.text)
        cited = any(_norm(ev) in _norm(c.paragraph_text) for c in answer.citations for ev in item["evidence"])
        correct.append(not answer.abstained and cited and any(_norm(a) in said for a in item["answers"]))
    # A floor against regressions, not the figure: the measured accuracy is in the README (bench-quality).
    assert sum(correct) / len(correct) >= 0.75


def test_every_citation_round_trips_and_none_points_at_boilerplate(sample):
    for item in questions():
        answer = sample.ask(item["question"], item.get("history"))
        for c in answer.citations:
            assert source_text(c.source)[c.start : c.end] == c.quote
            view = sample.article(c.article_id)
            para = next(p for p in view.paragraphs if p.n == c.paragraph)
            assert para.indexed, f"{item['id']} cites boilerplate paragraph {c.paragraph} of {c.article_id}"
            assert para.start <= c.start and c.end <= para.end


def test_answer_to_dict_has_the_documented_shape(sample):
    data = sample.ask("How many people were beheaded at the al-Fugaha checkpoint?").to_dict()
    assert list(data)[:5] == ["question", "standalone_question", "answer", "abstained", "citations"]
    assert {"mode", "model", "claims", "unsupported", "notice", "fallback", "question_type"} <= set(data)
    assert {"n", "article_id", "title", "source", "paragraph", "quote", "start", "end", "score"} <= set(
        data["citations"][0]
    )


def test_empty_question_is_a_clear_error(sample):
    with pytest.raises(QAError, match="empty"):
        sample.ask("   ")


def test_unknown_article_is_a_clear_error(sample):
    with pytest.raises(QAError, match="no article"):
        sample.article("../../etc/passwd")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def test_a_very_long_question_is_refused_with_a_clear_message(sample):
    with pytest.raises(QAError, match="over the 1,000 limit"):
        sample.ask("Who " + "really " * 3000 + "claimed the attack?")


def test_a_question_that_is_not_text_is_the_packages_own_error(sample):
    with pytest.raises(QAError, match="must be text"):
        sample.ask(b"who claimed the Fugaha attack?")


def test_control_characters_in_a_question_are_ignored(sample):
    answer = sample.ask("How many people\x1b[31m were beheaded at the al-Fugaha\x07 checkpoint?")
    assert "eleven" in answer.text and "\x1b" not in answer.standalone_question


@pytest.mark.parametrize("question", ["\x1b[2J\x1b[H", "\x1b]0;pwned\x07\x1b[31m \x9b2J", "\x1bc\x00"])
def test_a_question_of_terminal_escape_sequences_only_is_refused_as_empty(sample, question):
    with pytest.raises(QAError, match="empty"):
        sample.ask(question)


@pytest.mark.parametrize("question", ["caf\udce9 fire chief?", "who claimed \ud800 the attack?"])
def test_a_question_with_a_lone_surrogate_is_refused_as_not_valid_text(sample, question):
    with pytest.raises(QAError, match="not valid text") as refused:
        sample.ask(question)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("top_k", [-5, 0, 2.5, True, "3"])
def test_a_top_k_that_is_not_a_number_of_passages_is_refused(sample, top_k):
    with pytest.raises(QAError, match="top_k"):
        sample.ask("How many people were beheaded at the al-Fugaha checkpoint?", top_k=top_k)


def test_control_characters_in_the_history_do_not_reach_the_standalone_question(sample):
    earlier = "Who attacked the\x00 Uqaylah\x1b[2J police station?"
    answer = sample.ask("How many of them did the LNA kill?", history=[earlier])
    assert "Uqaylah police station" in answer.standalone_question
    assert not re.search(r"[\x00-\x1f]|\[2J", answer.standalone_question)


def test_a_short_answer_leads_and_round_trips(sample):
    answer = sample.ask("How many people were beheaded at the al-Fugaha checkpoint?")
    short = answer.short_answer
    assert short is not None and "eleven" in short.text.lower()
    assert answer.text.startswith(f"{short.text}: ")
    cited = answer.citations[short.n - 1]
    assert source_text(cited.source)[short.start : short.end] == short.text
    assert cited.start <= short.start < short.end <= cited.end
