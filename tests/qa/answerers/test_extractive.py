"""The answer stage: the registry, and the extractive answerer quoting the best evidence."""

from __future__ import annotations

from dataclasses import replace

from qa.answerers import Registry
from qa.answerers.extractive import ExtractiveAnswerer
from qa.types import Evidence, Passage, Query, Reference

TEXT = "Police arrested a former ISIS member. Anis Bujeela al-Awami joined the group in 2015. Nothing else."


def scored(cid: str = "a", copies=()) -> Passage:
    p = Passage(cid, cid, "Arrest in Sirte", f"/{cid}.txt", 3, 100, 100 + len(TEXT), TEXT, 0.1, date="2017-08-01")
    first = (0, TEXT.index(" Anis"))
    follower = (TEXT.index("Anis"), TEXT.index(" Nothing"))
    evidence = (Evidence(*first, 0.9, 0.8, companions=(follower,)), Evidence(*follower, 0.5, 0.4))
    refs = tuple(Reference(c.article_id, c.title, c.source, c.paragraph) for c in copies)
    return replace(p, sentences=evidence, copies=tuple(copies), also_in=refs)


def test_the_best_sentence_and_its_companion_are_quoted_and_cited():
    draft = ExtractiveAnswerer().compose([scored()])
    assert draft.text == f"{TEXT[: TEXT.index(' Anis')]} [1] {TEXT[TEXT.index('Anis') : TEXT.index(' Nothing')]} [2]"
    first, second = draft.citations
    assert (first.start, first.end) == (100, 100 + TEXT.index(" Anis"))
    assert first.paragraph == 3 and first.date == "2017-08-01" and second.quote.startswith("Anis")


def test_a_copy_of_the_report_elsewhere_is_cited_too():
    copy = replace(scored("b"), title="Wire copy")
    draft = ExtractiveAnswerer().compose([scored("a", copies=[copy])])
    assert draft.text.endswith("The same report appears in “Wire copy” [3].")
    assert draft.citations[2].article_id == "b"


def test_streaming_gives_the_text_then_the_draft():
    pieces = list(ExtractiveAnswerer().stream(Query("q", "q", "q"), [scored()]))
    assert isinstance(pieces[0], str) and pieces[-1].text == pieces[0] and pieces[-1].citations


def test_the_registry_builds_each_answerer_once_on_first_use():
    built = []
    registry = Registry({"extractive": lambda: built.append(1) or ExtractiveAnswerer()})
    assert built == [] and "extractive" in registry and registry.names() == ["extractive"]
    assert registry.get("extractive") is registry.get("extractive") and built == [1]
