"""The extractive answerer: the best-supported sentence quoted word for word, cited by offsets."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from qa.answerers import Draft
from qa.citations import cite, matching_sentence
from qa.templates import Prompts
from qa.types import Passage, Query, ShortAnswer


class ExtractiveAnswerer:
    """Answers with the best-supported sentence, quoted and cited, plus what it needs to stand alone.

    It quotes the top sentence of the best passage, with its companions (an earlier sentence
    naming its subject, or the next one naming who it describes), and notes other articles
    carrying the same report. No model writes anything, so every word is the articles' own.
    """

    name = "extractive"
    rewrites_follow_ups = False

    def __init__(self, prompts: Prompts | None = None) -> None:
        self.prompts = prompts or Prompts()

    def stream(self, query: Query, passages: Sequence[Passage]) -> Iterator[str | Draft]:
        draft = self.compose(passages)
        yield draft.text
        yield draft

    def compose(self, passages: Sequence[Passage]) -> Draft:
        best_passage = next((p for p in passages if p.sentences), None)
        if best_passage is None:
            return Draft("", failure="no sentence to quote")
        best = best_passage.sentences[0]
        spans = sorted({(best.start, best.end), *best.companions})
        citations = [cite(n, best_passage, span, best.score) for n, span in enumerate(spans, start=1)]
        main = next(c for c in citations if c.start - best_passage.start == best.start)
        short = None
        if best.short is not None:
            a, b = best.short
            short = ShortAnswer(best_passage.text[a:b], main.n, best_passage.start + a, best_passage.start + b)
        # Copies published on different days: say when each was.
        dated = len({p.date for p in (best_passage, *best_passage.copies)}) > 1
        if short:  # "Eleven: “... eleven people were beheaded ...” [1]"
            body = f"{short.text}: " + " ".join(f"“{c.quote}” [{c.n}]" for c in citations)
        else:
            body = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        sentences = [body + (f" (published {best_passage.date})" if dated and best_passage.date else "")]
        if best_passage.copies:
            markers = []
            for copy in best_passage.copies:
                span = matching_sentence(copy, main.quote)
                citations.append(cite(len(citations) + 1, copy, span, best.score))
                when = f" (published {copy.date})" if dated and copy.date else ""
                markers.append(f"“{copy.title}”{when} [{citations[-1].n}]")
            sentences.append(self.prompts.render("also_reported", titles=" and ".join(markers)))
        return Draft(" ".join(sentences), sources=(best_passage,), citations=tuple(citations), short_answer=short)
