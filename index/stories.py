"""Copies of one report, and boilerplate that is not news: both decided by paragraph fingerprints.

Wire copy (AP, Reuters, AFP) is republished verbatim by many outlets, each adding its own
footer. Articles that share most of their paragraphs are copies of one *story*: they are
grouped, never deleted. Templated stories share most of their paragraphs too ("The Dunmere
district number 42 approved a budget of 546 thousand euros" beside the same sentences about the
vote), but a paragraph of one is a look-alike of a paragraph of the other that states other
numbers or dates: such articles report different things and are never one story. A paragraph
counts as boilerplate (a publisher's blurb) only when it repeats across stories that otherwise
differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from index.clean import LOOKALIKE
from index.lexicon import jaccard


def lookalikes(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether a paragraph of one article is the same wording as one of the other's with other numbers or dates."""
    a, b = set(a), set(b)
    masked = {fp.partition(LOOKALIKE)[2] for fp in a - b} - {""}
    return bool(masked & {fp.partition(LOOKALIKE)[2] for fp in b - a})


def assign_stories(
    new: Mapping[str, set[str]], known: Mapping[str, tuple[set[str], str]], threshold: float
) -> dict[str, str]:
    """Story id for each new article: the story of an indexed or new article it copies, else its own id.

    `new`: article id -> fingerprints (in batch order); `known`: indexed article id ->
    (fingerprints, story). A story is named after its first article. An article is no copy of
    one it has a look-alike paragraph with, however much else they share.
    """
    stories: dict[str, str] = {}
    seen = dict(known)
    for article_id, fingerprints in new.items():
        best = max(
            (
                (jaccard(fingerprints, fps), story)
                for other, (fps, story) in seen.items()
                if other != article_id and not lookalikes(fingerprints, fps)
            ),
            default=(0.0, article_id),
        )
        story = best[1] if best[0] > threshold else article_id  # most, not half
        stories[article_id] = story
        seen[article_id] = (fingerprints, story)
    return stories


def repeated(stories_by_fingerprint: Mapping[str, set[str]], at_least: int) -> set[str]:
    """Fingerprints of paragraphs printed in at least `at_least` different stories: publisher blurbs."""
    return {fp for fp, stories in stories_by_fingerprint.items() if len(stories) >= at_least}
