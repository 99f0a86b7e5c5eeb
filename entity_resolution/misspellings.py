"""Words mistyped by one letter, read as the known word they misspell.

A closed vocabulary (trade words, legal forms) is indexed by each word with one letter deleted (a
symmetric-deletion index: two words one edit apart share a key), so a word of a name is checked in a
few dictionary look-ups, not against every known word. Used by `normalise` on names ("Clothidg" ->
"clothing", "Limitted" -> "limited").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rapidfuzz.distance import OSA


def _deletions(word: str) -> set[str]:
    return {word} | {word[:position] + word[position + 1 :] for position in range(len(word))}


class OneEditCorrector:
    """Reads a word as the one known word it misspells by one letter inserted, dropped, replaced or two
    letters swapped; words shorter than `shortest`, known words, words near two known words and the
    singular or plural of a known word ("holding" beside "holdings") are left as written. A word one
    letter shorter than `shortest` is read only as a known word `shortest` letters long or longer that
    it drops a letter of ("garmnt" -> "garment"): a short word is more often a word of its own than a
    short known word mistyped. Two known words one letter apart that `meaning` maps to one word count
    as one: "garmetn" is one letter from both "garmen" (Indonesian) and "garment"."""

    def __init__(self, known: Iterable[str], shortest: int, meaning: Mapping[str, str] | None = None) -> None:
        self.known = frozenset(known)
        self.shortest = shortest
        self.meaning = meaning or {}
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
        if len(near) == 1 or self._one_word_in_two_spellings(near):
            return min(near)
        return word

    def _one_word_in_two_spellings(self, near: set[str]) -> bool:
        """Two known words one letter apart that mean the same ("garmen", "garment"): a word one letter
        from both misspells that word. Two further apart ("electric", "electrical") may both be near
        a word of another language ("electrica"), which is left as written."""
        if len(near) != 2 or len({self.meaning.get(candidate, candidate) for candidate in near}) != 1:
            return False
        first, second = near
        return OSA.distance(first, second) == 1


class PhraseWordCorrector:
    """A word of a known phrase of two or more words mistyped by one letter, with the phrase's other
    words beside it exactly as known, read as the word it misspells: "conu ty tnhh" -> "cong ty tnhh",
    "co ltdd" -> "co ltd", "cong ty nthh" -> "cong ty tnhh". The exact neighbours are what makes a
    short word safe to correct, where `OneEditCorrector` alone would not dare ("ltdd" alone stays).

    A word is corrected only when it is made of letters, is no word of any phrase nor one of `keep`,
    and misspells a word of three or more letters, or of two letters inside a phrase of three or more
    words ("cong tu tnhh"): a lone letter or a two-letter word beside one other word ("s a", "co ltd")
    is too often a word of its own."""

    def __init__(self, phrases: Iterable[str], keep: Iterable[str] = ()) -> None:
        split = [phrase.split() for phrase in phrases]
        self.words = frozenset(word for words in split for word in words)
        self.keep = frozenset(keep)
        self.slots: dict[tuple[str, ...], set[str]] = {}  # a phrase with one word left out: that word
        for words in (words for words in split if len(words) >= 2):
            for position, word in enumerate(words):
                if len(word) >= 3 or (len(word) == 2 and len(words) >= 3):
                    self.slots.setdefault((*words[:position], "", *words[position + 1 :]), set()).add(word)
        self.lengths = sorted({len(slot) for slot in self.slots})

    def __call__(self, text: str) -> str:
        """`text` (lower-case words separated by single spaces) with such words corrected."""
        tokens = text.split(" ")
        if len(tokens) < 2:
            return text
        changed = False
        for position, token in enumerate(tokens):
            if token in self.words or not self._beside_a_phrase_word(tokens, position):
                continue
            corrected = self._corrected(tokens, position)
            if corrected != token:
                tokens[position], changed = corrected, True
        return " ".join(tokens) if changed else text

    def _beside_a_phrase_word(self, tokens: list[str], position: int) -> bool:
        before = position > 0 and tokens[position - 1] in self.words
        return before or (position + 1 < len(tokens) and tokens[position + 1] in self.words)

    def _corrected(self, tokens: list[str], position: int) -> str:
        token = tokens[position]
        if len(token) < 2 or not token.isalpha() or token in self.keep:
            return token
        found: set[str] = set()
        for length in self.lengths:
            for start in range(max(0, position - length + 1), min(position, len(tokens) - length) + 1):
                slot = (*tokens[start:position], "", *tokens[position + 1 : start + length])
                found |= {word for word in self.slots.get(slot, ()) if OSA.distance(token, word) == 1}
        return found.pop() if len(found) == 1 else token
