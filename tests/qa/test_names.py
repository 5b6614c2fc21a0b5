"""Name variants and aliases: which spellings and names count as the same."""

from __future__ import annotations

from qa.conversation import resolve, topic_of
from qa.names import Names
from qa.question import analyze, kind_of

CORPUS_NAMES = {"FKH": ["fugaha", "fuqaha"], "AKL": ["uqaylah"], "SRT": ["sirte"]}


def test_transliterations_match_by_sound():
    names = Names.load(corpus_names=CORPUS_NAMES)
    assert names.variants("Fuqaha") == {"fugaha", "fuqaha"}
    assert names.variants("Ogaila") == {"uqaylah", "ogaila"}
    assert names.variants("Sirte") == {"sirte"}


def test_aliases_match_and_capitalised_ones_are_case_sensitive():
    names = Names.load()
    text = "Daesh said the Islamic State is strong; IS fighters left."
    found = [text[m.start : m.end] for m in names.mentions(text)]
    assert found == ["Daesh", "Islamic State", "IS"]
    assert "ISIS" in names.mentions("ISIL")[0].aliases


def test_user_alias_file_extends_a_built_in_group(tmp_path):
    extra = tmp_path / "aliases.toml"
    extra.write_text('[groups]\nmine = ["Daesh", "Tanzim al-Dawla"]\n', encoding="utf-8")
    names = Names.load(extra)
    [mention] = names.mentions("Tanzim al-Dawla claimed it")
    assert "ISIS" in mention.aliases


def test_question_terms_carry_variants_aliases_and_the_predicate():
    names = Names.load(corpus_names=CORPUS_NAMES)
    question = analyze(
        "Who claimed the Fuqaha attack by IS?", resolve("Who claimed the Fuqaha attack by IS?", []), names
    )
    by_text = {t.text: t for t in question.terms}
    assert {"fugaha", "fuqaha"} <= by_text["Fuqaha"].stems
    assert by_text["IS"].found_in(set(), "the Islamic State group")
    assert question.predicate.text == "claimed" and question.kind == "who"


def test_question_kinds():
    assert kind_of("How many people were beheaded?") == "how many"
    assert kind_of("When did Amaq release the video?") == "when"
    assert kind_of("Which group claimed it?") == "who"
    assert kind_of("Where is the checkpoint?") == "where"


def test_follow_up_pronoun_takes_the_earlier_topic():
    assert topic_of("who claimed the Fugaha attack") == "the Fugaha attack"
    resolved = resolve("When did it happen?", ["who claimed the Fugaha attack?"])
    assert resolved.text == "When did the Fugaha attack happen?"
    plural = resolve("How many of them did the LNA kill?", ["Who attacked the Uqaylah police station?"])
    assert plural.context == "Who attacked the Uqaylah police station" and plural.own.startswith("How many of them")


def test_self_contained_question_ignores_history():
    resolved = resolve("How many people live in Sirte?", ["who claimed the Fugaha attack?"])
    assert resolved.text == "How many people live in Sirte?" and resolved.context is None
