"""Generate the sample research-report PDFs in this folder and their ground truth (gold.json).

Run from the repository root, in the project venv:

    python sample_reports/make_samples.py

It needs reportlab, pypdf and the Debian fonts fonts-wqy-zenhei, fonts-wqy-microhei and
fonts-dejavu-core (CJK text is embedded as TrueType subsets, so the committed PDFs extract
correctly without any fonts installed). Output is deterministic: reportlab runs with
invariant=1 and every date, price series and identifier is fixed, so a rerun rewrites
byte-identical files. The report contents are fictional brokers' notes written for testing;
company facts are approximate and must not be used as research.

Every PDF is re-read with pypdf before gold.json is written: the script fails if a QA answer,
an analyst's SAC number or the broker name cannot be found in the extracted text.

Modules: sample_layout (line wrapping, frame flow), sample_blocks (headings, paragraphs, tables,
charts), sample_designs + sample_brokers (each broker's page template), sample_legal (rating
definitions, disclaimers), sample_spec (the data a report is drawn from), sample_content_*
(the reports themselves).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sample_blocks import render  # noqa: E402
from sample_content_en import REPORTS as EN_REPORTS  # noqa: E402
from sample_content_zh_a import REPORTS as ZH_A  # noqa: E402
from sample_content_zh_b import REPORTS as ZH_B  # noqa: E402
from sample_content_zh_c import REPORTS as ZH_C  # noqa: E402
from sample_layout import Flow, Frame  # noqa: E402
from sample_legal import boilerplate_en, boilerplate_zh  # noqa: E402
from sample_spec import Money, ReportSpec  # noqa: E402

FONT_PACKAGES = ("fonts-wqy-zenhei", "fonts-wqy-microhei", "fonts-dejavu-core")
FONTS = {
    "ZH": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "ZHM": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    "SYM": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", None),
    "DV": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", None),
    "DVB": ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", None),
}


def register_fonts() -> None:
    for name, (path, index) in FONTS.items():
        if not Path(path).exists():
            raise SystemExit(f"missing font {path}: apt-get install {' '.join(FONT_PACKAGES)}")
        font = TTFont(name, path, subfontIndex=index) if index is not None else TTFont(name, path)
        pdfmetrics.registerFont(font)


def layout(spec: ReportSpec) -> tuple[Flow, Flow]:
    """Flow the main text and the first-page sidebar; nothing is drawn yet."""
    design = spec.design
    first_top = design.first_top(spec)
    main = Flow(lambda page, mode: design.frames(page, mode, first_top))
    back = boilerplate_zh(spec) if spec.language == "zh" else boilerplate_en(spec)
    render(main, spec.key_points + spec.body + back, design.styles("main"))

    def side_frames(page: int, mode: str) -> list[Frame]:
        if page > 1:
            raise ValueError(f"{spec.file}: sidebar content does not fit on page 1")
        return [design.sidebar_frame(first_top)]

    side = Flow(side_frames)
    render(side, design.sidebar_blocks(spec), design.styles("side"))
    return main, side


def draw(spec: ReportSpec, main: Flow, side: Flow, path: Path) -> None:
    design = spec.design
    c = Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
    if spec.pdf_title is not None:
        c.setTitle(spec.pdf_title)
    c.setAuthor(design.broker_full if spec.pdf_title else "")
    c.setCreator("sample_reports/make_samples.py")
    total = len(main.pages)
    for page in main.pages:
        if design.furniture_first:
            design.draw_furniture(c, spec, page.number, total)
        ops = list(page.ops)
        if page.number == 1:
            design.draw_first_page(c, spec)
            side_ops = side.pages[0].ops
            ops = side_ops + ops if design.sidebar_first else ops + side_ops
        for op in ops:
            op(c)
        if not design.furniture_first:
            design.draw_furniture(c, spec, page.number, total)
        c.showPage()
    c.save()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def gold_entry(spec: ReportSpec, main: Flow, side: Flow, page_texts: list[str]) -> dict:
    squashed = [_squash(t) for t in page_texts]
    qa = []
    for item in spec.qa:
        pages = [k + 1 for k, t in enumerate(squashed) if _squash(item.answer) in t]
        if not pages:
            raise AssertionError(f"{spec.file}: answer {item.answer!r} not found in extracted text")
        qa.append({"question": item.question, "answer_substring": item.answer, "page": pages[0], "pages": pages})
    for person in spec.analysts:
        if person.sac and person.sac not in page_texts[0]:
            raise AssertionError(f"{spec.file}: SAC {person.sac} not extracted from page 1")
    full_text = "".join(squashed)
    if _squash(spec.design.broker) not in full_text:
        raise AssertionError(f"{spec.file}: broker name not extracted")
    design = spec.design
    total = len(main.pages)
    running = [design.running_texts(spec, p.number, total) for p in main.pages]

    def money(m: Money | None) -> dict | None:
        return {"value": m.value, "currency": m.currency} if m else None

    return {
        "file": spec.file,
        "language": spec.language,
        "broker": design.broker,
        "broker_full": design.broker_full,
        "date": spec.date.isoformat(),
        "title": spec.title,
        "report_type": spec.report_type,
        "sector": spec.sector,
        "company": spec.company,
        "ticker": spec.ticker,
        "rating": {"raw": spec.rating.raw, "normalized": spec.rating.normalized, "action": spec.rating.action,
                   "grade": spec.rating.grade},
        "target_price": money(spec.target_price),
        "current_price": money(spec.current_price),
        "picks_label": spec.picks_label or None,
        "picks": [{"name": p.name, "code": p.code, "rating": p.rating} for p in spec.picks],
        "analysts": [{"name": a.name, "sac": a.sac, "email": a.email, "sfc_ce": a.sfc_ce} for a in spec.analysts],
        "contacts": [a.name for a in spec.contacts],
        "risks": list(spec.risks),
        "related_reports": [{"title": r.title, "date": r.date.isoformat()} for r in spec.related],
        "forecast": spec.forecast.as_gold() if spec.forecast else None,
        "performance": ({"relative": list(spec.perf.relative), "absolute": list(spec.perf.absolute)}
                        if spec.perf else None),
        "qa": qa,
        "pages": total,
        "boilerplate_pages": [p.number for p in main.pages if "boilerplate" in p.kinds],
        "content_pages": [p.number for p in main.pages if "content" in p.kinds],
        "headings": {str(p.number): p.headings for p in main.pages if p.headings},
        "running_text": {
            "header": sorted({r[k] for r in running[1:] for k in ("header_left", "header_right")}),
            "footer": [running[0]["footer_left"], design.url],
            "page_numbers": [r["page"] for r in running],
        },
        "vertical_text": design.vertical_text,
        "layout": {"sidebar": design.sidebar_side, "first_page_columns": design.first_columns,
                   "body_columns": design.body_columns, "boilerplate_columns": design.boiler_columns},
        "hyphenated": [dict(h, page=p.number) for p in (*side.pages, *main.pages) for h in p.hyphenated],
        "pdf_metadata_title": spec.pdf_title,
        **spec.extra,
    }


def main() -> int:
    register_fonts()
    reports: list[ReportSpec] = ZH_A + ZH_B + ZH_C + EN_REPORTS
    gold = []
    for spec in reports:
        path = HERE / spec.file
        main_flow, side_flow = layout(spec)
        draw(spec, main_flow, side_flow, path)
        texts = [page.extract_text() or "" for page in PdfReader(path).pages]
        gold.append(gold_entry(spec, main_flow, side_flow, texts))
        print(f"{spec.file}: {len(texts)} pages, {path.stat().st_size // 1024} KB")
    (HERE / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
