"""What a question asks: its type (who/when/how many...), key terms, weights and predicate."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.analysis import AUXILIARIES, fold, stem, stopwords, words
from qa.language.names import Names, alias_pattern, alias_stems
from qa.types import Query

_WH = r"\b(?:what|which)\s+(?:\w+\s+)?"  # "which country", "what two countries"
_PEOPLE = (
    r"group|organi[sz]ation|person|people|man|men|woman|women|agency|militia|company|team|party|leader|"
    r"president|minister|official|politician|candidate|player|actor|actress|singer|author|writer|firm"
)
_PLACES = r"city|cities|town|country|countries|region|place|state|province|county|continent|island|nation"
# Each pattern names a question type; the earliest match in the question wins, so a "who"
# inside a relative clause ("What did the man who ...") does not decide the type.
_TYPES = (
    ("how many", re.compile(r"\bhow (many|much)\b|\b(?:(?:what|which)(?: is| was)?(?: the)? )?number of\b", re.I)),
    (
        "when",
        re.compile(
            r"\bwhen\b|" + _WH + r"(date|day|month|year|time|century|decade)\b|\bhow long ago\b|"
            r"\b(on|in) which (date|day|month|year)\b",
            re.I,
        ),
    ),
    ("where", re.compile(r"\bwhere\b|" + _WH + rf"({_PLACES})\b", re.I)),
    ("who", re.compile(r"\bwho(m|se)?\b|" + _WH + rf"({_PEOPLE})\b", re.I)),
    ("why", re.compile(r"\bwhy\b", re.I)),
    ("what", re.compile(r"\bwhat\b|\bwhich\b|\bhow\b", re.I)),
)
# The kinds, in the order the fitted models' features name them.
QUESTION_KINDS = ("who", "what", "when", "where", "how many", "why")
assert set(QUESTION_KINDS) == {kind for kind, _ in _TYPES}


@dataclass(frozen=True)
class Term:
    """A key term: matched by any of its stems, or by an alias pattern on the raw text."""

    text: str
    stems: frozenset[str]
    patterns: tuple[re.Pattern[str], ...] = ()
    focus: bool = True  # from the question itself, not borrowed from earlier ones
    predicate: bool = False
    is_name: bool = False  # a capitalised word or an alias: the story must mention it
    type_word: bool = False  # "which COUNTRY": names the kind of answer, which the answer need not repeat

    def found_in(self, stems: set[str], raw: str) -> bool:
        return bool(self.stems & stems) or any(p.search(raw) for p in self.patterns)


@dataclass(frozen=True)
class Question:
    text: str
    standalone: str
    kind: str
    terms: tuple[Term, ...]
    expansions: tuple[str, ...] = field(default=())  # other spellings and aliases, for search

    @property
    def search_tokens(self) -> list[str]:
        return sorted({s for t in self.terms for s in t.stems})

    @property
    def type_word(self) -> Term | None:
        return next((t for t in self.terms if t.type_word), None)

    @property
    def predicate(self) -> Term | None:
        return next((t for t in self.terms if t.predicate), None)


def kind_of(question: str) -> str:
    """who / what / when / where / how many / why: the kind of answer the question asks for."""
    found = [(m.start(), order, name) for order, (name, p) in enumerate(_TYPES) if (m := p.search(question))]
    return min(found)[2] if found else "what"


def analyze(resolved: Query, names: Names) -> Question:
    """Key terms of the question; words borrowed from an earlier question are not `focus`."""
    terms: list[Term] = []
    expansions: list[str] = []
    seen: set[str] = set()
    predicate = _predicate(resolved.own)
    kind = kind_of(resolved.own)
    type_word = next((m for m in _TYPE_WORD.finditer(resolved.own) if fold(m.group(1)) not in stopwords()), None)
    for text, focus in ((resolved.own, True), (resolved.context or "", False)):
        taken = [False] * len(text)
        for mention in names.mentions(text):
            taken[mention.start : mention.end] = [True] * (mention.end - mention.start)
            key = "|".join(mention.aliases)
            if key in seen:
                continue
            seen.add(key)
            said = text[mention.start : mention.end]
            expansions += [a for a in mention.aliases if a != said]
            patterns = tuple(alias_pattern(a) for a in mention.aliases)
            terms.append(Term(said, frozenset(alias_stems(mention.aliases)), patterns, focus=focus, is_name=True))
        for m in re.finditer(r"\w+(?:['’]\w+)*", text):
            word = m.group()
            folded = fold(word)
            if taken[m.start()] or folded in stopwords() or stem(folded) in seen:
                continue
            spellings = names.variants(word) if word[:1].isupper() or len(word) > 4 else {folded}
            expansions += sorted(s for s in spellings if s != folded)
            seen.add(stem(folded))
            # "Which country ..." names the kind of answer, which the answer need not repeat.
            is_type_word = focus and type_word is not None and m.start() == type_word.start(1)
            terms.append(
                Term(
                    word,
                    frozenset(stem(s) for s in spellings),
                    focus=focus and not is_type_word,
                    predicate=focus and folded == predicate,
                    is_name=word[:1].isupper() and bool(text[: m.start()].strip()),
                    type_word=is_type_word,
                )
            )
    return Question(resolved.question, resolved.text, kind, tuple(terms), tuple(dict.fromkeys(expansions)))


_TYPE_WORD = re.compile(r"\b(?:which|what)\s+(\w+)", re.I)  # "which country", also mid-question


def _predicate(question: str) -> str | None:
    """The verb the answer must contain: after an auxiliary, else right after the wh-word.

    "Who claimed the attack" -> claimed; "How many people were beheaded" -> beheaded;
    "When did ISIS attack the station" -> attack (capitalised subjects are skipped).
    """
    tokens = words(question)
    lowered = [fold(t) for t in tokens]
    stop = stopwords()
    if len(lowered) > 1 and lowered[0] in ("who", "what", "which") and lowered[1] not in AUXILIARIES | stop:
        return lowered[1]
    for i, word in enumerate(lowered):
        if word in AUXILIARIES and not tokens[i].isupper():  # "IS" is a name, "is" a verb
            for j in range(i + 1, len(tokens)):
                if lowered[j] not in stop and not tokens[j][0].isupper() and not tokens[j][0].isdigit():
                    # "is said to be transferring": the reported verb is the one that counts
                    if j + 1 < len(lowered) and lowered[j + 1] == "to":
                        continue
                    return lowered[j]
            return None
    return None
