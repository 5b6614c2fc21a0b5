"""Text analysis shared by indexing and querying: search text, word tokens, sentence spans."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from index.lexicon import ABBREVIATIONS, MONTHS, NUMBER_WORDS, WEEKDAYS, alternation

_HASHTAG = re.compile(r"#(\w+)")
_MARKDOWN = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)|[*_`]{1,3}(?=\S)|(?<=\S)[*_`]{1,3}")
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def search_text(paragraph: str) -> str:
    """What is embedded and keyword-indexed: hashtags read as words, Markdown marks dropped.

    `#Al_Jufrah` becomes `Al Jufrah`; the paragraph shown and quoted stays untouched.
    """
    text = _HASHTAG.sub(lambda m: m.group(1).replace("_", " "), paragraph)
    text = _MARKDOWN.sub("", text)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower case without diacritics or possessive endings."""
    word = unicodedata.normalize("NFKD", word.lower())
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    return re.sub(r"['’]s$", "", word).replace("’", "'")


def words(text: str) -> list[str]:
    """The words of `text` as written (hashtags and underscores split)."""
    return _WORD.findall(search_text(text).replace("_", " "))


def tokenize(text: str) -> list[str]:
    """Keyword tokens: folded, stop words dropped, stemmed. Used for documents and queries alike."""
    stem = _stemmer()
    stop = stopwords()
    return [stem(w) for w in (fold(w) for w in words(text)) if w not in stop]


def content_words(text: str) -> list[str]:
    """Folded words of `text` that are not stop words (unstemmed)."""
    stop = stopwords()
    return [w for w in (fold(w) for w in words(text)) if w not in stop]


def stem(word: str) -> str:
    return _stemmer()(fold(word))


# Function words: never key terms of a question, never keyword tokens. One list serves
# indexing, question analysis and follow-up resolution alike. "may" and "us" are left out
# on purpose: folded, they are also the month and the country.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "for",
        "from",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "no",
        "not",
        "of",
        "on",
        "or",
        "so",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "were",
        "will",
        "with",
        "do",
        "does",
        "did",
        "done",
        "has",
        "have",
        "had",
        "having",
        "can",
        "could",
        "would",
        "should",
        "might",
        "must",
        "shall",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "which",
        "why",
        "how",
        "many",
        "much",
        "al",
        "el",
    ]
)
# Auxiliary verbs: in a question they sit between the wh-word and the verb that matters.
AUXILIARIES = frozenset(
    ["did", "does", "do", "was", "were", "is", "are", "has", "have", "had", "will", "would", "can", "could"]
)


def stopwords() -> frozenset[str]:
    return STOPWORDS


@cache
def _stemmer():
    """Irregular forms to their lemma first (met -> meet, fled -> flee), then the Snowball English stemmer.

    The irregular forms are a small table (index/irregular.txt): a full lemmatiser's dictionary
    takes half a second to load, which a one-shot question cannot afford.
    """
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    irregular = _irregular()
    memo: dict[str, str] = {}

    def stem_word(word: str) -> str:
        if word not in memo:
            memo[word] = stemmer.stemWord(irregular.get(word, word))
        return memo[word]

    return stem_word


def _irregular() -> dict[str, str]:
    table = {}
    for line in (Path(__file__).with_name("irregular.txt")).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            table[parts[0]] = parts[1]
    return table


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, trimmed of surrounding white space."""
    return trim_spans(text, _pieces_spans(text))


def trim_spans(text: str, spans) -> list[tuple[int, int]]:
    """The spans without their surrounding white space; spans of white space only are left out."""
    out = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


_PIECE = 20_000  # Punkt's patterns slow down on one huge unbroken paragraph; it reads it in pieces this long


def _pieces_spans(text: str):
    """Punkt's sentence spans, read a piece at a time; a piece ends after a full stop and a space."""
    start = 0
    while start < len(text):
        end = len(text)
        if end - start > _PIECE:
            cut = max(text.rfind(". ", start, start + _PIECE), text.rfind("\n", start, start + _PIECE))
            end = cut + 1 if cut > start else start + _PIECE
        for a, b in _punkt().span_tokenize(text[start:end]):
            yield start + a, start + b
        start = end


@cache
def _punkt():
    """Punkt for English, from the model data that llama-index ships (no download)."""
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    spec = importlib.util.find_spec("llama_index.core")
    if spec and spec.submodule_search_locations:
        cache_dir = Path(next(iter(spec.submodule_search_locations))) / "_static" / "nltk_cache"
        if str(cache_dir) not in nltk.data.path:
            nltk.data.path.insert(0, str(cache_dir))
    tokenizer = PunktTokenizer("english")
    # The news abbreviations Punkt's model would take for sentence ends.
    tokenizer._params.abbrev_types.update(ABBREVIATIONS)
    return tokenizer


def capitalised_names(text: str) -> list[tuple[str, str]]:
    """(sound key, folded spelling) of each capitalised word: the corpus's names, for spelling variants."""
    found = []
    for word in words(text):
        key = name_key(word) if word[:1].isupper() else None
        if key:
            found.append((key, fold(word)))
    return found


def name_key(word: str) -> str | None:
    """A sound key for transliterated names: Fugaha ~ Fuqaha, Uqaylah ~ Ogaila.

    Metaphone of the folded word, with any leading vowel written as A (transliterations
    disagree most on vowels). None for words too short to key safely.
    """
    import jellyfish

    folded = fold(word)
    if len(folded) < 4 or not folded.isalpha():
        return None
    key = jellyfish.metaphone(folded)
    if folded[0] in "aeiouy":
        key = "A" + key[1:]
    return key if len(key) >= 3 else None


# Words stating a number or a date: a look-alike paragraph that changes one of them says something else.
_SCALES = ("hundred", "thousand", "million", "billion", "trillion")
_NUMERAL = re.compile(
    r"\d+(?:[.,:/-]\d+)*"
    rf"|\b(?:{alternation(w for w in NUMBER_WORDS if w not in _SCALES)}|half|dozens?"
    rf"|(?:{alternation(_SCALES)})s?|{alternation(MONTHS)}|{alternation(WEEKDAYS)})\b",
    re.I,
)


def numerals(text: str) -> list[str]:
    """The numbers and dates `text` states, folded: "546", "24", "july", "eleven"."""
    return [m.group().casefold() for m in _NUMERAL.finditer(text)]


def without_numerals(text: str) -> str:
    """`text` with each number and date written "#": look-alikes differing only in those read the same."""
    return _NUMERAL.sub("#", text)


def facts(text: str) -> frozenset[str]:
    """What a paragraph states that a look-alike could change: its numbers, dates and capitalised names.

    Two paragraphs are copies of one report only when their facts agree. Names are keyed by
    sound, so transliterations agree (Fugaha, Fuqaha); a capitalised function word (The, It)
    is no name, a word in capitals (IS, US) is.
    """
    found = {f"#{n}" for n in numerals(text)}
    for word in words(without_numerals(text)):
        if not word[:1].isupper():
            continue
        folded = fold(word)
        if folded in STOPWORDS and not (len(word) > 1 and word.isupper()):
            continue
        found.add(name_key(word) or folded)
    return frozenset(found)
