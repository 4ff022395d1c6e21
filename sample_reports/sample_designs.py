"""Each broker's house style: page geometry, running headers/footers, first-page title block
and sidebar. One generic implementation, configured per broker, so the samples differ the way
real brokers' templates differ (sidebar side, columns, bullets, page-number format, draw order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sample_blocks import Block, KeyValue, Para, SideTitle, StyleSet, Table
from sample_layout import RGB, Frame, TextStyle, draw_cells, draw_runs, wrap

if TYPE_CHECKING:
    from sample_spec import ReportSpec

PAGE_W, PAGE_H = A4
RIGHT_MARGIN = 40.0
BODY_TOP = PAGE_H - 66
BOTTOM = 62.0
GAP = 14.0

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def format_date(d: date, style: str) -> str:
    if style == "zh":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "iso":
        return d.isoformat()
    if style == "dots":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "en_dmy":
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if style == "en_mdy":
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    raise ValueError(style)


LABELS = {
    "zh": {"rating": "投资评级", "target": "目标价格", "price": "当前股价", "analysts": "分析师",
           "contacts": "联系人", "related": "相关报告", "key_data": "基本数据", "date": "报告日期",
           "picks": ("首选股票", "代码", "评级"), "sac": "SAC 执业证书编号：", "source_perf": "资料来源：聚源"},
    "en": {"rating": "Rating", "target": "Target price", "price": "Price", "analysts": "Analysts",
           "contacts": "Contacts", "related": "Related research", "key_data": "Key data", "date": "Date",
           "picks": ("Top picks", "Ticker", "Rating"), "sac": "SAC No. ", "source_perf": "Source: Bloomberg"},
}


@dataclass(frozen=True)
class Design:
    key: str  # file-name prefix, also keys the broker's legal text in sample_legal.py
    broker: str  # short name as printed, "华锦证券"
    broker_full: str
    url: str
    lang: str
    font: str
    bold_font: str | None
    accent: RGB
    bullet: str
    bullet_font: str
    header_left: str  # str.format fields: sector, report_type, company, ticker, broker
    header_right: str
    footer_left: str
    page_format: str  # fields: page, total
    date_style: str
    band_right: str  # second line of the first-page band, e.g. "证券研究报告·行业快报"
    related_format: str  # fields: title, date (dots), iso, broker, sector, report_type
    sidebar_side: str = "right"
    sidebar_width: float = 160.0
    sidebar_first: bool = False  # draw the sidebar before the main text (changes extraction order)
    furniture_first: bool = True
    first_columns: int = 1
    body_columns: int = 1
    boiler_columns: int = 1
    boiler_new_page: bool = True
    vertical_text: str | None = None  # drawn one glyph per line down the left edge of every page
    side_title_bar: bool = False
    body_size: float = 9.5
    sidebar_order: tuple[str, ...] = ("rating", "picks", "key_data", "chart", "perf", "analysts", "related")

    # ---- geometry -------------------------------------------------------------------
    @property
    def left(self) -> float:
        return 58.0 if self.vertical_text else 40.0

    @property
    def width(self) -> float:
        return PAGE_W - self.left - RIGHT_MARGIN

    def main_x_width(self) -> tuple[float, float]:
        main_w = self.width - self.sidebar_width - GAP
        x = self.left if self.sidebar_side == "right" else self.left + self.sidebar_width + GAP
        return x, main_w

    def sidebar_frame(self, top: float) -> Frame:
        x = self.left + self.width - self.sidebar_width if self.sidebar_side == "right" else self.left
        return Frame(x, top, BOTTOM, self.sidebar_width)

    def frames(self, page: int, mode: str, first_top: float) -> list[Frame]:
        if mode == "first":
            x, w = self.main_x_width()
            return _columns(x, w, first_top, self.first_columns)
        n = self.boiler_columns if mode == "boilerplate" else self.body_columns
        return _columns(self.left, self.width, BODY_TOP, n)

    # ---- styles -----------------------------------------------------------------------
    def styles(self, where: str) -> StyleSet:
        f, b, zh = self.font, self.bold_font, self.lang == "zh"
        if where == "side":
            body = TextStyle(f, 7.8, 11.2, b)
            small = TextStyle(f, 7.0, 9.8, b, (0.25, 0.25, 0.25))
            h2 = TextStyle(f, 9.0, 13.0, b)
        else:
            s = self.body_size
            body = TextStyle(f, s, s * (1.62 if zh else 1.38), b)
            small = TextStyle(f, 7.4 if zh else 7.0, 10.6 if zh else 9.4, b, (0.2, 0.2, 0.2))
            h2 = TextStyle(f, s + 0.8, (s + 0.8) * 1.6, b, self.accent)
        h1 = TextStyle(f, self.body_size + 2.2, (self.body_size + 2.2) * 1.6, b, self.accent)
        table = TextStyle(f, 7.8, 11.0, b)
        return StyleSet(body=body, h1=h1, h2=h2, small=small, table=table, accent=self.accent,
                        bullet=(self.bullet, self.bullet_font, 8.0), indent_first=zh and where != "side",
                        hyphenate=not zh, title_bar=self.side_title_bar)

    # ---- first page -------------------------------------------------------------------
    def _title_style(self) -> TextStyle:
        return TextStyle(self.font, 17.0 if self.lang == "zh" else 15.0, 23.0 if self.lang == "zh" else 19.0,
                         self.bold_font, (0.1, 0.1, 0.1))

    def _title_lines(self, spec: ReportSpec) -> list[str]:
        st = self._title_style()
        text = spec.title
        lines = wrap(text, [True] * len(text), st, self.width, self.width, hyphenate=False)
        return [text[ln.start:ln.end] for ln in lines]

    def kicker(self, spec: ReportSpec) -> str:
        """The small line above the title."""
        if self.lang == "en":
            return f"{spec.company} ({spec.ticker})"
        if spec.company:
            return f"{spec.company}（{spec.ticker}）| {spec.report_type}"
        return f"{spec.sector} | {spec.report_type}"

    def first_top(self, spec: ReportSpec) -> float:
        """y where the columns of page 1 start (below band, kicker, title and rating strip)."""
        y = PAGE_H - 104 - 23 * len(self._title_lines(spec))
        return y - (26 if self.lang == "en" else 6)

    def draw_first_page(self, c: Canvas, spec: ReportSpec) -> None:
        accent = self.accent
        top = PAGE_H - 36
        band = TextStyle(self.font, 17, 20, self.bold_font, accent)
        draw_runs(c, self.left, top - 17, [(self.broker, True)], band)
        info = TextStyle(self.font, 9, 12, self.bold_font, (0.3, 0.3, 0.3))
        draw_cells(c, top - 8, [(self.left + self.width, self.band_right.format(**_fields(spec)), "r")], info)
        draw_cells(c, top - 21, [(self.left + self.width, format_date(spec.date, self.date_style), "r")], info)
        c.setStrokeColorRGB(*accent)
        c.setLineWidth(1.6)
        c.line(self.left, top - 27, self.left + self.width, top - 27)
        kicker = TextStyle(self.font, 12 if self.lang == "en" else 10.5, 15, self.bold_font, accent)
        draw_runs(c, self.left, PAGE_H - 88, [(self.kicker(spec), True)], kicker)
        st = self._title_style()
        y = PAGE_H - 88 - 25
        for line in self._title_lines(spec):
            draw_runs(c, self.left, y, [(line, True)], st)
            y -= 23
        if self.lang == "en":
            strip = TextStyle(self.font, 9.5, 12, self.bold_font, (1, 1, 1))
            c.setFillColorRGB(*accent)
            c.rect(self.left, y - 6, self.width, 17, stroke=0, fill=1)
            upside = (spec.target_price.value / spec.current_price.value - 1) * 100
            text = (f"Rating: {spec.rating.raw} | Target price: {spec.target_price.printed('en')} | "
                    f"Price: {spec.current_price.printed('en')} | Upside: {upside:.1f}%")
            draw_runs(c, self.left + 5, y - 1, [(text, True)], strip)

    def sidebar_blocks(self, spec: ReportSpec) -> list[Block]:
        lab = LABELS[self.lang]
        out: list[Block] = []
        for section in self.sidebar_order:
            if section == "rating":
                rows = [(lab["rating"], spec.rating.raw)]
                if spec.target_price:
                    rows.append((lab["target"], spec.target_price.printed(self.lang)))
                if spec.current_price:
                    rows.append((lab["price"], spec.current_price.printed(self.lang)))
                out.append(KeyValue(tuple(rows), emphasize_first=True))
            elif section == "picks" and spec.sidebar_picks:
                out.append(Table(lab["picks"], tuple((p.name, p.code or "", p.rating or "") for p in spec.picks),
                                 first_col=0.42))
            elif section == "key_data" and spec.key_data:
                out += [SideTitle(lab["key_data"]), KeyValue(spec.key_data)]
            elif section == "chart" and spec.chart:
                out.append(spec.chart)
            elif section == "perf" and spec.perf:
                out.append(spec.perf.table(self.lang))
            elif section == "analysts":
                out.append(SideTitle(lab["analysts"]))
                out += [Para(_person(a, lab["sac"]), lead=a.name + "\n", small=True) for a in spec.analysts]
                if spec.contacts:
                    out.append(SideTitle(lab["contacts"]))
                    out += [Para(_person(a, lab["sac"]), lead=a.name + "\n", small=True) for a in spec.contacts]
            elif section == "related" and spec.related:
                out.append(SideTitle(lab["related"]))
                out += [Para(self.related_line(spec, r), small=True) for r in spec.related]
        return out

    def related_line(self, spec: ReportSpec, r) -> str:
        d = r.date
        return self.related_format.format(title=r.title, date=f"{d.year}.{d.month}.{d.day}", iso=d.isoformat(),
                                          en=format_date(d, "en_dmy"), **_fields(spec))

    # ---- running furniture -----------------------------------------------------------
    def running_texts(self, spec: ReportSpec, page: int, total: int) -> dict[str, str]:
        fields = _fields(spec)
        return {
            "header_left": self.header_left.format(**fields) if page > 1 else "",
            "header_right": self.header_right.format(**fields) if page > 1 else "",
            "footer_left": self.footer_left.format(**fields),
            "url": self.url,
            "page": self.page_format.format(page=page, total=total),
        }

    def draw_furniture(self, c: Canvas, spec: ReportSpec, page: int, total: int) -> None:
        t = self.running_texts(spec, page, total)
        grey = TextStyle(self.font, 8, 10, self.bold_font, (0.35, 0.35, 0.35))
        right = self.left + self.width
        if page > 1:
            draw_cells(c, PAGE_H - 46, [(self.left, t["header_left"], "l")], grey)
            draw_cells(c, PAGE_H - 46, [(right, t["header_right"], "r")], grey)
            c.setStrokeColorRGB(*self.accent)
            c.setLineWidth(0.8)
            c.line(self.left, PAGE_H - 51, right, PAGE_H - 51)
        c.setStrokeColorRGB(0.6, 0.6, 0.6)
        c.setLineWidth(0.5)
        c.line(self.left, 48, right, 48)
        draw_cells(c, 36, [(self.left, t["footer_left"], "l")], grey)
        page_w = grey.width(t["page"])
        draw_cells(c, 36, [(right - page_w - 24, t["url"], "r")], grey)
        draw_cells(c, 36, [(right, t["page"], "r")], grey)
        if self.vertical_text:
            vt = TextStyle(self.font, 13, 13, self.bold_font, self.accent)
            y = PAGE_H / 2 + len(self.vertical_text) * 9
            for ch in self.vertical_text:
                draw_cells(c, y, [(24, ch, "c")], vt, bold=True)
                y -= 18


def _columns(x: float, width: float, top: float, n: int) -> list[Frame]:
    col = (width - GAP * (n - 1)) / n
    return [Frame(x + k * (col + GAP), top, BOTTOM, col) for k in range(n)]


def _fields(spec: ReportSpec) -> dict[str, str]:
    return {"sector": spec.sector, "report_type": spec.report_type, "company": spec.company or "",
            "ticker": spec.ticker or "", "broker": spec.design.broker}


def _person(a, sac_label: str) -> str:
    parts = []
    if a.sac:
        parts.append(f"{sac_label}{a.sac}")
    if a.sfc_ce:
        parts.append(f"SFC CE No. {a.sfc_ce}")
    if a.phone:
        parts.append(a.phone)
    parts.append(a.email)
    return "\n".join(parts)
