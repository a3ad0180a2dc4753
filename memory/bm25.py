"""Okapi BM25 over a small set of texts (one caller's turns), with Snowball stemming.

RediSearch inside FalkorDB scores by TF-IDF and keeps most stop words ("what", "my",
"did"), so its ranking of a caller's turns fell well below a textbook BM25 on the same
text (docs/memory.md, "Search"). A caller's history is a few hundred turns: scoring them
here costs about a millisecond and needs no index.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import Stemmer

K1 = 1.2
B = 0.75

_STOPWORDS = """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just let me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    s t ll re ve d m oh yeah yes ok okay um uh hmm well really actually just like"""
STOPWORDS = frozenset(_STOPWORDS.split())
"""English function words, and the fillers of speech, that say nothing about a topic."""

_WORD = re.compile(r"[a-z0-9]+")
_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def terms(text: str) -> list[str]:
    """Lower-cased, stop words dropped, stemmed ("running" and "runs" are one term)."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def scores(query: str, texts: Sequence[str]) -> list[float]:
    """BM25 of each text for ``query``, with the texts themselves as the corpus."""
    wanted = set(terms(query))
    if not wanted or not texts:
        return [0.0] * len(texts)
    docs = [Counter(terms(t)) for t in texts]
    n = len(docs)
    average = sum(sum(d.values()) for d in docs) / n or 1.0
    df = {w: sum(1 for d in docs if w in d) for w in wanted}
    idf = {w: math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5)) for w in wanted if df[w]}
    out: list[float] = []
    for d in docs:
        length = sum(d.values())
        s = 0.0
        for w, weight in idf.items():
            tf = d.get(w, 0)
            if tf:
                s += weight * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
        out.append(s)
    return out
