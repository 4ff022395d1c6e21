"""Content blocks of a report (headings, paragraphs, tables, charts, key-value boxes) and how
each is flowed onto the page. Blocks carry content only; a `StyleSet` decides the look, so
the same block renders in a broker's main column, its sidebar or its small-print pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas
from sample_layout import RGB, Flow, TextStyle, add_soft_hyphens, draw_cells


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    lead: str = ""  # printed bold before the text, e.g. "热点事件：" or "Key takeaway:"
    bullet: bool = False
    small: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    source: str = ""
    first_col: float = 0.34  # share of the width for the label column
    align: str = ""  # per column l | r; default: label left, numbers right


@dataclass(frozen=True)
class Chart:
    title: str
    series: tuple[tuple[str, tuple[float, ...]], ...]
    source: str
    x_labels: tuple[str, ...]
    height: float = 95.0
    percent: bool = True


@dataclass(frozen=True)
class KeyValue:
    rows: tuple[tuple[str, str], ...]
    emphasize_first: bool = False


@dataclass(frozen=True)
class SideTitle:
    text: str


@dataclass(frozen=True)
class Break:
    """Start a new page in `mode` ("body" or "boilerplate")."""

    mode: str = "body"


@dataclass(frozen=True)
class Kind:
    """Everything after this marker is content or boilerplate (disclaimers, definitions)."""

    kind: str


Block = Heading | Para | Table | Chart | KeyValue | SideTitle | Break | Kind


@dataclass(frozen=True)
class StyleSet:
    body: TextStyle
    h1: TextStyle
    h2: TextStyle
    small: TextStyle
    table: TextStyle
    accent: RGB
    bullet: tuple[str, str, float]  # glyph, font, size
    indent_first: bool  # Chinese body paragraphs start two characters in
    hyphenate: bool
    title_bar: bool = False  # side titles as a filled bar (else underlined)
    para_gap: float = 3.0
    palette: tuple[RGB, ...] = field(default=((0.75, 0.1, 0.1), (0.35, 0.35, 0.35)))


def _bold_mask(lead: str, text: str) -> list[bool]:
    return [True] * len(lead) + [False] * len(text)


def render(flow: Flow, blocks: list[Block], st: StyleSet) -> None:
    for block in blocks:
        if isinstance(block, Kind):
            flow.kind = block.kind
        elif isinstance(block, Break):
            flow.new_page(block.mode)
        elif isinstance(block, Heading):
            _heading(flow, block, st)
        elif isinstance(block, Para):
            _para(flow, block, st)
        elif isinstance(block, Table):
            _table(flow, block, st)
        elif isinstance(block, Chart):
            _chart(flow, block, st)
        elif isinstance(block, KeyValue):
            _key_value(flow, block, st)
        elif isinstance(block, SideTitle):
            _side_title(flow, block, st)
        else:
            raise TypeError(block)


def _heading(flow: Flow, block: Heading, st: StyleSet) -> None:
    style = st.h1 if block.level == 1 else st.h2
    flow.space(style.leading * 0.5)
    if flow.room() < style.leading + 3 * st.body.leading:  # keep a heading with its text
        flow.next_frame()
    flow.page.headings.append(block.text)
    flow.paragraph(block.text, [True] * len(block.text), style, space_after=1.5)


def _para(flow: Flow, block: Para, st: StyleSet) -> None:
    style = st.small if block.small else st.body
    body = add_soft_hyphens(block.text) if st.hyphenate else block.text
    text = block.lead + body
    indent = 2 * style.size if (st.indent_first and not block.bullet and not block.small) else 0.0
    if block.bullet:
        glyph, font, size = st.bullet
        hang = style.size * 1.3
        flow.paragraph(text, _bold_mask(block.lead, body), style, hang=hang,
                       bullet=(glyph, font, size * style.size / 10), hyphenate=st.hyphenate,
                       space_after=st.para_gap)
    else:
        flow.paragraph(text, _bold_mask(block.lead, body), style, indent_first=indent,
                       hyphenate=st.hyphenate, space_after=st.para_gap * (0.6 if block.small else 1))


def _caption(flow: Flow, text: str, st: StyleSet, bold: bool) -> None:
    style = st.table if bold else st.small
    flow.paragraph(text, [bold] * len(text), style, space_after=1.0)


def _table(flow: Flow, block: Table, st: StyleSet) -> None:
    style = st.table
    row_h = style.size * 1.75
    height = row_h * (len(block.rows) + 1) + 4
    if block.title and flow.room() < style.leading + height:
        flow.next_frame()
    if block.title:
        _caption(flow, block.title, st, bold=True)
    accent = st.accent
    ncols = len(block.header)

    def draw(c: Canvas, x: float, top: float, width: float) -> None:
        first = width * block.first_col if ncols > 1 else width
        other = (width - first) / max(ncols - 1, 1)
        align = block.align or "l" + "r" * (ncols - 1)
        lefts = [x] + [x + first + other * k for k in range(ncols - 1)]
        rights = [x + first] + [x + first + other * (k + 1) for k in range(ncols - 1)]
        anchors = [(lx + 2, "l") if a == "l" else (rx - 2, "r") for lx, rx, a in zip(lefts, rights, align)]
        light = tuple(1 - (1 - v) * 0.18 for v in accent)
        c.setFillColorRGB(*light)
        c.rect(x, top - row_h, width, row_h, stroke=0, fill=1)
        c.setStrokeColorRGB(*accent)
        c.setLineWidth(0.9)
        c.line(x, top, x + width, top)
        y = top - row_h + (row_h - style.size) / 2 + 1
        draw_cells(c, y, [(ax, h, al) for (ax, al), h in zip(anchors, block.header)], style, bold=True)
        c.setStrokeColorRGB(0.75, 0.75, 0.75)
        c.setLineWidth(0.3)
        for r, row in enumerate(block.rows):
            y_top = top - row_h * (r + 1)
            if r:
                c.line(x, y_top, x + width, y_top)
            y = y_top - row_h + (row_h - style.size) / 2 + 1
            draw_cells(c, y, [(ax, v, al) for (ax, al), v in zip(anchors, row)], style)
        c.setStrokeColorRGB(*accent)
        c.setLineWidth(0.9)
        bottom = top - row_h * (len(block.rows) + 1)
        c.line(x, bottom, x + width, bottom)

    flow.place(height - 4, draw)
    flow.space(2)
    if block.source:
        _caption(flow, block.source, st, bold=False)
    flow.space(st.para_gap + 2)


def _chart(flow: Flow, block: Chart, st: StyleSet) -> None:
    if flow.room() < st.table.leading + block.height + 2 * st.small.leading:
        flow.next_frame()
    if block.title:
        _caption(flow, block.title, st, bold=True)
    values = [v for _, series in block.series for v in series]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    small = st.small
    legend_h = small.leading + 2

    def draw(c: Canvas, x: float, top: float, width: float) -> None:
        label_w = small.width("-100%") + 3
        left, right = x + label_w, x + width - 2
        y_hi, y_lo = top - legend_h - 4, top - block.height + small.leading
        # legend
        lx = left
        for (name, _), color in zip(block.series, st.palette):
            c.setStrokeColorRGB(*color)
            c.setLineWidth(1.2)
            c.line(lx, top - small.size / 2 - 1, lx + 12, top - small.size / 2 - 1)
            draw_cells(c, top - small.size, [(lx + 15, name, "l")], small)
            lx += 15 + small.width(name) + 10
        c.setStrokeColorRGB(0.6, 0.6, 0.6)
        c.setLineWidth(0.4)
        c.line(left, y_lo, right, y_lo)
        c.line(left, y_lo, left, y_hi)
        for k in range(3):
            v = lo + span * k / 2
            yy = y_lo + (y_hi - y_lo) * k / 2
            text = f"{round(v) + 0:.0f}" + ("%" if block.percent else "")
            draw_cells(c, yy - small.size / 3, [(left - 2, text, "r")], small)
        labels = block.x_labels
        if sum(small.width(t) for t in labels) > (right - left) * 0.7:  # too crowded: keep the ends
            labels = (labels[0], labels[-1])
        for k, text in enumerate(labels):
            xx = left + (right - left) * k / max(len(labels) - 1, 1)
            align = "l" if k == 0 else "r" if k == len(labels) - 1 else "c"
            draw_cells(c, y_lo - small.size - 1, [(xx, text, align)], small)
        for (_, series), color in zip(block.series, st.palette):
            c.setStrokeColorRGB(*color)
            c.setLineWidth(0.9)
            path = c.beginPath()
            for k, v in enumerate(series):
                px = left + (right - left) * k / (len(series) - 1)
                py = y_lo + (y_hi - y_lo) * (v - lo) / span
                path.moveTo(px, py) if k == 0 else path.lineTo(px, py)
            c.drawPath(path, stroke=1, fill=0)

    flow.place(block.height, draw)
    if block.source:
        _caption(flow, block.source, st, bold=False)
    flow.space(st.para_gap + 2)


def _key_value(flow: Flow, block: KeyValue, st: StyleSet) -> None:
    style = st.table
    for k, (label, value) in enumerate(block.rows):
        big = block.emphasize_first and k == 0
        row_style = TextStyle(style.font, style.size * (1.35 if big else 1.0), style.leading * (1.45 if big else 1.0),
                              style.bold_font, st.accent if big else style.color)

        def draw(c: Canvas, x: float, top: float, width: float, label=label, value=value,
                 rs=row_style, big=big) -> None:
            y = top - rs.size - 1
            c.setFillColorRGB(*rs.color)
            draw_cells(c, y, [(x, label, "l")], rs, bold=big)
            draw_cells(c, y, [(x + width, value, "r")], rs, bold=big)
            c.setStrokeColorRGB(0.8, 0.8, 0.8)
            c.setLineWidth(0.3)
            c.line(x, top - rs.leading + 1, x + width, top - rs.leading + 1)

        flow.place(row_style.leading, draw)
    flow.space(st.para_gap + 2)


def _side_title(flow: Flow, block: SideTitle, st: StyleSet) -> None:
    style = st.h2
    height = style.leading + 3
    if flow.room() < height + 2 * st.table.leading:
        flow.next_frame()
    flow.page.headings.append(block.text)
    accent, bar = st.accent, st.title_bar

    def draw(c: Canvas, x: float, top: float, width: float) -> None:
        if bar:
            c.setFillColorRGB(*accent)
            c.rect(x, top - style.leading - 1, width, style.leading + 1, stroke=0, fill=1)
            white = TextStyle(style.font, style.size, style.leading, style.bold_font, (1.0, 1.0, 1.0))
            draw_cells(c, top - style.size - 2, [(x + 3, block.text, "l")], white, bold=True)
        else:
            colored = TextStyle(style.font, style.size, style.leading, style.bold_font, accent)
            draw_cells(c, top - style.size - 1, [(x, block.text, "l")], colored, bold=True)
            c.setStrokeColorRGB(*accent)
            c.setLineWidth(0.8)
            c.line(x, top - style.leading, x + width, top - style.leading)

    flow.place(height, draw)
