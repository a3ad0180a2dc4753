"""Speech that says nothing: hesitation alone, or keys mashed. Heard, the caller is asked to
say it again (the fallback's list of what the line can do answers a question nobody asked)."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_HESITATION = frozenset(
    ["um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "eh", "hmm", "hm", "mm", "mmm"]
)
_GLUE = frozenset(["oh", "yeah", "yep", "ok", "okay", "so", "well", "like", "right"])
"""Said between hesitations they add nothing; said alone ("yeah") they answer something."""
_CONSONANTS = re.compile(r"[bcdfghjklmnpqrstvwxz]{5}")
_REPEATED = re.compile(r"(.)\1\1")


def _unword(word: str) -> bool:
    """No English word has no vowel (beyond a few we do not hear as requests), five consonants
    in a row or a letter three times over: "asdkjh", "jjjjjjj", "qwrt"."""
    return not re.search(r"[aeiouy]", word) or bool(_CONSONANTS.search(word) or _REPEATED.search(word))


def unheard(text: str) -> bool:
    """Nothing but hesitation ("Um... yeah... hmm."), or mostly letters that are no words
    ("asdkjh qwe ;;;; jjjjjjj"); a digit or an address is never noise."""
    if re.search(r"\d|@", text):
        return False
    said = _WORD.findall(text.lower())
    words = [w for w in said if w not in _HESITATION and w not in _GLUE]
    if not words:
        return any(w in _HESITATION for w in said) or not said
    return sum(map(_unword, words)) * 2 >= len(words)


def garbled(text: str) -> bool:
    """Some of it is no words at all ("the, um, ffft, grmbl the, the blah thing"): what was not
    understood is asked again, not answered with what the line can do."""
    words = _WORD.findall(text.lower())
    return any(len(w) > 3 and _unword(w) for w in words if w not in _HESITATION)  # "pls", "thx": words


_BAD_LINE = re.compile(
    r"\b(?:(?:you'?re|it'?s|you are|it is|line'?s|you keep|keeps?) (?:breaking|cutting) (?:up|out)"
    r"|(?:(?:a|the|this|it'?s a) )?(?:bad|terrible|awful|dodgy|crackly) (?:line|reception|signal|connection)"
    r"|(?:can'?t|cannot|couldn'?t) (?:hear|understand) (?:you|a (?:word|thing))|lost you|dropping out"
    r"|can you (?:still )?hear(?: me)?)\b",
    re.IGNORECASE,
)


_AROUND_IT = frozenset(
    "sorry hello hi what pardon again you the it it's is a an no yes in on at and can i i'm to of".split()  # noqa: SIM905
)


def bad_line(text: str) -> bool:
    """The caller says the line is bad ("it's breaking up", "I can't hear you") and little
    else: asked again. "Sorry, bad line. A two bedroom apartment in Bondi" is the apartment."""
    if not (m := _BAD_LINE.search(text)):
        return False
    around = re.sub(r"[—–-]\w+", " ", text[: m.start()] + " " + text[m.end() :])  # "—ursday": clipped
    rest = _WORD.findall(around.lower())
    said = [w for w in rest if w not in _HESITATION | _GLUE | _AROUND_IT]
    return len(said) < 3 or garbled(text)
