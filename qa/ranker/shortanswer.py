"""Short answers: the phrase of the best sentence that answers the question (a name, a date, a number, a place).

Candidate phrases are read off the sentence by their shape (capitalised names, dates,
numbers with what they count, other noun-like runs); a fitted model (`phrase` in
`qa/ranker/ranker.json`) picks one. The phrase is a span of the sentence, so its offsets round-trip.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from index.analysis import fold, stem, stopwords
from index.lexicon import SENTENCE_OPENERS
from qa.language.question import QUESTION_KINDS, Question

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DATES = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+\d{{4}})?|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|{_MONTH}\s+\d{{4}}|(?:early|mid|late)[- ]\d{{4}}s?|\d{{4}}s?|the\s+\d{{4}}s|{_WEEKDAY}"
    rf"|(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)\s+century|(?:last|next|this)\s+(?:week|month|year|{_WEEKDAY})|yesterday|today)\b",
    re.I,
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|"
    "thousands?|millions?|billions?|dozens?|several|scores"
)
_NUMBER = re.compile(
    rf"(?:[$€£]\s?)?\b(?:\d[\d,.]*|{_NUMBER_WORDS})(?:\s+(?:{_NUMBER_WORDS}|percent|per\s?cent|%))?\b%?", re.I
)
_NOT_A_COUNT = re.compile(rf"^(?:{_MONTH}|(?:19|20)\d\d)$|\bno\.$", re.I)
_PLACE = re.compile(r"\b(in|at|near|from|to|of|outside|inside)\s+(the\s+)?[A-Z#][\w-]+")
_NAME_WORD = r"(?:[A-Z][\w’'.-]*[\w’']|[A-Z])"
_NAME = re.compile(rf"{_NAME_WORD}(?:(?:\s+(?:of|the|de|del|da|van|von|bin|al|el|and|for)\s+|\s+|-){_NAME_WORD})*")
_WORD = re.compile(r"[\w$€£%][\w’'.,%-]*[\w%]|[\w$€£%]")
MAX_WORDS = 6


@dataclass
class Phrase:
    """A candidate short answer: `sentence[start:end]`, its shape, and what the model is told about it."""

    start: int
    end: int
    text: str
    shape: str  # name, date, number or words
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0


def fits(question: Question, sentence: str) -> float:
    """1.0 when the sentence holds the kind of thing asked for, else 0."""
    if question.kind == "how many":
        return (
            1.0
            if any(not _NOT_A_COUNT.search(_neighbourhood(sentence, m)) for m in _NUMBER.finditer(sentence))
            else 0.0
        )
    if question.kind == "when":
        return 1.0 if _DATES.search(sentence) else 0.0
    if question.kind == "where":
        return 1.0 if _PLACE.search(sentence) else 0.0
    if question.kind == "who":
        asked = {t.text.lower() for t in question.terms}
        names = (m.group() for m in _NAME.finditer(sentence) if m.start() > 0)
        return (
            1.0 if any(n.lower() not in asked and n.split()[0].lower() not in SENTENCE_OPENERS for n in names) else 0.0
        )
    return 0.0


def typed(question: Question, sentence: str) -> int:
    """How many names, dates and numbers the sentence holds that the question does not (cheap: no sub-phrases)."""
    asked = {fold(t.text) for t in question.terms}
    count = sum(1 for m in _DATES.finditer(sentence))
    count += sum(1 for m in _NUMBER.finditer(sentence) if not _NOT_A_COUNT.search(_neighbourhood(sentence, m)))
    count += sum(
        1
        for m in _NAME.finditer(sentence)
        if m.start() > 0 and fold(m.group().split()[0]) not in asked | SENTENCE_OPENERS
    )
    return count


def candidates(question: Question, sentence: str) -> list[Phrase]:
    """Phrases of the sentence that could answer the question (none made only of the question's own words)."""
    asked = {s for t in question.terms for s in t.stems} | {fold(t.text) for t in question.terms}
    stop = stopwords()
    found: dict[tuple[int, int], Phrase] = {}

    def add(start: int, end: int, shape: str) -> None:
        inner = [w for w in _WORD.finditer(sentence, start, end)]
        while inner and fold(inner[-1].group()) in stop:  # "21 members of" -> "21 members"
            inner.pop()
        while inner and shape != "date" and fold(inner[0].group()) in stop - {"the"}:
            inner.pop(0)
        if not inner:
            return
        start, end = inner[0].start(), inner[-1].end()
        text = sentence[start:end]
        if shape != "date" and len(inner) == 1 and re.fullmatch(f"{_MONTH}|{_WEEKDAY}", text, re.I):
            return  # "August" of "24 August" is a date, not a name
        words = [fold(w) for w in _WORD.findall(text)]
        content = [w for w in words if w not in stop]
        if not content or len(words) > MAX_WORDS:
            return
        if all(w in asked or stem(w) in asked for w in content):
            return
        if (start, end) not in found or shape != "words":
            found[(start, end)] = Phrase(start, end, text, shape)

    for m in _DATES.finditer(sentence):
        add(m.start(), m.end(), "date")
    for m in _NUMBER.finditer(sentence):
        if _NOT_A_COUNT.search(_neighbourhood(sentence, m)):
            continue
        after = re.match(r"((?:\s+[\w-]+){1,2})", sentence[m.end() :])
        add(m.start(), m.end(), "number")
        if after:
            add(m.start(), m.end() + len(after.group(1)), "number")
    for m in _NAME.finditer(sentence):
        first = m.group().split()[0].lower()
        if m.start() == 0 and first in SENTENCE_OPENERS | stop:
            continue
        for a, b in _sub_runs(list(_WORD.finditer(sentence, m.start(), m.end()))):
            add(a, b, "name")
    # Other runs of content words between function words and punctuation (for "what" questions).
    words = list(_WORD.finditer(sentence))
    run: list[re.Match[str]] = []
    for w in [*words, None]:
        if (
            w is not None
            and fold(w.group()) not in stop
            and not re.search(r"[,;:]$", sentence[w.start() : w.end() + 1])
        ):
            run.append(w)
            continue
        if w is not None and fold(w.group()) not in stop:
            run.append(w)
        for a, b in _sub_runs(run):
            add(a, b, "words")
        run = []
    return list(found.values())


def _sub_runs(words: list[re.Match[str]]) -> list[tuple[int, int]]:
    """(start, end) of every run of consecutive words, up to MAX_WORDS long."""
    return [
        (words[i].start(), words[j].end()) for i in range(len(words)) for j in range(i, min(i + MAX_WORDS, len(words)))
    ]


def describe(question: Question, sentence: str, phrases: list[Phrase]) -> None:
    """Fill in each phrase's features."""
    asked_stems = {s for t in question.terms for s in t.stems}
    hit_positions = [
        m.start() for m in _WORD.finditer(sentence) if stem(m.group()) in asked_stems or fold(m.group()) in asked_stems
    ]
    kind = question.kind
    for p in phrases:
        words = [fold(w) for w in _WORD.findall(p.text)]
        overlap = sum(1 for w in words if stem(w) in asked_stems) / max(len(words), 1)
        distance = min((abs(p.start - h) for h in hit_positions), default=len(sentence)) / max(len(sentence), 1)
        before = sentence[max(0, p.start - 12) : p.start].lower()
        f = {
            "overlap": overlap,
            "near": 1.0 - distance,
            "words": math.log1p(len(words)),
            "place": p.start / max(len(sentence), 1),
            "after_preposition": 1.0 if re.search(r"\b(in|at|on|from|near|to)\s+(the\s+)?$", before) else 0.0,
            "after_by": 1.0 if re.search(r"\bby\s+(the\s+)?$", before) else 0.0,
            "in_brackets": 1.0 if sentence[: p.start].count("(") > sentence[: p.start].count(")") else 0.0,
            "capitalised": 1.0 if p.text[:1].isupper() else 0.0,
        }
        for shape in ("name", "date", "number", "words"):
            f[f"shape_{shape}"] = 1.0 if p.shape == shape else 0.0
            for k in QUESTION_KINDS:
                f[f"{k}_{shape}"] = 1.0 if p.shape == shape and kind == k else 0.0
        p.features = f


def _neighbourhood(sentence: str, match: re.Match[str]) -> str:
    """The number with its neighbouring word, to tell '24 July' and 'no. 141' from counts."""
    before = sentence[max(0, match.start() - 4) : match.start()]
    after = re.match(r"\s*(\w+)", sentence[match.end() :])
    word = after.group(1) if after else ""
    if re.search(r"no\.\s*$", before, re.I):
        return "no."
    text = match.group().strip("$€£ ")
    if text.isdigit() and len(text) == 4 and text[:2] in ("19", "20"):
        return text
    return word if re.fullmatch(_MONTH, word, re.I) else text
