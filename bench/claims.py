"""Claims made from question-answer data, true and false, for the verification benchmark and the judge's fit.

One generator serves both, so the judge is fitted on the kinds of claim the benchmark reports
(on other articles). A true claim is the answer's clause, the question rewritten as a
statement with its answer, or either reworded (clauses reordered, a synonym, the passive);
a false one changes a number or a date, puts in another name (from elsewhere or from the
same paragraph), swaps two names, adds a negation, or is cited to a paragraph that does not
say it.
"""

from __future__ import annotations

import random
import re

from index.analysis import fold, sentence_spans

NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:of|de|von|van|the|and)?\s*[A-Z][\w'’-]*)*")
_AUX = r"(?:did|does|do|was|were|is|are|has|have|had|can|could|will|would)"
_WH = r"(?:who|whom|whose|what|which|when|where|why|how(?: many| much| long| often| far| old| large)?)"
_OPENER = r"(?:In|On|At|After|Before|During|By|Since|While|When|Following|Although|As|From|Under|With|Despite)"
_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December"]  # fmt: skip
# Words a writer swaps for one another without changing what a sentence says.
SYNONYMS = {
    "said": "stated", "stated": "said", "began": "started", "started": "began", "begin": "start", "start": "begin",
    "large": "big", "big": "large", "largest": "biggest", "biggest": "largest", "small": "little",
    "built": "constructed", "constructed": "built", "received": "got", "important": "significant",
    "used": "employed", "became": "grew into", "created": "made", "called": "named", "named": "called",
    "founded": "established", "established": "founded", "died": "passed away", "attacked": "struck",
    "announced": "declared", "claimed": "asserted", "helped": "assisted", "needed": "required",
    "shows": "demonstrates", "showed": "demonstrated", "many": "numerous", "several": "a number of",
    "often": "frequently", "about": "around", "approximately": "roughly", "near": "close to", "because": "since",
    "ended": "finished", "finished": "ended", "won": "took", "located": "situated", "major": "leading",
    "country": "nation", "nation": "country", "city": "town", "people": "persons", "however": "yet",
    "also": "as well", "known": "recognised", "famous": "well known", "main": "principal", "chief": "main",
    "quickly": "rapidly", "rapidly": "quickly", "increased": "rose", "rose": "increased", "fell": "dropped",
    "decreased": "fell", "bought": "purchased", "purchased": "bought", "sold": "traded", "leader": "head",
    "government": "administration", "killed": "left dead", "wanted": "sought", "tried": "attempted",
    "allowed": "permitted", "permitted": "allowed", "ruled": "governed", "governed": "ruled",
}  # fmt: skip


def clause(context: str, start: int, end: int, min_words: int = 7) -> str | None:
    """The clause of the answer's sentence that holds the answer (grown to `min_words` words)."""
    spans = sentence_spans(context)
    s0, s1 = next(((a, b) for a, b in spans if a <= start < b), (None, None))
    if s0 is None or end > s1:
        return None
    cuts = [s0, *(s0 + m.end() for m in re.finditer(r"[;:]\s+|,\s+|\s+[–—]\s+", context[s0:s1])), s1]
    first = max(i for i, c in enumerate(cuts[:-1]) if c <= start)
    last = min(i for i, c in enumerate(cuts) if c >= end)
    while len(context[cuts[first] : cuts[last]].split()) < min_words and (first > 0 or last < len(cuts) - 1):
        if first > 0:
            first -= 1
        if len(context[cuts[first] : cuts[last]].split()) < min_words and last < len(cuts) - 1:
            last += 1
    text = context[cuts[first] : cuts[last]].strip().rstrip(",;:–— ")
    return _sentence(text)


def statement(question: str, answer: str) -> str:
    """The question as a statement holding the answer, by rule (clumsy at times, on purpose kept so)."""
    q = " ".join(question.strip().rstrip("?").split())
    subject = re.match(rf"(?i)^({_WH})(\s+\w+)?\s+(?!{_AUX}\b)(\w+)\s+(.*)$", q)
    inverted = re.match(rf"(?i)^({_WH})(\s+\w+)?\s+({_AUX})\s+(.*)$", q)
    if inverted:
        wh, aux, rest = inverted.group(1).lower(), inverted.group(3).lower(), inverted.group(4)
        if aux in ("did", "does", "do"):
            joiner = {"when": "in", "where": "in", "why": "because of", "how": "by"}.get(wh, "—")
            text = f"{rest} {joiner} {answer}"
        else:
            text = f"{rest} {aux} {answer}"
    elif subject:
        text = f"{answer} {subject.group(3)} {subject.group(4)}"
    else:
        text = f"{q}: {answer}"
    return text[:1].upper() + text[1:] + "."


def change_number(claim: str, rng: random.Random) -> str | None:
    match = next(iter(re.finditer(r"\b\d[\d,]*\b", claim)), None)
    if match:
        value = int(match.group().replace(",", ""))
        new = value + rng.choice([1, 2, 3, 5, 7, 10, 12]) * rng.choice([-1, 1])
        new = new if new > 0 and new != value else value + 11
        return claim[: match.start()] + str(new) + claim[match.end() :]
    for word in NUMBER_WORDS:
        found = re.search(rf"\b{word}\b", claim, re.I)
        if found:
            other = rng.choice([w for w in NUMBER_WORDS if w != word])
            return claim[: found.start()] + other + claim[found.end() :]
    return None


def is_name(text: str) -> bool:
    return bool(text[:1].isupper()) and not re.search(r"\d", text)


def swap(claim: str, answer: str, replacement: str) -> str | None:
    at = claim.find(answer)
    if at < 0 or not replacement or fold(replacement) == fold(answer):
        return None
    return claim[:at] + replacement + claim[at + len(answer) :]


def local_names(context: str, answer: str, claim: str) -> list[str]:
    """Names in the paragraph other than the answer and not already in the claim: the hard replacements."""
    return [
        m.group() for m in NAME.finditer(context)
        if fold(m.group()) not in fold(answer) and fold(answer) not in fold(m.group())
        and m.group() not in claim and m.start() > 0 and len(m.group()) > 2
    ]  # fmt: skip


# --- rewordings that keep the meaning -----------------------------------------------------------------------


def reorder(claim: str) -> str | None:
    """An opening phrase moved to the end: "In 1066, the Normans invaded." -> "The Normans invaded in 1066."."""
    m = re.match(rf"^({_OPENER}\b[^,]{{2,70}}),\s+(.+?)([.!?])$", claim)
    if not m:
        return None
    opener, rest, end = m.groups()
    return rest[:1].upper() + rest[1:] + " " + opener[:1].lower() + opener[1:] + end


def synonyms(claim: str, rng: random.Random, most: int = 2) -> str | None:
    """Up to `most` words swapped for a synonym."""
    found = [m for m in re.finditer(r"\b[a-z]+\b", claim) if m.group() in SYNONYMS]
    if not found:
        return None
    chosen = sorted(rng.sample(found, min(most, len(found))), key=lambda m: m.start(), reverse=True)
    for m in chosen:
        claim = claim[: m.start()] + SYNONYMS[m.group()] + claim[m.end() :]
    return claim


def passive(claim: str, answer: str) -> str | None:
    """ "ANSWER founded the city." -> "The city was founded by ANSWER." (regular past tenses only)."""
    m = re.match(rf"^{re.escape(answer)}\s+([a-z]+ed)\s+(.+?)[.!?]$", claim)
    if not m or m.group(1) in ("needed", "used"):
        return None
    verb, rest = m.groups()
    return rest[:1].upper() + rest[1:] + f" was {verb} by {answer}."


# --- contradictions that keep the words ---------------------------------------------------------------------


def negate(claim: str) -> str | None:
    """A "not" after the first auxiliary, or a "never" before the first past tense."""
    aux = re.search(r"\b(is|was|were|are|has|have|had|can|could|will|would)\b", claim)
    if aux:
        return claim[: aux.end()] + " not" + claim[aux.end() :]
    verb = next((m for m in re.finditer(r"\b[a-z]{3,}ed\b", claim) if m.start() > 0), None)
    return claim[: verb.start()] + "never " + claim[verb.start() :] if verb else None


def swap_names(claim: str) -> str | None:
    """The first two different names of the claim trade places (who did what to whom)."""
    found = [m for m in NAME.finditer(claim) if m.start() > 0 or not re.match(r"(The|A|An|In|On)\b", m.group())]
    found = [m for m in found if len(m.group()) > 2]
    first = found[0] if found else None
    second = next((m for m in found[1:] if fold(m.group()) != fold(first.group())), None) if first else None
    if second is None:
        return None
    return (
        claim[: first.start()] + second.group() + claim[first.end() : second.start()] + first.group()
        + claim[second.end() :]
    )  # fmt: skip


def change_date(claim: str, rng: random.Random) -> str | None:
    """A year moved by a few years, or a month changed to another."""
    year = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", claim)
    if year:
        new = int(year.group()) + rng.choice([-10, -5, -3, -2, -1, 1, 2, 3, 5, 10])
        return claim[: year.start()] + str(new) + claim[year.end() :]
    month = re.search(r"\b(" + "|".join(_MONTH_NAMES) + r")\b", claim)
    if month:
        other = rng.choice([m for m in _MONTH_NAMES if m != month.group()])
        return claim[: month.start()] + other + claim[month.end() :]
    return None


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


# --- RealTime QA ----------------------------------------------------------------------------------------------


def realtimeqa_claims(path, since: str = "", until: str = "9999") -> list[dict]:
    """Quizzes dated in [since, until) whose correct choice stands in the evidence: the question with its
    correct choice (`true`) and with each wrong choice (`false`), the evidence (links as plain text), the
    character where the correct choice stands in it, and the date."""
    import gzip
    import json

    out = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            date = row["question_date"].replace("/", "-")
            evidence = " ".join(re.sub(r"<[^>]+>", "", row.get("evidence") or "").split())
            if not (since <= date < until) or not evidence:
                continue
            right = int(row["answer"][0])
            choice = row["choices"][right]
            at = evidence.lower().find(choice.lower())
            if at < 0 or not choice.strip():
                continue
            wrong = [c for k, c in enumerate(row["choices"]) if k != right and c.strip()]
            question = row["question_sentence"]
            out.append({
                "date": date, "evidence": evidence, "at": at, "true": statement(question, choice),
                "false": [statement(question, c) for c in wrong],
            })  # fmt: skip
    return out
