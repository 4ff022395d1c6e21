"""RapidOCR (PP-OCRv4 Chinese/English models run by onnxruntime): the weights ship inside the
PyPI wheel, so it works offline. Install with the `ocr` extra."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from report_rag.errors import MissingDependencyError
from report_rag.parse.ocr import OcrBox

if TYPE_CHECKING:
    import numpy as np


class RapidOcrRecognizer:
    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            error = MissingDependencyError("rapidocr-onnxruntime", "ocr", "Reading text drawn as images")
            # Installed but broken (OpenCV without its libGL, say): say what failed too.
            if getattr(exc, "name", None) != "rapidocr_onnxruntime":
                error = MissingDependencyError("rapidocr-onnxruntime", "ocr", f"Reading text drawn as images ({exc})")
            raise error from exc
        # Upright pages: the 180° classifier only costs time (and flips short lines wrongly).
        self._engine: Any = RapidOCR(use_cls=False)

    def read_page(self, image: np.ndarray) -> list[OcrBox]:
        result, _ = self._engine(image, use_cls=False)
        boxes: list[OcrBox] = []
        for corners, text, score in result or []:
            xs = [float(point[0]) for point in corners]
            ys = [float(point[1]) for point in corners]
            boxes.append(OcrBox(str(text), min(xs), min(ys), max(xs), max(ys), float(score)))
        return boxes

    def read_line(self, image: np.ndarray) -> tuple[str, float]:
        result, _ = self._engine(image, use_det=False, use_cls=False, use_rec=True)
        if not result:
            return "", 0.0
        text, score = result[0]
        return str(text), float(score)
