"""TF-IDF features over the accented and accent-stripped forms of a text.

Vocabulary and IDF weights are fitted with scikit-learn's ``TfidfVectorizer``
(given our own n-gram analyzers).  ``transform`` has a faster path of its own
that reproduces ``TfidfVectorizer.transform`` (sublinear TF, IDF, L2 norm per
block): counting with ``collections.Counter`` instead of a Python loop per
n-gram roughly triples the throughput of batch prediction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any, Final

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


def _fold(windows: list[npt.NDArray[np.uint64]]) -> npt.NDArray[np.uint64]:
    """Polynomial hash of aligned unit columns (wrapping uint64 arithmetic)."""
    key = windows[0].copy()
    for column in windows[1:]:
        key *= _BASE
        key += column
    key += np.uint64((len(windows) * _SALT) % 2**64)
    # splitmix64 finaliser: spreads the bits so the top bits can index a hash table.
    key ^= key >> np.uint64(30)
    key *= _MIX1
    key ^= key >> np.uint64(27)
    key *= _MIX2
    key ^= key >> np.uint64(31)
    return key


def _window_keys(
    units: npt.NDArray[np.uint64], owner: npt.NDArray[np.int64], n_min: int, n_max: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Hash keys and owning rows of every n-gram (n_min..n_max) not crossing documents."""
    keys: list[npt.NDArray[np.uint64]] = []
    rows: list[npt.NDArray[np.int64]] = []
    for n in range(n_min, n_max + 1):
        count = len(units) - n + 1
        if count <= 0:
            continue
        key = _fold([units[k : k + count] for k in range(n)])
        same = owner[:count] == owner[n - 1 : n - 1 + count]
        keys.append(key[same])
        rows.append(owner[:count][same])
    if not keys:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.concatenate(keys), np.concatenate(rows)


def _token_hashes(tokens: Sequence[str]) -> npt.NDArray[np.uint64]:
    hashes = np.fromiter(map(hash, tokens), dtype=np.int64, count=len(tokens))
    return hashes.view(np.uint64)


def _char_units(docs: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    padded = [f" {doc} " for doc in docs]
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    owner = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    return codes.astype(np.uint64), owner


def _word_units(docs: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    split = [doc.split() for doc in docs]
    lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
    tokens = [token for tokens in split for token in tokens]
    owner = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    return _token_hashes(tokens), owner


class _KeyTable:
    """Hash table from n-gram hash keys to vocabulary columns.

    Built per process (never pickled): word keys use Python's per-process string hash.
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
                flat = [token for i in members for token in pieces[i]]
                units = _token_hashes(flat).reshape(len(members), n)
            else:
                joined = "".join(terms[i] for i in members)
                codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
                units = codes.astype(np.uint64).reshape(len(members), n)
            keys[members] = _fold([np.ascontiguousarray(units[:, k]) for k in range(n)])
        self.kind = kind
        self._build_table(keys, columns)

    def _build_table(self, keys: npt.NDArray[np.uint64], columns: npt.NDArray[np.int64]) -> None:
        """Open addressing with linear probing; keys are already well-mixed hashes."""
        bits = max(10, int(np.ceil(np.log2(max(1, len(keys)) * 4))))
        size = 1 << bits
        self.shift = np.uint64(64 - bits)
        self.mask = size - 1
        self.slot_keys = np.zeros(size, dtype=np.uint64)
        self.slot_columns = np.full(size, -1, dtype=np.int64)
        pending = np.arange(len(keys))
        slots = (keys >> self.shift).astype(np.int64)
        self.max_probe = 0
        probe = 0
        while pending.size:
            wanted = (slots[pending] + probe) & self.mask
            free = self.slot_columns[wanted] < 0
            candidates = pending[free]
            targets = wanted[free]
            _, first = np.unique(targets, return_index=True)
            winners = candidates[first]
            self.slot_keys[targets[first]] = keys[winners]
            self.slot_columns[targets[first]] = columns[winners]
            placed = np.zeros(len(keys), dtype=bool)
            placed[winners] = True
            pending = pending[~placed[pending]]
            if pending.size:
                probe += 1
        self.max_probe = probe

    def lookup(self, keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """Column of each key, -1 when unknown."""
        result = np.full(len(keys), -1, dtype=np.int64)
        active = np.arange(len(keys))
        base = (keys >> self.shift).astype(np.int64)
        for probe in range(self.max_probe + 1):
            slot = (base[active] + probe) & self.mask
            columns = self.slot_columns[slot]
            hit = (columns >= 0) & (self.slot_keys[slot] == keys[active])
            result[active[hit]] = columns[hit]
            active = active[~hit & (columns >= 0)]
            if not active.size:
                break
        return result


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

    def _runtime_state(
        self,
    ) -> tuple[list[_KeyTable], npt.NDArray[np.float64], list[int], npt.NDArray[np.float64]]:
        state = self.__dict__.get("_runtime")
        if state is None:
            tables = [
                _KeyTable(v, "word" if name.startswith("word") else "char")
                for name, _, v in self.vectorizers_
            ]
            idf = np.concatenate([v.idf_ for _, _, v in self.vectorizers_]).astype(np.float64)
            ends = np.cumsum([len(v.vocabulary_) for _, _, v in self.vectorizers_]).tolist()
            weights = np.asarray([self._weight(name) for name, _, _ in self.vectorizers_])
            state = (tables, idf, ends, weights)
            self.__dict__["_runtime"] = state
        return state

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())
        state.pop("_runtime", None)  # word keys depend on the process' hash seed
        return state

    def transform_forms(self, forms: Sequence[NormalizedText]) -> sp.csr_matrix:
        """Same result as stacking ``TfidfVectorizer.transform`` of every block (float32).

        N-grams are never built as strings: each is a polynomial hash over its
        characters (code points) or tokens (Python string hashes), looked up in a
        hash table of the vocabulary's hashes.  Counting is one ``np.unique`` per chunk.
        """
        if len(forms) <= TRANSFORM_CHUNK:
            return self._transform_chunk(forms)
        chunks = [
            self._transform_chunk(forms[start : start + TRANSFORM_CHUNK])
            for start in range(0, len(forms), TRANSFORM_CHUNK)
        ]
        return sp.vstack(chunks, format="csr", dtype=np.float32)

    def _transform_chunk(self, forms: Sequence[NormalizedText]) -> sp.csr_matrix:
        tables, idf, ends, weights = self._runtime_state()
        n_docs = len(forms)
        total = ends[-1]
        all_rows: list[npt.NDArray[np.int64]] = []
        all_cols: list[npt.NDArray[np.int64]] = []
        offset = 0
        for (name, form, _), table, end in zip(self.vectorizers_, tables, ends, strict=True):
            docs = [getattr(f, form) for f in forms]
            if name.startswith("word"):
                units, owner = _word_units(docs)
                n_range = self.word_ngram_range
            else:
                units, owner = _char_units(docs)
                n_range = self.char_ngram_range
            keys, rows = _window_keys(units, owner, n_range[0], n_range[1])
            cols = table.lookup(keys)
            known = cols >= 0
            all_rows.append(rows[known])
            all_cols.append(cols[known] + offset)
            offset = end
        combined, counts = np.unique(
            np.concatenate(all_rows) * total + np.concatenate(all_cols), return_counts=True
        )
        rows = combined // total
        cols = combined - rows * total
        data = counts.astype(np.float64)
        if self.sublinear_tf:
            np.log(data, out=data)
            data += 1.0
        data *= idf[cols]
        n_blocks = len(ends)
        group = rows * n_blocks + np.searchsorted(np.asarray(ends), cols, side="right")
        norms = np.sqrt(np.bincount(group, weights=data * data, minlength=n_docs * n_blocks))
        norms[norms == 0] = 1.0
        norms /= np.tile(weights, n_docs)  # the block weight rides on the L2 divisor
        data /= norms[group]
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
        return sp.csr_matrix(
            (data.astype(np.float32), cols.astype(np.int32), indptr), shape=(n_docs, total)
        )

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
