"""The verify stage: each sentence of an answer is checked against the paragraph it cites.

A sentence holds when a span of its cited paragraph (one to three consecutive sentences)
contains every name, number and date it states, name variants the retriever knows
included, and the support judge (a model fitted for this, `qa.reader.judge`) finds that
the span says it. Without the judge, agreement in words and in meaning (embedding
similarity) stands in, with a rule that names and numbers stand in the same context. A
sentence that copies a span's words but puts another name or number in one's place is
refused, whatever the judge says. When the cited paragraph fails but another retrieved
paragraph holds, the sentence is re-cited to it; otherwise it is marked unsupported.

Quotes made by the extractive answerer are the articles' own words; their check is that
each quote round-trips (in `citations.check_round_trip`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import takewhile

from index.analysis import content_words, fold, stem, stopwords, trim_spans
from index.lexicon import ABBREVIATIONS, MONTHS, NUMBER_WORDS, SENTENCE_OPENERS, alternation
from qa.answerers import Draft
from qa.citations import MARKER, cite, marker_numbers
from qa.config import VerifySettings
from qa.language.names import Names
from qa.types import RECITED, SUPPORTED, UNSUPPORTED, Citation, Claim, Passage

# Splits generated prose into sentences: after . ! ? (and any closing quote and markers)
# followed by white space. Abbreviations such as "U.S." or "Dr." do not end a sentence.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*((?:\s*\[\d+(?:\s*,\s*\d+)*\])*)(?=\s+|$)")
_ABBREVIATION = re.compile(rf"(\b[A-Z]|\b(?:[A-Z]\.)+[A-Z]|\b(?i:{alternation(ABBREVIATIONS)}))$")
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_NUMERAL = re.compile(r"\d+(?:[.,]\d+)*")

# Scores (span, claim) pairs: the probability (0-1) that each span states what its claim says.
Judge = Callable[[Sequence[tuple[str, str]]], list[float]]


@dataclass(frozen=True)
class Verified:
    """A verified answer: its text with the markers that hold, exact citations, one claim per sentence."""

    text: str
    citations: tuple[Citation, ...]
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class Support:
    """How well one span of one passage supports a claim."""

    passage: Passage
    span: tuple[int, int]
    score: float
    missing: tuple[str, ...] = ()

    @property
    def holds(self) -> bool:
        return not self.missing


class Verifier:
    """Checks drafts against their sources.

    `similarity(text, others)` gives meaning-level similarity (cosine of embeddings);
    `names()` the alias table and the corpus's spellings; `judge` the fitted support
    judge (`qa.reader.judge`), which replaces words and similarity as the agreement score
    when given.
    """

    name = "verify"

    def __init__(
        self,
        *,
        similarity: Callable[[str, list[str]], list[float]] | None = None,
        names: Callable[[], Names] | None = None,
        judge: Judge | None = None,
        settings: VerifySettings | None = None,
    ) -> None:
        self.similarity = similarity
        self.names = names
        self.judge = judge
        self.settings = settings or VerifySettings()

    def verify(self, draft: Draft, passages: Sequence[Passage]) -> Verified:
        if draft.citations:
            return self._quoted(draft)
        return self._written(draft, passages)

    # -- quoted answers (extractive) ----------------------------------------------------------
    @staticmethod
    def _quoted(draft: Draft) -> Verified:
        known = {c.n for c in draft.citations}
        claims = tuple(
            Claim(text, tuple(n for n in numbers if n in known), SUPPORTED, 1.0)
            for text, numbers in split_claims(draft.text)
        )
        return Verified(draft.text, draft.citations, claims)

    # -- written answers (a model) ------------------------------------------------------------
    def _written(self, draft: Draft, passages: Sequence[Passage]) -> Verified:
        sources = draft.sources
        candidates = list(dict.fromkeys([*sources, *passages]))
        names = self.names() if self.names else None
        citations: dict[tuple[str, int, int], Citation] = {}
        claims: list[Claim] = []
        pieces: list[str] = []
        for text, numbers in split_claims(draft.text):
            cited = [sources[n - 1] for n in dict.fromkeys(numbers) if 1 <= n <= len(sources)]
            verdict, found, reason = self.check(text, cited, candidates, names)
            markers: list[int] = []
            for support in found:
                key = (support.passage.chunk_id, *support.span)
                if key not in citations:
                    citations[key] = cite(len(citations) + 1, support.passage, support.span, support.score)
                markers.append(citations[key].n)
            score = max((s.score for s in found), default=0.0)
            claims.append(Claim(text, tuple(markers), verdict, round(score, 4), reason))
            pieces.append(text + "".join(f" [{n}]" for n in markers))
        return Verified(" ".join(pieces), tuple(citations.values()), tuple(claims))

    def check(
        self, claim: str, cited: Sequence[Passage], candidates: Sequence[Passage], names: Names | None = None
    ) -> tuple[str, list[Support], str]:
        """(verdict, the supporting spans, why not) for one claim and the passages it cites."""
        if not content_words(claim):
            return UNSUPPORTED, [], "states nothing to check"
        limit = self.settings.judge_min_support if self.judge else self.settings.min_support
        tried = self.best_spans(claim, cited, names)
        own = [s for s in tried if s.holds and s.score >= limit]
        if own:
            return self._accepted(claim, SUPPORTED, max(own, key=lambda s: s.score), names)
        others = self.best_spans(claim, [p for p in candidates if p not in cited], names)
        best = max(others, key=lambda s: (s.holds, s.score), default=None)
        if best is not None and best.holds and best.score >= limit:
            return self._accepted(claim, RECITED, best, names)
        tried = tried or ([best] if best else [])
        missing = next((s.missing for s in tried if s.missing), ())
        if missing:
            return UNSUPPORTED, [], f"{', '.join(missing)} not in the sources"
        return UNSUPPORTED, [], "cites no source" if not cited and best is None else "the sources do not say this"

    def _accepted(
        self, claim: str, verdict: str, support: Support, names: Names | None
    ) -> tuple[str, list[Support], str]:
        """The verdict on a sentence its span supports, unless the sentence copies a sentence of the span's paragraph
        but for a name or number that sentence has as another, or turns two of its names round."""
        text = support.passage.text
        # Compared with the one sentence of the passage it copies most, wherever the judge found support: a copy is
        # of one sentence, a name of another would align with its own, and a span beside the copied sentence may
        # read as agreeing with a sentence that changed it.
        sentences = [text[a:b] for a, b in _sentences(support.passage)]
        changed = substitution(claim, sentences, names, self.settings.copy_share)
        if changed:
            said, written = changed
            return UNSUPPORTED, [], f"the sources have {said} where the sentence has {written}"
        return self._unswapped(claim, verdict, support, names)

    def _unswapped(
        self, claim: str, verdict: str, support: Support, names: Names | None
    ) -> tuple[str, list[Support], str]:
        """The verdict, unless the span supports the claim clearly better with two of its names trading places.

        Every name of "LNA fighters attacked the ISIS-controlled checkpoint" stands in a span that says
        ISIS attacked the LNA-controlled one, and a judge reading the claim alone scores it near its
        threshold; against the claim with the roles turned back it is plainly worse. The judge reads
        each swap against the same span, one forward pass each (`judge_swap_margin`, in logits).
        """
        margin = self.settings.judge_swap_margin
        if self.judge is None or margin <= 0:
            return verdict, [support], ""
        start, end = support.span
        span = support.passage.text[start:end]
        sentences = [fold(support.passage.text[a:b]) for a, b in _sentences(support.passage) if start <= a < end]
        said = " ".join(fold(span).split())
        turned = [
            (text, first, second) for text, first, second, between in name_swaps(claim, names)
            if _may_trade(fold(first), fold(second), sentences) and " ".join(fold(between).split()) not in said
        ][: self.settings.judge_swaps]  # fmt: skip
        if not turned:
            return verdict, [support], ""
        scores = self.judge([(span, text) for text, _, _ in turned])
        gain, (_, first, second) = max(zip((_logit(p) - _logit(support.score) for p in scores), turned, strict=True))
        if gain > margin:
            return UNSUPPORTED, [], f"the sources have {first} and {second} the other way round"
        return verdict, [support], ""

    def best_span(self, claim: str, passage: Passage, names: Names | None = None) -> Support:
        """The span of `passage` (one to `window` consecutive sentences) that best supports `claim`."""
        return self.best_spans(claim, [passage], names)[0]

    def best_spans(self, claim: str, passages: Sequence[Passage], names: Names | None = None) -> list[Support]:
        """For each passage, its span that best supports `claim`; the spans of all passages are compared by meaning
        (or judged) in one call.

        The exact rules come first: a span that lacks a name, number or date of the claim never
        supports it. Of the spans the rules let through, the judge (when given) scores the
        `judge_compare` of each passage that share the most words with the claim, one forward pass
        each; without it, agreement over the best `compare` is shared words and embedding similarity.
        """
        heads = [self.candidates(claim, p, names) for p in passages]
        flat = [(k, c) for k, head in enumerate(heads) for c in head]
        rank = [r for head in heads for r in range(len(head))]  # spans the rules let through rank first
        texts = [passages[k].text[a:b] for k, (_, (a, b), _, _, _) in flat]
        if any(c[4] for _, c in flat):
            # A span that holds the claim word for word says it; nothing else needs reading.
            scores = [1.0 if c[4] else 0.0 for _, c in flat]
        elif self.judge is not None:
            judged = [i for i, (_, c) in enumerate(flat) if not c[2] and rank[i] < self.settings.judge_compare]
            found = self.judge([(texts[i], claim) for i in judged]) if judged else []
            scores = [0.0] * len(flat)
            for i, score in zip(judged, found, strict=True):
                scores[i] = score
        else:
            sims = self.similarity(claim, texts) if self.similarity and texts else [0.0] * len(texts)
            # Without a meaning model, shared words are all there is to go on.
            share = self.settings.word_weight if self.similarity else 1.0
            scores = [share * c[3] + (1 - share) * max(sim, 0.0) for (_, c), sim in zip(flat, sims, strict=True)]
        best: list[Support | None] = [None] * len(passages)
        for (k, (_, span, missing, _, _)), score in zip(flat, scores, strict=True):
            candidate = Support(passages[k], span, round(score, 4), missing)
            if best[k] is None or (candidate.holds, candidate.score) > (best[k].holds, best[k].score):
                best[k] = candidate
        return [b or Support(p, (0, len(p.text)), 0.0, ("anything",)) for b, p in zip(best, passages, strict=True)]

    def candidates(
        self, claim: str, passage: Passage, names: Names | None
    ) -> list[tuple[int, tuple[int, int], tuple[str, ...], float, bool]]:
        """The `compare` spans of `passage` that lack the fewest facts and share the most words with the claim:
        (facts missing, span, which, share of the claim's words, whether the span holds the claim word for word).

        A name the article's title holds counts as stated by each of its paragraphs ("went to Harvard",
        against a paragraph of the article on Harvard that says "the university")."""
        s = self.settings
        spans = _sentences(passage)
        tokens = _tokens(passage.text)
        wanted = facts(claim, names)
        claim_tokens = _tokens(claim)
        claim_forms = [t.form for t in claim_tokens]
        claim_stems = {t.stem for t in claim_tokens if t.content}
        title_tokens = _tokens(passage.title)
        title_stems = {t.stem for t in title_tokens if t.content}
        wanted = [
            f for f in wanted if f.kind != "name" or not holds(f, claim_tokens, passage.title, title_tokens, s, False)
        ]
        anchors = self._anchors()
        scored = []
        for i in range(len(spans)):
            for j in range(i, min(i + s.window, len(spans))):
                start, end = spans[i][0], spans[j][1]
                inside = [t for t in tokens if start <= t.start < end]
                text = passage.text[start:end]
                missing = tuple(f.text for f in wanted if not holds(f, claim_tokens, text, inside, anchors))
                stems = {t.stem for t in inside if t.content} | title_stems
                overlap = len(claim_stems & stems) / len(claim_stems) if claim_stems else 0.0
                quoted = len(claim_forms) >= s.quote_words and _contains([t.form for t in inside], claim_forms)
                # A shorter span is a tighter quote: prefer it when it agrees as well.
                scored.append((len(missing), -quoted, -overlap, end - start, (start, end), missing, overlap, quoted))
        scored.sort()
        return [
            (n, span, missing, overlap, quoted) for n, _, _, _, span, missing, overlap, quoted in scored[: s.compare]
        ]

    def _anchors(self) -> VerifySettings:
        """The same-context rule as it applies: the judge reads a name (or, `judge_anchors="off"`, also a number or
        date) in its context itself; the rule is the rules-only verifier's stand-in for that."""
        s = self.settings
        if self.judge is None or s.judge_anchors == "all":
            return s
        if s.judge_anchors == "numbers":
            return replace(s, anchor_names=False)
        return replace(s, anchor_words=0)


def prose_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of written prose; a sentence keeps the markers that close it."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if _ABBREVIATION.search(text[start : m.start()]) and not m.group(1):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return trim_spans(text, spans)


def split_claims(text: str) -> list[tuple[str, list[int]]]:
    """The sentences of an answer, each without its markers, and the marker numbers it carries."""
    out = [_claim(text[a:b]) for a, b in prose_spans(text)]
    return [(t, n) for t, n in out if t]


def _claim(piece: str) -> tuple[str, list[int]]:
    numbers = marker_numbers(piece)
    body = " ".join(MARKER.sub(" ", piece).split())
    body = re.sub(r"\s+([.,;:!?])", r"\1", body)
    return body, numbers


@dataclass(frozen=True)
class Fact:
    """A name, number or date stated by a claim (`claim[start:end]`), and the forms that count as the same."""

    text: str
    forms: frozenset[str]
    start: int = 0
    end: int = 0
    kind: str = "name"  # name, number or date


@dataclass(frozen=True)
class _Token:
    form: str  # canonical: folded, number words as digits
    stem: str
    start: int
    content: bool
    end: int = 0


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[_Token, ...]:
    stop = stopwords()
    return tuple(
        _Token(_canonical(m.group()), stem(m.group()), m.start(), fold(m.group()) not in stop, m.end())
        for m in _WORD.finditer(text)
    )


def holds(
    fact: Fact,
    claim: Sequence[_Token],
    span: str,
    span_tokens: Sequence[_Token],
    settings: VerifySettings,
    context: bool = True,
) -> bool:
    """The fact appears in the span, and (for numbers, dates and names) in the same context as in the claim.

    "35-yard pass" is not supported by "a 45-yard pass ... the 35-yard line": the span must
    hold the number near the words the claim puts around it (`anchor_words` either side;
    at least `min_anchor` of them).
    """
    places = [i for i, t in enumerate(span_tokens) if t.form in fact.forms]
    if not places:
        # A form of several words or with marks inside ("United States", "U.S.") is looked for in the text itself.
        lowered = fold(span)
        return any(not f.isalnum() and re.search(rf"(?<!\w){re.escape(f)}(?!\w)", lowered) for f in fact.forms)
    k = settings.anchor_words
    mine = [i for i, t in enumerate(claim) if fact.start <= t.start < fact.end]
    if not mine or not context or k <= 0 or (fact.kind == "name" and not settings.anchor_names):
        return True
    around = claim[max(0, mine[0] - k) : mine[0]] + claim[mine[-1] + 1 : mine[-1] + 1 + k]
    context = {t.stem for t in around if t.content and t.form not in fact.forms}
    if not context:
        return True
    best = max(
        len(context & {t.stem for t in span_tokens[max(0, p - k) : p + k + 1] if t.content}) / len(context)
        for p in places
    )
    return best >= settings.min_anchor


def facts(claim: str, names: Names | None = None) -> list[Fact]:
    """The names, numbers and dates a claim states (each must appear in the supporting span)."""
    found: list[Fact] = []
    taken: list[tuple[int, int]] = []
    for mention in names.mentions(claim) if names else []:
        forms = frozenset(fold(a) for a in mention.aliases) | frozenset(_canonical(a) for a in mention.aliases)
        found.append(Fact(claim[mention.start : mention.end], forms, mention.start, mention.end))
        taken.append((mention.start, mention.end))
    for m in _WORD.finditer(claim):
        if any(a <= m.start() < b for a, b in taken):
            continue
        word = m.group()
        folded = _canonical(word)
        if folded.isdigit() or _NUMERAL.fullmatch(word):
            found.append(Fact(word, frozenset({folded}), m.start(), m.end(), "number"))
        elif folded in MONTHS:
            found.append(Fact(word, frozenset({folded}), m.start(), m.end(), "date"))
        elif _is_name(word):
            variants = names.variants(word) if names else {fold(word)}
            forms = frozenset(_canonical(v) for v in variants) | {folded}
            found.append(Fact(word, forms, m.start(), m.end()))
    return list({f.text: f for f in found}.values())


def substitution(claim: str, sentences: Sequence[str], names: Names | None, share: float) -> tuple[str, str] | None:
    """(what the span has, what the claim has instead) where the claim copies one of the sentences, at least `share`
    of its words in that sentence's order (the one it copies most), but for a name, number or date that the
    sentence has as another.

    "The flow reappears ... off the island of Reichenau" written from "... off the island of Lindau", with
    Reichenau named elsewhere in the paragraph: every fact stands in the span, and the copy shows the slot it was
    put in. A name the retriever knows as the same ("Islamic State" for "ISIS", "Fuqaha" for "Fugaha") is no
    substitution; nor is "the incident" written as "the Fugaha attack", where the span has no name in its place."""
    if share <= 0 or not sentences:
        return None
    mine = [(t.start, t.end, t.form) for t in _tokens(claim)]
    aligned = [(*_alignment(mine, sentence), sentence) for sentence in sentences]
    copied, theirs, match, span = max(aligned, key=lambda a: a[0])
    if copied < share * len(mine):
        return None
    stated = facts(claim, names)
    opcodes = match.get_opcodes()
    for k, (op, i1, i2, j1, j2) in enumerate(opcodes):
        slot = [(a, b) for a, b, _ in theirs[i1:i2]]
        if op == "delete" and 0 < j1 < len(mine):
            # "... the German states of Bavaria and [Baden-Württemberg, the Austrian state of Vorarlberg, and the
            # Swiss cantons of] Thurgau": the claim copies the span up to a clause it skips, and puts the fact that
            # follows it where the span has another. A shortened list ("Bonn, [Koblenz,] Mainz") skips no clause;
            # a sentence that takes a word or two of the span and then its end ("Harvard's [...] Pell Grant reserve")
            # copies no run.
            before = opcodes[k - 1]
            if before[0] != "equal" or before[4] - before[3] < _RUN:
                continue
            slot = _leading_facts(span, slot)
            joined = _leading_facts(claim, mine[j1 : j1 + _SLOT])
            skipped = span[slot[-1][1] : theirs[i2][0]] if slot else ""
            if not joined or not _CLAUSE_MARK.search(skipped) or _COORDINATED.fullmatch(skipped):
                continue
            j2 = j1 + len(joined)
        elif op != "replace" or j2 - j1 > _SLOT:
            continue
        elif i2 - i1 > _SLOT:
            # Where the claim begins or ends, the span goes on past the copy: only the facts right beside the copied
            # words stand in the claim's slot, and the claim's own slot must begin (or end) with one.
            if j2 == len(mine) and _is_fact_word(claim[mine[j1][0] : mine[j1][1]]):
                slot = _leading_facts(span, slot)
            elif j1 == 0 and _is_fact_word(claim[mine[j2 - 1][0] : mine[j2 - 1][1]]):
                slot = _leading_facts(span, slot[::-1])[::-1]
            else:
                continue
        written = claim[mine[j1][0] : mine[j2 - 1][1]]
        # A capitalised first word may be an ordinary word in either sentence: only a number counts there.
        put_in = [
            f for f in stated if f.start < mine[j2 - 1][1] and f.end > mine[j1][0] and (f.start or f.kind != "name")
        ]
        out = [
            (a, b)
            for a, b in slot[:_SLOT]
            if _is_fact_word(span[a:b]) and (a > theirs[0][0] or not _is_name(span[a:b]))
        ]
        if not put_in or not out:
            continue
        said = span[out[0][0] : out[-1][1]]
        kinds = {"name" if _is_name(span[a:b]) else "number" for a, b in out}
        like = [f for f in put_in if ("name" if f.kind == "name" else "number") in kinds]
        if like and not any(_same(span[a:b], said, f) for f in put_in for a, b in out):
            return said, written
    return None


def _alignment(
    mine: list[tuple[int, int, str]], sentence: str
) -> tuple[int, list[tuple[int, int, str]], SequenceMatcher]:
    """How many of the claim's words (`mine`) a sentence holds in the claim's order, its words, and the alignment."""
    theirs = [(t.start, t.end, t.form) for t in _tokens(sentence)]
    match = SequenceMatcher(None, [w for _, _, w in theirs], [w for _, _, w in mine], autojunk=False)
    return sum(block.size for block in match.get_matching_blocks()), theirs, match


_RUN = 3  # words copied one after another before a skipped clause: a copy, not a sentence that shares a word
_SLOT = 4  # at most this many words on either side of a substitution: a name or a number, not a rewording


def _leading_facts(text: str, words: Sequence[tuple]) -> list:
    """The words (offsets into `text` first) up to the first that is no fact word."""
    return list(takewhile(lambda w: _is_fact_word(text[w[0] : w[1]]), words))


def _is_fact_word(word: str) -> bool:
    """A name, a number or a month: a word a claim's facts are made of."""
    return _is_name(word) or _canonical(word).isdigit() or fold(word) in MONTHS


def _same(word: str, said: str, fact: Fact) -> bool:
    """Whether a word the span has where the claim states `fact` names the same thing: one of its forms, or (for a
    name) a form derived from it ("African" for "Africa")."""
    if _canonical(word) in fact.forms or fold(said) in fact.forms:
        return True
    folded = fold(word)
    return fact.kind == "name" and not folded.isdigit() and any(f[:4] == folded[:4] for f in fact.forms if len(f) >= 4)


def name_swaps(claim: str, names: Names | None = None) -> list[tuple[str, str, str, str]]:
    """The claim with each two of its names trading places (who did what to whom, turned): (the turned claim,
    the first name, the second, the claim's text from the first to the second).

    Neighbouring capitalised words are one name ("Libyan National Army"). Names that contain one
    another ("Army", "Libyan National Army") are not swapped, nor names joined only by "and", "or"
    or a comma ("between Bonn and Koblenz"), which play the same part."""
    found: list[tuple[int, int]] = []
    for f in sorted((f for f in facts(claim, names) if f.kind == "name"), key=lambda f: f.start):
        if found and found[-1][1] <= f.start and not claim[found[-1][1] : f.start].strip():
            found[-1] = (found[-1][0], f.end)
        elif not found or f.start >= found[-1][1]:
            found.append((f.start, f.end))
    out = []
    for i, (a, b) in enumerate(found):
        for c, d in found[i + 1 :]:
            first, second = claim[a:b], claim[c:d]
            if fold(first) in fold(second) or fold(second) in fold(first) or _COORDINATED.fullmatch(claim[b:c]):
                continue
            out.append((claim[:a] + second + claim[b:c] + first + claim[d:], first, second, claim[a:d]))
    return out


def _may_trade(first: str, second: str, sentences: list[str]) -> bool:
    """Whether two names can play each other's part in the span: some sentence holds both, not side by side as one
    name ("the ISIS Amaq news agency"). Where the span has them in the claim's order with the claim's words
    between them, it says the same thing the same way round (the caller checks that)."""
    together = re.compile(rf"{re.escape(first)}[\s-]+{re.escape(second)}|{re.escape(second)}[\s-]+{re.escape(first)}")
    return any(first in s and second in s and not together.search(s) for s in sentences)


_CLAUSE_MARK = re.compile(r"[,;:—–]")
_COORDINATED = re.compile(r"\s*(?:,|&|,?\s*\b(?:and|or)\b)\s*")


def _contains(text: Sequence[str], words: Sequence[str]) -> bool:
    """Whether `words` stand in `text` one after another, as a quote."""
    n = len(words)
    return any(text[i : i + n] == words for i in range(len(text) - n + 1)) if n else False


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _is_name(word: str) -> bool:
    return word[:1].isupper() and fold(word) not in _NOT_NAMES and fold(word) not in stopwords()


def _canonical(word: str) -> str:
    folded = fold(word)
    if folded in NUMBER_WORDS:
        return str(NUMBER_WORDS[folded])
    if _NUMERAL.fullmatch(folded):
        digits = folded.replace(",", "")
        return digits[:-2] if digits.endswith(".0") else digits
    return folded


def _sentences(passage: Passage) -> list[tuple[int, int]]:
    """The passage's sentences in reading order (from its evidence when scored, else by rule)."""
    if passage.sentences:
        return sorted((e.start, e.end) for e in passage.sentences)
    return prose_spans(passage.text) or [(0, len(passage.text))]


# Capitalised words that open sentences without naming anything (stopwords are checked as well).
_NOT_NAMES = SENTENCE_OPENERS | {"according", "also", "here", "however", "while", "yes"}
