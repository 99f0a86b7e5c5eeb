"""Words mistyped by one letter, read as the known word they misspell.

A closed vocabulary (trade words, legal forms) is indexed by each word with one letter deleted (a
symmetric-deletion index: two words one edit apart share a key), so a word of a name is checked in a
few dictionary look-ups, not against every known word. Used by `normalise` on names ("Clothidg" ->
"clothing", "Limitted" -> "limited").
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import OSA


def _deletions(word: str) -> set[str]:
    return {word} | {word[:position] + word[position + 1 :] for position in range(len(word))}


class OneEditCorrector:
    """Reads a word as the one known word it misspells by one letter inserted, dropped, replaced or two
    letters swapped; words shorter than `shortest`, known words, words near two known words and the
    singular or plural of a known word ("holding" beside "holdings") are left as written. A word one
    letter shorter than `shortest` is read only as a known word `shortest` letters long or longer that
    it drops a letter of ("garmnt" -> "garment"): a short word is more often a word of its own than a
    short known word mistyped."""

    def __init__(self, known: Iterable[str], shortest: int) -> None:
        self.known = frozenset(known)
        self.shortest = shortest
        self.index: dict[str, set[str]] = {}
        for word in self.known:
            for key in _deletions(word):
                self.index.setdefault(key, set()).add(word)

    def corrected(self, word: str) -> str:
        """`word`, or the known word it misspells (see the class docstring)."""
        if len(word) < self.shortest - 1 or not word.isalpha() or word in self.known:
            return word
        near = {candidate for key in _deletions(word) for candidate in self.index.get(key, ())}
        near = {
            candidate
            for candidate in near
            if OSA.distance(word, candidate) == 1
            and word + "s" != candidate
            and candidate + "s" != word
            and max(len(word), len(candidate)) >= self.shortest
        }
        return near.pop() if len(near) == 1 else word
