"""Control characters and terminal escape sequences, removed from text that reaches a terminal or a title.

Article text and questions can hold them ("\x1b[2J" clears a screen); the CLI, the catalog's
titles and the question cleaner share these two patterns.
"""

from __future__ import annotations

import re

# Terminal escape sequences, whole: "\x1b[2J" clears the screen, "\x1b]0;...\x07" sets a window title.
ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI: colours, cursor moves, clearing
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS and other strings
    r"|\x1b[ -/]*[0-~]?"  # the rest ("\x1bc" resets the terminal)
)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def without_controls(text: str, replacement: str = "", keep: str = "") -> str:
    """`text` without escape sequences, and each other control character but those in `keep` replaced."""
    return CONTROL.sub(lambda m: m.group() if m.group() in keep else replacement, ESCAPE.sub("", text))
