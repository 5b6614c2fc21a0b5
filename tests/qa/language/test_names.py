"""Name variants and aliases: which spellings and names count as the same."""

from __future__ import annotations

from qa.language.names import Names

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
