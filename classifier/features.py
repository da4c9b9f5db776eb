"""TF-IDF features over the accented and accent-stripped forms of a text.

Vocabulary and IDF weights are fitted with scikit-learn's ``TfidfVectorizer``
(given our own n-gram analyzers).  ``transform`` has a faster path of its own
that reproduces ``TfidfVectorizer.transform`` (sublinear TF, IDF, L2 norm per
block): counting with ``collections.Counter`` instead of a Python loop per
n-gram roughly triples the throughput of batch prediction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache, partial
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.normalize import NormalizedText, normalize

# (block name, text form, analyzer kind)
_BLOCKS: tuple[tuple[str, str, str], ...] = (
    ("word", "accented", "word"),
    ("word_stripped", "stripped", "word"),
    ("char_stripped", "stripped", "char"),
    ("char", "accented", "char"),
)


def word_ngrams(doc: str, n_min: int, n_max: int) -> list[str]:
    """Word n-grams of a normalised text (tokens separated by single spaces)."""
    tokens = doc.split()
    grams = list(tokens) if n_min <= 1 else []
    for n in range(max(2, n_min), n_max + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_ngrams(doc: str, n_min: int, n_max: int) -> list[str]:
    """Character n-grams of `` doc `` (padded with one space each side)."""
    padded = f" {doc} "
    grams: list[str] = []
    for n in range(n_min, n_max + 1):
        grams.extend([padded[i : i + n] for i in range(len(padded) - n + 1)])
    return grams


def normalize_many(texts: Iterable[str]) -> list[NormalizedText]:
    return [normalize(text) for text in texts]


_BASE = np.uint64(1_000_003)
_SALT = 0x9E3779B97F4A7C15
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


# Texts per pass of the fast path: the per-n-gram arrays of a chunk this size stay in the
# CPU caches; one pass over 9,000 texts spent most of its time waiting on memory.
TRANSFORM_CHUNK: Final = 512


def _mix(key: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser, in place: spreads the bits so the top bits can index a table."""
    key ^= key >> np.uint64(30)
    key *= _MIX1
    key ^= key >> np.uint64(27)
    key *= _MIX2
    key ^= key >> np.uint64(31)
    return key


def _finalise(poly: npt.NDArray[np.uint64], n: int) -> npt.NDArray[np.uint64]:
    """Hash key of n-grams from their polynomial over units (a new array)."""
    return _mix(poly + np.uint64((n * _SALT) % 2**64))


def _fold(windows: list[npt.NDArray[np.uint64]]) -> npt.NDArray[np.uint64]:
    """Hash keys of n-grams given as aligned unit columns (wrapping uint64 arithmetic)."""
    poly = windows[0].copy()
    for column in windows[1:]:
        poly *= _BASE
        poly += column
    return _finalise(poly, len(windows))


def _window_keys(
    units: npt.NDArray[np.uint64], owner: npt.NDArray[np.int64], n_min: int, n_max: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Hash keys and owning rows of every n-gram (n_min..n_max) of the laid-out documents.

    An n-gram across two documents holds the separator, so no vocabulary knows it.
    The polynomial of the n-grams starting at each unit grows by one unit per size.
    """
    keys: list[npt.NDArray[np.uint64]] = []
    rows: list[npt.NDArray[np.int64]] = []
    poly = units.copy()
    for n in range(1, n_max + 1):
        if n > 1:
            poly = poly[:-1]
            poly *= _BASE
            poly += units[n - 1 :]
        if n >= n_min and len(poly):
            keys.append(_finalise(poly, n))
            rows.append(owner[: len(poly)])
    if not keys:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.concatenate(keys), np.concatenate(rows)


# The documents of a chunk are laid end to end with this between them: normalised text
# never holds it (only word characters and single spaces).
_SEPARATOR: Final = "\x00"
_SPACED_SEPARATOR: Final = f" {_SEPARATOR} "
_SPACE: Final = np.uint64(ord(" "))


def _laid_out(docs: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Code points of the documents end to end, each padded with a space either side, and
    the row of each."""
    laid_out = f" {_SPACED_SEPARATOR.join(docs)} "
    codes = np.frombuffer(laid_out.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    return codes, np.cumsum(codes == 0)


_INVERSE_BASE: Final = np.uint64(pow(int(_BASE), -1, 2**64))


@cache
def _base_powers(bits: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """``_BASE ** j`` and ``_BASE ** -j`` (modulo 2**64) for j below ``2 ** bits``."""
    powers = []
    for base in (_BASE, _INVERSE_BASE):
        factors = np.full(1 << bits, base, dtype=np.uint64)
        factors[0] = 1
        powers.append(np.cumprod(factors, dtype=np.uint64))
    return powers[0], powers[1]


def _token_units(
    codes: npt.NDArray[np.uint64], owner: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """A hash of every space-separated token of laid-out text, and the row of each.

    A token's polynomial over its code points comes from prefix sums scaled by inverse
    powers of the base (odd, so invertible modulo 2**64): no Python string per token.
    """
    up, down = _base_powers(max(16, len(codes).bit_length()))
    space = codes == _SPACE
    # The text starts and ends with a space, so the changes alternate start, end, ...
    edges = np.flatnonzero(space[1:] != space[:-1]) + 1
    starts, ends = edges[0::2], edges[1::2]
    prefix = np.cumsum(codes * down[: len(codes)], dtype=np.uint64)
    poly = (prefix[ends - 1] - prefix[starts - 1]) * up[starts]
    return _mix(poly), owner[starts]


class _KeyTable:
    """Hash table from n-gram hash keys to vocabulary columns.

    Built when first needed in each process rather than pickled: it is quick to build
    and would double the artifact.
    """

    def __init__(self, vectorizer: TfidfVectorizer, kind: str) -> None:
        terms = list(vectorizer.vocabulary_)
        columns = np.fromiter(vectorizer.vocabulary_.values(), dtype=np.int64, count=len(terms))
        keys = np.zeros(len(terms), dtype=np.uint64)
        by_length: dict[int, list[int]] = {}
        pieces = [term.split(" ") for term in terms] if kind == "word" else terms
        for index, piece in enumerate(pieces):
            by_length.setdefault(len(piece), []).append(index)
        for n, members in by_length.items():
            if kind == "word":
                flat = " ".join(token for i in members for token in pieces[i])
                units = _token_units(*_laid_out([flat]))[0].reshape(len(members), n)
            else:
                joined = "".join(terms[i] for i in members)
                codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
                units = codes.astype(np.uint64).reshape(len(members), n)
            keys[members] = _fold([np.ascontiguousarray(units[:, k]) for k in range(n)])
        self._build_table(keys, columns)

    def _build_table(self, keys: npt.NDArray[np.uint64], columns: npt.NDArray[np.int64]) -> None:
        """Open addressing with linear probing; keys are already well-mixed hashes.

        A slot packs a 31-bit check of the key's low bits (its lowest bit forced to 1,
        so a filled slot is never 0) above the column + 1: one 8-byte gather per probe.
        The high bits choose the slot, so a foreign n-gram is taken for a known one
        only if 20-odd slot bits and 31 check bits all agree (about once in 10^7 texts).
        """
        bits = max(10, int(np.ceil(np.log2(max(1, len(keys)) * 4))))
        size = 1 << bits
        self.shift = np.uint64(64 - bits)
        self.mask = size - 1
        self.slots = np.zeros(size, dtype=np.uint64)
        packed = (_check_bits(keys) << _HALF) | (columns.astype(np.uint64) + np.uint64(1))
        pending = np.arange(len(keys))
        home = (keys >> self.shift).astype(np.int64)
        probe = 0
        while pending.size:
            wanted = (home[pending] + probe) & self.mask
            free = self.slots[wanted] == 0
            candidates = pending[free]
            targets = wanted[free]
            _, first = np.unique(targets, return_index=True)
            winners = candidates[first]
            self.slots[targets[first]] = packed[winners]
            placed = np.zeros(len(keys), dtype=bool)
            placed[winners] = True
            pending = pending[~placed[pending]]
            if pending.size:
                probe += 1
        self.max_probe = probe

    def lookup(self, keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """Column of each key, -1 when unknown."""
        wanted = _check_bits(keys)
        home = (keys >> self.shift).view(np.int64)  # below 2**bits: the view is exact
        found = self.slots[home]
        hit = (found >> _HALF) == wanted
        # Column + 1 in the low half; 0 (-> -1) where nothing matched yet.
        result = (found & _LOW).view(np.int64)
        result *= hit
        result -= 1
        active = np.flatnonzero(~hit & (found != 0))
        for probe in range(1, self.max_probe + 1):
            if not active.size:
                break
            found = self.slots[(home[active] + probe) & self.mask]
            hit = (found >> _HALF) == wanted[active]
            result[active[hit]] = (found[hit] & _LOW).view(np.int64) - 1
            active = active[~hit & (found != 0)]
        return result


_HALF: Final = np.uint64(32)
_LOW: Final = np.uint64(0xFFFFFFFF)


def _check_bits(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    return (keys & _LOW) | np.uint64(1)


class _Runtime(NamedTuple):
    """What the fast path needs beside the fitted vectorizers, built once per process."""

    tables: list[_KeyTable]
    idf: npt.NDArray[np.float64]
    ends: list[int]  # one past the last column of each block
    weights: npt.NDArray[np.float64]
    block_of: npt.NDArray[np.int64]  # block index of every column


class TextFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Word and character n-gram TF-IDF blocks, stacked side by side.

    Blocks: word n-grams on the accented form and on the stripped form, character
    n-grams on the stripped form and, optionally, on the accented form.  Each
    block is L2-normalised on its own; character blocks are then multiplied by
    ``char_weight`` (below 1 the linear model leans more on whole words, which
    measured better out of fold: see docs/classifier.md).

    ``fit``/``transform`` take raw texts; ``fit_forms``/``transform_forms`` take
    already normalised :class:`NormalizedText` items (used in training to
    normalise each text once).
    """

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        char_on_accented: bool = False,
        min_df: int = 2,
        sublinear_tf: bool = True,
        char_weight: float = 1.0,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.char_on_accented = char_on_accented
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.char_weight = char_weight

    def _blocks(self) -> list[tuple[str, str, str]]:
        return [b for b in _BLOCKS if self.char_on_accented or b[0] != "char"]

    def _make_vectorizer(self, analyzer: str, min_df: int) -> TfidfVectorizer:
        if analyzer == "word":
            function = partial(
                word_ngrams, n_min=self.word_ngram_range[0], n_max=self.word_ngram_range[1]
            )
        else:
            function = partial(
                char_ngrams, n_min=self.char_ngram_range[0], n_max=self.char_ngram_range[1]
            )
        return TfidfVectorizer(
            analyzer=function,
            lowercase=False,
            min_df=min_df,
            sublinear_tf=self.sublinear_tf,
            dtype=np.float32,
        )

    def fit_transform_forms(self, forms: Sequence[NormalizedText]) -> sp.csr_matrix:
        """Fit and transform in one pass over the texts."""
        min_df = self.min_df if len(forms) >= 10 * self.min_df else 1
        self.__dict__.pop("_runtime", None)
        self.vectorizers_: list[tuple[str, str, TfidfVectorizer]] = []
        blocks = []
        for name, form, analyzer in self._blocks():
            vectorizer = self._make_vectorizer(analyzer, min_df)
            block = vectorizer.fit_transform([getattr(f, form) for f in forms])
            blocks.append(block * self._weight(name))
            # The pruned-terms set is only for introspection and is large.
            vectorizer.stop_words_ = None
            self.vectorizers_.append((name, form, vectorizer))
        self.n_features_ = sum(len(v.vocabulary_) for _, _, v in self.vectorizers_)
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _weight(self, block_name: str) -> float:
        return 1.0 if block_name.startswith("word") else self.char_weight

    def fit_forms(self, forms: Sequence[NormalizedText]) -> TextFeatures:
        self.fit_transform_forms(forms)
        return self

    def _runtime_state(self) -> _Runtime:
        state = self.__dict__.get("_runtime")
        if state is None:
            tables = [
                _KeyTable(v, "word" if name.startswith("word") else "char")
                for name, _, v in self.vectorizers_
            ]
            sizes = [len(v.vocabulary_) for _, _, v in self.vectorizers_]
            state = _Runtime(
                tables=tables,
                idf=np.concatenate([v.idf_ for _, _, v in self.vectorizers_]).astype(np.float64),
                ends=np.cumsum(sizes).tolist(),
                weights=np.asarray([self._weight(name) for name, _, _ in self.vectorizers_]),
                block_of=np.repeat(np.arange(len(sizes), dtype=np.int64), sizes),
            )
            self.__dict__["_runtime"] = state
        return state

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())
        state.pop("_runtime", None)  # rebuilt on first use, see _KeyTable
        return state

    def transform_forms(self, forms: Sequence[NormalizedText]) -> sp.csr_matrix:
        """Same result as stacking ``TfidfVectorizer.transform`` of every block (float32).

        N-grams are never built as strings: each is a polynomial hash over its
        characters (code points) or tokens (hashes of their code points), looked up in a
        hash table of the vocabulary's hashes.  Counting is one sort per chunk.
        """
        total = self._runtime_state().ends[-1]
        parts = [
            self._chunk_entries(forms[start : start + TRANSFORM_CHUNK])
            for start in range(0, len(forms), TRANSFORM_CHUNK)
        ]
        if not parts:
            return sp.csr_matrix((0, total), dtype=np.float32)
        if len(parts) == 1:
            data, cols, row_sizes = parts[0]
        else:
            data, cols, row_sizes = (np.concatenate(a) for a in zip(*parts, strict=True))
        indptr = np.zeros(len(forms) + 1, dtype=np.int64)
        np.cumsum(row_sizes, out=indptr[1:])
        return sp.csr_matrix((data, cols, indptr), shape=(len(forms), total))

    def _chunk_entries(
        self, forms: Sequence[NormalizedText]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """(values, columns, entries per row) of the TF-IDF rows of a few texts."""
        tables, idf, ends, weights, block_of = self._runtime_state()
        n_docs = len(forms)
        # Entry key: the row above the column bits, so one sort orders rows then columns.
        shift = max(1, (ends[-1] - 1).bit_length())
        entries: list[npt.NDArray[np.int64]] = []
        offset = 0
        laid_out: dict[str, tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]] = {}
        for (name, form, _), table, end in zip(self.vectorizers_, tables, ends, strict=True):
            if form not in laid_out:
                laid_out[form] = _laid_out([getattr(f, form) for f in forms])
            if name.startswith("word"):
                units, owner = _token_units(*laid_out[form])
                n_range = self.word_ngram_range
            else:
                units, owner = laid_out[form]
                n_range = self.char_ngram_range
            keys, rows = _window_keys(units, owner, n_range[0], n_range[1])
            cols = table.lookup(keys)
            known = cols >= 0
            entries.append((rows[known] << shift) | (cols[known] + offset))
            offset = end
        keys = np.concatenate(entries)
        if (n_docs << shift) < 2**31:  # a narrower sort where the keys fit
            keys = keys.astype(np.int32)
        keys.sort()
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))[: len(keys)]
        counts = np.diff(np.append(starts, len(keys)))
        keys = keys[starts]
        rows = keys >> shift
        cols = keys & ((1 << shift) - 1)
        data = counts.astype(np.float64)
        if self.sublinear_tf:
            np.log(data, out=data)
            data += 1.0
        data *= idf[cols]
        n_blocks = len(ends)
        group = rows * n_blocks + block_of[cols]
        norms = np.sqrt(np.bincount(group, weights=data * data, minlength=n_docs * n_blocks))
        norms[norms == 0] = 1.0
        norms /= np.tile(weights, n_docs)  # the block weight rides on the L2 divisor
        data /= norms[group]
        row_sizes = np.bincount(rows, minlength=n_docs)
        return data.astype(np.float32), cols.astype(np.int32), row_sizes

    def sklearn_transform_forms(self, forms: Sequence[NormalizedText]) -> sp.csr_matrix:
        """Reference path through ``TfidfVectorizer.transform`` (for tests)."""
        blocks = [
            v.transform([getattr(f, form) for f in forms]) * self._weight(name)
            for name, form, v in self.vectorizers_
        ]
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def fit(self, texts: Sequence[str], y: Any = None) -> TextFeatures:
        return self.fit_forms(normalize_many(texts))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_forms(normalize_many(texts))

    def covered_tokens(self, forms: NormalizedText) -> dict[int, list[int]]:
        """For each column present in a text, the tokens that each occurrence covers.

        Token indices follow ``forms.accented.split()``; the stripped form has the same
        tokens (stripping maps one character to one).  A word n-gram covers its words, a
        character n-gram the words it overlaps (it may span a space).
        """
        token_of = [-1]  # token index of each character of the padded text; -1 for spaces
        index = 0
        for char in forms.accented:
            if char == " ":
                index += 1
            token_of.append(-1 if char == " " else index)
        token_of.append(-1)
        covered: dict[int, list[int]] = {}
        offset = 0
        for name, form, vectorizer in self.vectorizers_:
            vocabulary = vectorizer.vocabulary_
            text = getattr(forms, form)
            if name.startswith("word"):
                words = text.split()
                low, high = self.word_ngram_range
                for n in range(low, high + 1):
                    for i in range(len(words) - n + 1):
                        column = vocabulary.get(" ".join(words[i : i + n]))
                        if column is not None:
                            covered.setdefault(column + offset, []).extend(range(i, i + n))
            else:
                padded = f" {text} "
                low, high = self.char_ngram_range
                for n in range(low, high + 1):
                    for i in range(len(padded) - n + 1):
                        column = vocabulary.get(padded[i : i + n])
                        if column is not None:
                            tokens = {t for t in token_of[i : i + n] if t >= 0}
                            covered.setdefault(column + offset, []).extend(tokens)
            offset += len(vocabulary)
        return covered

    def feature_names(self) -> tuple[list[str], list[str]]:
        """(block names, n-grams) of all columns, in column order."""
        names: list[str] = []
        blocks: list[str] = []
        for name, _, vectorizer in self.vectorizers_:
            inverse = [""] * len(vectorizer.vocabulary_)
            for term, column in vectorizer.vocabulary_.items():
                inverse[column] = term
            names.extend(inverse)
            blocks.extend([name] * len(inverse))
        return blocks, names
