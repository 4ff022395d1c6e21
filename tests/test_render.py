"""Page images with the cited quote marked: locating the quote, drawing, caching, errors."""

from __future__ import annotations

import io
import json

import pytest
from corpus import LIQUOR_REPORT
from pdf_factory import make_text_pdf
from PIL import Image
from scripted_generator import ScriptedGenerator

from report_rag.answer.qa import ask
from report_rag.pipeline.ingest import ingest_paths
from report_rag.present import render
from report_rag.present.render import FILL, PageRenderError, locate, render_citation, render_page
from report_rag.store.library import Library


def test_locate_ignores_wraps_hyphens_and_width():
    page = "Revenue grew 8%, led by ever-\ngreen titles.\n目标价\n2,100 元，维持买入评级。"
    found = locate(page, "led by evergreen titles.")
    assert "".join(page[i] for i in found) == "ledbyevergreentitles."  # the hyphen is not marked
    assert "".join(page[i] for i in locate(page, "目标价 2,100 元")) == "目标价2,100元"
    assert locate(page, "ＲＥＶＥＮＵＥ grew") == list(range(7)) + list(range(8, 12))
    assert locate(page, "nothing like this appears anywhere") is None


def test_locate_tolerates_text_the_cleaner_dropped():
    # A sidebar printed one character per line sits inside the PDF text, not in the quote.
    page = "公司上半年实现营业收入834.51亿元\n开\n元\n证\n券\n同比增长17.76%，归母净利润416.96亿元。"
    found = locate(page, "公司上半年实现营业收入834.51亿元同比增长17.76%，归母净利润416.96亿元。")
    assert found is not None
    assert "开" not in "".join(page[i] for i in found)


def marked_pixels(png: bytes, box) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    left, top, right, bottom = (int(v) for v in box)
    crop = image.crop((left, top, right, bottom))
    # The translucent fill turns white paper yellowish: blue drops well below red and green.
    pixels = crop.tobytes()
    return sum(
        1 for i in range(0, len(pixels), 3)
        if pixels[i] > 200 and pixels[i + 1] > 180 and pixels[i + 2] < 200
    )


def test_quote_is_marked_on_the_rendered_page(tmp_path, sample_pdfs):
    pdf = next(p for p in sample_pdfs if p.name.startswith("kaiyuan_moutai"))
    quote = "上半年直销渠道实现收入364.86亿元，同比增长18.6%，占酒类收入比重约44.3%；"
    rendered = render_page(pdf, 1, quote)
    assert rendered.quote_found is True and rendered.page_count == 4
    assert len(rendered.boxes) == 2  # the sentence wraps onto a second printed line
    image = Image.open(io.BytesIO(rendered.png))
    assert image.format == "PNG" and (image.width, image.height) == (rendered.width, rendered.height)
    first = rendered.boxes[0]
    assert first[0] > image.width / 3  # the body column, right of the sidebar
    assert marked_pixels(rendered.png, first) > 0.3 * (first[2] - first[0]) * (first[3] - first[1])
    plain = render_page(pdf, 1)
    assert plain.quote_found is None and plain.boxes == []
    assert marked_pixels(plain.png, first) < marked_pixels(rendered.png, first) / 4
    assert FILL[3] < 128  # translucent: the quote stays readable under the marker


def test_a_quote_not_on_the_page_leaves_it_unmarked(sample_pdfs):
    rendered = render_page(sample_pdfs[0], 1, "这句话不在这一页上出现过的任何地方")
    assert rendered.quote_found is False and rendered.boxes == []


def test_errors_name_the_problem(tmp_path, sample_pdfs):
    with pytest.raises(PageRenderError, match="has 4 pages, not page 9"):
        render_page(next(p for p in sample_pdfs if p.name.startswith("kaiyuan")), 9)
    with pytest.raises(PageRenderError, match="no longer at"):
        render_page(tmp_path / "gone.pdf", 1)
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7 not really")
    with pytest.raises(PageRenderError, match="cannot open bad.pdf"):
        render_page(tmp_path / "bad.pdf", 1)


def test_rendered_pages_are_cached(tmp_path, sample_pdfs, monkeypatch):
    cache = tmp_path / "cache"
    first = render_page(sample_pdfs[0], 1, "投资", cache_dir=cache)
    assert len(list(cache.glob("*.png"))) == 1 and len(list(cache.glob("*.json"))) == 1

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered again instead of reading the cache")

    monkeypatch.setattr(render.pdfium, "PdfDocument", no_rendering)
    again = render_page(sample_pdfs[0], 1, "投资", cache_dir=cache)
    assert again == first
    with pytest.raises(AssertionError):  # another quote is another image
        render_page(sample_pdfs[0], 1, "评级", cache_dir=cache)


def test_render_citation_marks_the_answer_quote(settings, tmp_path):
    (tmp_path / "in").mkdir()
    pdf = make_text_pdf(tmp_path / "in" / "moutai.pdf", LIQUOR_REPORT)
    with Library(settings) as library:
        ingest_paths(library, [str(pdf)])
        answer = ask(library, ScriptedGenerator("贵州茅台的目标价为 2,100 元，维持买入评级[1]。"), "贵州茅台的目标价是多少？")
        rendered = render_citation(library, answer.citations[0])
    assert rendered.quote_found is True and rendered.boxes
    [meta] = (settings.cache_dir / "page_images").glob("*.json")
    assert json.loads(meta.read_text())["quote_found"] is True
