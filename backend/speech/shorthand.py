"""Chat shorthand written out ("cd u show me", "pls"), so that a typed turn reads as the same
words said: every reader and the router take one spelling."""

from __future__ import annotations

import re

_WORDS = {
    "cd": "could", "cn": "can", "wd": "would", "u": "you", "ur": "your", "pls": "please",
    "plz": "please", "thx": "thanks", "thnx": "thanks", "thanx": "thanks", "ty": "thank you",
    "gr8": "great", "cya": "see you", "tmrw": "tomorrow", "tmr": "tomorrow", "b4": "before",
    "actly": "actually", "wat": "what", "wats": "what's", "tho": "though",
}  # fmt: skip
_SHORTHAND = re.compile(rf"(?<![\w@.'/-])({'|'.join(_WORDS)})(?![\w@'/-]|\.\w)", re.IGNORECASE)
"""A whole word only: not part of an email ("u@x.com"), an address ("3/4") or a contraction."""


def written_out(text: str) -> str:
    return _SHORTHAND.sub(lambda m: _WORDS[m.group(1).lower()], text)
