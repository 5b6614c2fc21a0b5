"""Question and passage as the reader's input windows: word pieces, the characters each covers, padding.

Fitting and answering share this one function, so the model is read at answer time exactly as
it was trained. A passage longer than one window is read in overlapping windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_TOKENS = 256  # a window: [CLS] question [SEP] passage [SEP]
QUESTION_TOKENS = 64  # a longer question is cut here
STRIDE = 96  # word pieces two windows of one long passage share
PAD_TO = 32  # window lengths are rounded up to a multiple of this (fewer distinct shapes to compile)


@dataclass(frozen=True)
class Window:
    """One window of one passage: token ids, and for each token the passage characters it covers.

    `offsets[i]` is (start, end) in the passage text for a passage token the answer may lie
    in, and (-1, -1) for the question, special tokens, padding and read-only context.
    """

    ids: np.ndarray
    types: np.ndarray
    offsets: np.ndarray

    @property
    def length(self) -> int:
        return int(self.ids.shape[0])


def windows(tokenizer, question: str, text: str, answer_from: int = 0) -> list[Window]:
    """The windows reading `question` against `text`; answers may start at `answer_from` or later.

    Text before `answer_from` (the end of the paragraph before, say) is read as context only.
    """
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    q_ids = tokenizer.encode(question, add_special_tokens=False).ids[:QUESTION_TOKENS]
    passage = tokenizer.encode(text, add_special_tokens=False)
    p_ids, p_offsets = passage.ids, passage.offsets
    room = MAX_TOKENS - len(q_ids) - 3
    out = []
    start = 0
    while True:
        piece = slice(start, start + room)
        ids = [cls, *q_ids, sep, *p_ids[piece], sep]
        types = [0] * (len(q_ids) + 2) + [1] * (len(ids) - len(q_ids) - 2)
        offsets = [(-1, -1)] * (len(q_ids) + 2)
        offsets += [(a, b) if a >= answer_from else (-1, -1) for a, b in p_offsets[piece]]
        offsets.append((-1, -1))
        out.append(
            Window(np.array(ids, dtype=np.int64), np.array(types, dtype=np.int64), np.array(offsets, dtype=np.int64))
        )
        if start + room >= len(p_ids):
            return out
        start += room - STRIDE


def batch(items: list[Window]) -> dict[str, np.ndarray]:
    """Windows padded to one length (a multiple of PAD_TO) as the model's input arrays."""
    width = -(-max(w.length for w in items) // PAD_TO) * PAD_TO
    ids = np.zeros((len(items), width), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for i, w in enumerate(items):
        ids[i, : w.length] = w.ids
        types[i, : w.length] = w.types
        mask[i, : w.length] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def answer_mask(items: list[Window], width: int) -> np.ndarray:
    """True where a window's token may start or end an answer."""
    mask = np.zeros((len(items), width), dtype=bool)
    for i, w in enumerate(items):
        mask[i, : w.length] = w.offsets[:, 0] >= 0
    return mask


def best_span(start: np.ndarray, end: np.ndarray, allowed: np.ndarray, max_tokens: int) -> tuple[int, int, float]:
    """The highest-scoring (start token, end token, score) with start <= end < start + max_tokens."""
    s = np.where(allowed, start, -np.inf)
    e = np.where(allowed, end, -np.inf)
    pair = s[:, None] + e[None, :]
    n = len(s)
    rows, cols = np.indices((n, n))
    pair[(cols < rows) | (cols >= rows + max_tokens)] = -np.inf
    i, j = np.unravel_index(int(np.argmax(pair)), pair.shape)
    return int(i), int(j), float(pair[i, j])
