"""The English words the rules share: months, numbers, sentence openers, abbreviations, set overlap.

One copy of each, in the lowest layer that uses it (`index/` reads dates and numbers at
ingest; `qa/` reads them in questions, answers and claims).
"""

from __future__ import annotations

# Every spelling of each month, full and short, to its number.
MONTHS: dict[str, int] = {
    m: i
    for i, spellings in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
            ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
            ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for m in spellings
}  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Number words to their value.
NUMBER_WORDS: dict[str, int] = {
    **{w: i for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
    )},
    **{w: 10 * i for i, w in enumerate(["thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], start=3)},
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000, "dozen": 12,
}  # fmt: skip
# Sentence openers that are not names: "The ...", "After ...", pronouns.
SENTENCE_OPENERS = frozenset(
    [
        "the",
        "a",
        "an",
        "on",
        "in",
        "at",
        "it",
        "this",
        "that",
        "he",
        "she",
        "they",
        "we",
        "after",
        "before",
        "but",
        "and",
        "during",
    ]
)


# Abbreviations common in news copy whose full stop ends no sentence ("Gen. Haftar", "Smith Jr. said").
ABBREVIATIONS = frozenset(
    ["no", "nos", "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "st", "gov", "sen", "rep", "jr", "sr", "approx", "est", "vs", "etc", "inc", "ltd", "co"]
)  # fmt: skip


def alternation(words) -> str:
    """A regex alternation of `words`, longest first (so "september" wins over "sep")."""
    return "|".join(sorted(words, key=lambda w: (-len(w), w)))


def jaccard(a: set, b: set) -> float:
    """Shared share of two sets (0 when either is empty)."""
    return len(a & b) / len(a | b) if a and b else 0.0
