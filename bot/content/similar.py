"""Near-duplicate questions across files and domains: the same question, with the same answer, in
other words.

Each item becomes a bag of content words (lowercased, stopwords dropped, lightly stemmed) from its prompt
and its answer (the correct choice, the short answer, or the key points and model answer), weighted by
TF-IDF over the items compared (so compare against the whole bank: a handful of items gives no useful
weights). Two items are near-duplicates when both their prompts and their answers are similar (cosine): a
shared topic alone gives similar words in one but not both; a shared stem ("What is the main drawback
of ...") gives similar prompts with different answers. Multiple choice and short answer are compared among
themselves, the explained kinds among themselves. Numbers are left out: a rewording changes them first.
Pure Python: an inverted index over the prompts only scores pairs that share a word.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.content.item import Item
from bot.content.vocabulary import Kind

#: a pair is a near-duplicate when its prompts have at least this cosine ...
SIMILAR_PROMPT = 0.25
#: ... and its answers at least this one
SIMILAR_ANSWER = 0.40
#: a multiple-choice explanation says why, so it counts, but less than the answer itself
EXPLANATION_WEIGHT = 0.5
#: the model answer is long; it counts this much less than the prompt and the key points
MODEL_ANSWER_WEIGHT = 0.5

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can cannot could did do does doing don't down during each either else even
    ever every few for from further get gets got had has have having he her here hers him his how however
    i if in into is isn't it its itself just least less let like make makes many may me might more most
    much must my need needs no nor not now of off often on once one only or other others otherwise our
    ours out over own per rather really same say says see seem seems shall she should since so some such
    than that the their theirs them then there these they thing things this those though through thus to
    too two under until up upon us use used uses using very via was we well were what when where whether
    which while who whom whose why will with within without would yes yet you your yours
    answer answers ask asked choose describe explain give given happens instead name pick
    question say tell true false walk whats
    """.split()
)

#: quiz kinds are compared with quiz kinds, explained kinds with explained kinds: a quiz item that checks
#: one point of an interview question is not its duplicate
ANSWERED_KINDS = frozenset({Kind.MULTIPLE_CHOICE, Kind.SHORT_ANSWER})

#: words start with a letter ("l1", "fp16" and "c++" are words); bare numbers are not words, since they are
#: the first thing a rewording changes ("9,000 images" -> "40,000 X-rays")
_WORD = re.compile(r"[a-z][a-z0-9+#]*(?:'[a-z]+)?")
_SUFFIXES = (
    ("ational", "ate"), ("ization", "ize"), ("isation", "ize"), ("ations", "ate"), ("ation", "ate"),
    ("nesses", ""), ("ness", ""), ("ities", ""), ("ity", ""), ("ments", ""), ("ment", ""),
    ("ingly", ""), ("edly", ""), ("ings", ""), ("ing", ""), ("ised", "ize"), ("ized", "ize"),
    ("ises", "ize"), ("izes", "ize"), ("ise", "ize"), ("ies", "y"), ("ied", "y"), ("ly", ""),
    ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"), ("ed", ""), ("s", ""),
)


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix strip (not Porter): one suffix, then a final 'e', so 'regularised', 'regularizes' and
    'regularisation' meet, as do 'estimate', 'estimates', 'estimated' and 'estimation'. Short words and
    words with digits are left alone."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: -len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def content_words(text: str) -> list[str]:
    words = (w.removesuffix("'s") for w in _WORD.findall(text.casefold()))
    return [stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


def answer_text(item: Item) -> list[tuple[str, float]]:
    """What the item's answer says, with the weight each part counts for."""
    parts: list[tuple[str, float]] = []
    if item.kind in ANSWERED_KINDS and item.answer:
        parts.append((item.answer, 1.0))
    if item.kind in ANSWERED_KINDS and item.explanation:
        parts.append((item.explanation, EXPLANATION_WEIGHT))
    parts += [(k, 1.0) for k in item.key_points or ()]
    if item.model_answer:
        parts.append((item.model_answer, MODEL_ANSWER_WEIGHT))
    return parts


@dataclass(frozen=True)
class Pair:
    first: int
    second: int
    prompt_score: float  # cosine of the prompts
    answer_score: float  # cosine of the answers

    @property
    def score(self) -> float:
        """One number to rank by: the geometric mean of the two cosines."""
        return math.sqrt(max(0.0, self.prompt_score) * max(0.0, self.answer_score))

    @property
    def flagged(self) -> bool:
        return self.prompt_score >= SIMILAR_PROMPT and self.answer_score >= SIMILAR_ANSWER


def _tf(count: float) -> float:
    """Sublinear term frequency; a word seen only in a down-weighted part keeps that part's weight."""
    return 1 + math.log(count) if count >= 1 else count


def _vectors(bags: Sequence[dict[str, float]]) -> list[dict[str, float]]:
    """Unit TF-IDF vectors over these bags (smoothed idf: a word in every bag still counts a little)."""
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    idf = {w: math.log((1 + n) / (1 + d)) + 0.1 for w, d in df.items()}
    out: list[dict[str, float]] = []
    for bag in bags:
        vec = {w: _tf(c) * idf[w] for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        out.append({w: v / norm for w, v in vec.items()} if norm else {})
    return out


def _cosines(vectors: Sequence[dict[str, float]], floor: float) -> dict[tuple[int, int], float]:
    """Cosines of every pair (i < j) sharing a word, kept when at least `floor`."""
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, vec in enumerate(vectors):
        for w, v in vec.items():
            postings.setdefault(w, []).append((i, v))
    out: dict[tuple[int, int], float] = {}
    for i, vec in enumerate(vectors):
        acc: dict[int, float] = {}
        for w, v in vec.items():
            for j, u in postings[w]:
                if j > i:
                    acc[j] = acc.get(j, 0.0) + v * u
        out.update(((i, j), s) for j, s in acc.items() if s >= floor)
    return out


def _bag(parts: Iterable[tuple[str, float]]) -> dict[str, float]:
    bag: dict[str, float] = {}
    for text, weight in parts:
        for w in content_words(text):
            bag[w] = bag.get(w, 0.0) + weight
    return bag


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def similar_pairs(items: Sequence[Item], prompt_floor: float = SIMILAR_PROMPT) -> list[Pair]:
    """Pairs whose prompts have cosine >= `prompt_floor`, with their answer cosine, best first."""
    prompts = _vectors([_bag([(it.prompt, 1.0)]) for it in items])
    answers = _vectors([_bag(answer_text(it)) for it in items])
    quiz = [it.kind in ANSWERED_KINDS for it in items]
    pairs = [Pair(i, j, score, _dot(answers[i], answers[j]))
             for (i, j), score in _cosines(prompts, prompt_floor).items() if quiz[i] == quiz[j]]
    pairs.sort(key=lambda p: (-p.score, p.first, p.second))
    return pairs


def near_duplicates(items: Sequence[Item]) -> list[Pair]:
    """The flagged pairs (see SIMILAR_PROMPT and SIMILAR_ANSWER), best first."""
    return [p for p in similar_pairs(items) if p.flagged]
