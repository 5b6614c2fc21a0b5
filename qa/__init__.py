"""Grounded, cited answers from a collection of news articles.

from qa import Assistant
answer = Assistant().ask("how many people were beheaded at the al-Fugaha checkpoint?")

The front door is `api.Assistant`; the stages it runs, in order, are `conversation` (condense a
follow-up), `retrieval` (search and fuse, over `index_view`: the index as the stages see it),
`ranker/` or `reader/` (score each sentence), `abstention`, `answerers/` (extractive or llm) and
`verify` (with `citations`). Beside them: `language/` (question analysis, names and aliases),
`llm/` (the language-model backends), `config` (the settings), `templates` (the prompts),
`types`, `errors` and `cli`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa.config import Settings
from qa.errors import QAError
from qa.types import Answer, Citation

if TYPE_CHECKING:
    from qa.api import Assistant
    from qa.citations import split_markers

__all__ = ["Answer", "Assistant", "Citation", "QAError", "Settings", "split_markers"]


def __getattr__(name: str):
    # The Assistant's module graph (and the text analysis the citations use) is imported on first use, keeping `import qa` light.
    if name == "Assistant":
        from qa.api import Assistant

        return Assistant
    if name == "split_markers":
        from qa.citations import split_markers

        return split_markers
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
