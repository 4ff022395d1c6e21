"""Rating vocabulary (Chinese and English), normalisation, and reading a rating as printed.

Normalised scale: buy / outperform / neutral / underperform / sell. A broker's top rating
is "buy" on a stock scale (买入, 推荐 on 推荐/谨慎推荐/中性/回避, 强烈推荐, Buy) and
"outperform" on an industry scale (an industry is not bought: 推荐 for an industry, 看好,
领先大市 all read "outperform"), so `normalize_rating` takes the scope.

Three readers, all on width-folded text (see `evidence.fold`):

* `read_rating_value(text, at)`: a rating right after a label — term, risk grade, action
  and qualifiers as printed ("领先大市-A维持", "买入（维持）", "Buy (on CL)",
  "OUTPERFORM (upgraded from NEUTRAL)"); nothing when the text there is not a rating;
* `find_rating_labels(line)`: 投资评级 / 公司评级 / 行业评级 / Rating / Recommendation …
  with the scope the label names, and the previous-rating labels (原评级, Previous rating);
* `find_prose_ratings(text)`: statements such as 维持“买入”评级, 评级由“增持”上调至“买入”,
  "Reiterate Buy", "We upgrade X to Outperform from Neutral" (English terms must be
  capitalised there, so "a neutral stance" is not a rating).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from report_rag.text import CJK

_ZH_TERMS = {
    "买入": "buy", "强烈推荐": "buy", "强推": "buy", "推荐": "buy", "买进": "buy", "强烈买入": "buy",
    "增持": "outperform", "谨慎推荐": "outperform", "审慎推荐": "outperform", "谨慎增持": "outperform",
    "审慎增持": "outperform", "优于大市": "outperform", "强于大市": "outperform", "领先大市": "outperform",
    "跑赢大市": "outperform", "跑赢行业": "outperform", "优于行业": "outperform", "看好": "outperform",
    "超配": "outperform", "超越大市": "outperform",
    "中性": "neutral", "持有": "neutral", "同步大市": "neutral", "同步行业": "neutral", "标配": "neutral",
    "观望": "neutral",
    "减持": "underperform", "落后大市": "underperform", "弱于大市": "underperform", "跑输大市": "underperform",
    "跑输行业": "underperform", "弱于行业": "underperform", "看淡": "underperform", "低配": "underperform",
    "卖出": "sell", "回避": "sell", "强烈卖出": "sell",
}
_EN_TERMS = {
    "buy": "buy", "strong buy": "buy", "conviction buy": "buy",
    "outperform": "outperform", "overweight": "outperform", "accumulate": "outperform", "add": "outperform",
    "sector outperform": "outperform", "market outperform": "outperform", "moderate buy": "outperform",
    "hold": "neutral", "neutral": "neutral", "equal-weight": "neutral", "equal weight": "neutral",
    "equalweight": "neutral", "market perform": "neutral", "sector perform": "neutral", "market-perform": "neutral",
    "in-line": "neutral", "in line": "neutral", "peer perform": "neutral", "sector weight": "neutral",
    "reduce": "underperform", "underweight": "underperform", "underperform": "underperform",
    "sector underperform": "underperform", "market underperform": "underperform", "moderate sell": "underperform",
    "sell": "sell", "strong sell": "sell",
    # sector views some brokers use in place of a rating
    "attractive": "outperform", "positive": "outperform", "cautious": "underperform", "negative": "underperform",
}
_ACTIONS = {
    "首次覆盖": "initiate", "首次评级": "initiate", "首次": "initiate", "首予": "initiate", "新增": "initiate",
    "维持": "maintain", "重申": "maintain",
    "上调": "upgrade", "调高": "upgrade", "提升": "upgrade", "提高": "upgrade",
    "下调": "downgrade", "调低": "downgrade", "降低": "downgrade", "下降": "downgrade",
}
_EN_ACTION_STEMS = (
    ("initiat", "initiate"), ("reiterat", "maintain"), ("maintain", "maintain"), ("unchanged", "maintain"),
    ("stay", "maintain"), ("remain", "maintain"), ("keep", "maintain"), ("retain", "maintain"),
    ("upgrad", "upgrade"), ("raise", "upgrade"), ("downgrad", "downgrade"), ("cut", "downgrade"),
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"[\s-]?") for w in sorted(words, key=len, reverse=True))


ZH_TERM = _alternation(_ZH_TERMS)
EN_TERM = _alternation(_EN_TERMS)
_TERM_RE = re.compile(rf"(?P<zh>{ZH_TERM})|\b(?P<en>{EN_TERM})\b(?![-/][A-Za-z])", re.IGNORECASE)
_ZH_ACTION = _alternation(_ACTIONS)
_EN_ACTION = r"initiat\w*|reiterat\w*|maintain\w*|unchanged|upgrad\w*|downgrad\w*"
_OPEN, _CLOSE = r"[(\[【]", r"[)\]】]"
_QUOTES = "“”\"'‘’「」『』"

# What may follow a term as part of the printed rating.
_GRADE_RE = re.compile(r"\s*[-–—]\s*(?P<grade>[A-E])(?![A-Za-z])")
_ACTION_RE = re.compile(
    rf"\s*(?:[|/]\s*)?(?P<open>{_OPEN}\s*)?(?P<action>{_ZH_ACTION}|{_EN_ACTION})(?:评级|覆盖|coverage|rating)?"
    rf"(?:\s+from\s+(?P<previous>{EN_TERM}))?(?(open)\s*{_CLOSE})",
    re.IGNORECASE,
)
_QUALIFIER_RE = re.compile(rf"\s*{_OPEN}(?P<text>[A-Za-z {CJK}]{{1,12}}){_CLOSE}")
_LEAD_RE = re.compile(rf"[\s:|·•{_QUOTES}]*")


@dataclass(frozen=True, slots=True)
class RatingText:
    """A rating as read off the text: offsets are into the (folded) string read."""

    term: str
    start: int
    end: int
    grade: str | None = None
    action: str | None = None
    previous: str | None = None


def term_of(text: str) -> str | None:
    """The rating term that is all of `text` (a table cell), a risk grade allowed:
    "买入", "Buy", "增持-A"; else None."""
    cell = text.strip()
    match = _TERM_RE.match(cell)
    if match is None:
        return None
    rest = cell[match.end() :]
    return match.group() if not rest or _GRADE_RE.fullmatch(rest) else None


_STOCK_ONLY = frozenset(
    "买入 卖出 强烈买入 买进 强烈卖出 buy strong buy conviction buy sell strong sell accumulate reduce add hold".split(" ")
) | {"strong buy", "conviction buy", "strong sell"}


def is_stock_only(term: str) -> bool:
    """Terms only a stock gets (an industry is never "bought"): they fix the scope."""
    return re.sub(r"\s+", " ", term.strip().lower()) in _STOCK_ONLY


def normalize_rating(term: str | None, scope: str | None = None) -> str | None:
    """buy / outperform / neutral / underperform / sell for a term (see the module docstring)."""
    if not term:
        return None
    key = re.sub(r"[\s-]+", " ", term.strip().lower())
    normalized = _ZH_TERMS.get(term.strip()) or _EN_TERMS.get(key) or _EN_TERMS.get(key.replace(" ", "-"))
    if normalized is None:
        normalized = _EN_TERMS.get(key.replace(" ", ""))
    if scope == "industry" and normalized is not None:
        normalized = {"buy": "outperform", "sell": "underperform"}.get(normalized, normalized)
    return normalized


# The normalised scale from bottom to top: a broker's move between two of its notes.
RATING_LEVELS = ("sell", "underperform", "neutral", "outperform", "buy")


def rating_move(previous: str | None, current: str | None) -> str | None:
    """upgrade / downgrade / maintain between two normalised ratings of one broker, else None."""
    if previous not in RATING_LEVELS or current not in RATING_LEVELS:
        return None
    before, after = RATING_LEVELS.index(previous), RATING_LEVELS.index(current)
    return "upgrade" if after > before else "downgrade" if after < before else "maintain"


_UNRATED_RE = re.compile(r"^\s*(?:未评级|无评级|未覆盖|not\s+rated|unrated|NR)\s*$", re.IGNORECASE)


def is_unrated(text: str | None) -> bool:
    """A stock printed as explicitly unrated (未评级, "Not Rated"): no rating, not even the report's."""
    return bool(text and _UNRATED_RE.match(text))


def normalize_action(word: str | None) -> str | None:
    if not word:
        return None
    if word in _ACTIONS:
        return _ACTIONS[word]
    lowered = word.lower()
    for stem, action in _EN_ACTION_STEMS:
        if lowered.startswith(stem):
            return action
    return None


def read_rating_value(text: str, at: int = 0) -> RatingText | None:
    """The rating printed at `text[at:]` (after separators and quotes), or None."""
    lead = _LEAD_RE.match(text, at)
    assert lead is not None  # the pattern matches the empty string
    position = lead.end()
    term_match = _TERM_RE.match(text, position)
    if term_match is None or _continues_word(text, term_match):
        return None
    end = term_match.end()
    grade = action = previous = None
    # A closing quote may sit between the term and what follows: “买入”（维持）.
    after_quote = end + 1 if end < len(text) and text[end] in _QUOTES else end
    if (found := _GRADE_RE.match(text, after_quote)) is not None:
        grade, end = found.group("grade"), found.end()
        after_quote = end
    if (found := _ACTION_RE.match(text, after_quote)) is not None:
        action, end = normalize_action(found.group("action")), found.end()
        previous = found.group("previous")
    elif (found := _QUALIFIER_RE.match(text, after_quote)) is not None and not re.search(r"\d", found.group("text")):
        end = found.end()  # "Buy (on CL)", "Overweight (OW)": part of the printed rating
    return RatingText(term_match.group(), term_match.start(), end, grade, action, previous)


def _continues_word(text: str, match: re.Match[str]) -> bool:
    """A CJK term glued to more letters is another word (推荐 in 推荐关注, 增持 in 增持股份)."""
    if match.group("zh") is None:
        return False
    following = text[match.end() : match.end() + 2]
    return bool(following) and re.match(rf"[{CJK}]", following) is not None and not re.match(_ZH_ACTION, following)


# --- labels -------------------------------------------------------------------------------

_PREVIOUS_LABEL = (
    r"(?:上次|原|前次|上期|此前|原有|前期)(?:投资)?评级|previous\s+(?:rating|recommendation)|prior\s+rating"
)
_LABEL_RE = re.compile(
    # A label starts a line or follows a separator; glued to the text before it (a title
    # run into the sidebar by text extraction) only as "投资评级：".
    rf"(?:^|(?<=[\s|·•])|(?<=[{CJK}])(?=(?:投资|公司|股票|个股|行业)评级\s*:))(?:(?P<previous>{_PREVIOUS_LABEL})"
    r"|(?P<zh_scope>投资|公司|股票|个股|行业|证券)?(?:投资)?评级(?!说明|体系|标准|定义|规则|方法|分布|调整|变动)"
    r"|(?:最新|当前|本次)评级"
    r"|(?P<en_scope>investment|stock|company|sector|industry)?\s*(?:rating|recommendation)s?"
    r"(?!\s+(?:definition|system|distribution|key))"
    r"|(?P<en_view>sector|industry)\s+view)"
    r"(?:\s*[(][^()]{0,8}[)])?\s*:?",
    re.IGNORECASE,
)
_RISK_GRADE_PREFIX = re.compile(r"风险$")


@dataclass(frozen=True, slots=True)
class RatingLabel:
    start: int
    end: int  # where the value may start
    scope: str | None  # "company" | "industry" | None
    previous: bool  # 原评级 / Previous rating: the value is the rating before a change


def find_rating_labels(text: str) -> list[RatingLabel]:
    """Rating labels in one (folded) line."""
    labels = []
    for match in _LABEL_RE.finditer(text):
        if _RISK_GRADE_PREFIX.search(text[: match.start()]):
            continue  # 风险评级 is the risk grade's scale
        scope_word = (match.group("zh_scope") or match.group("en_scope") or match.group("en_view") or "").lower()
        scope = None
        if scope_word in {"行业", "sector", "industry"}:
            scope = "industry"
        elif scope_word in {"公司", "股票", "个股", "stock", "company"}:
            scope = "company"
        labels.append(RatingLabel(match.start(), match.end(), scope, match.group("previous") is not None))
    return labels


def is_bare_label(text: str) -> RatingLabel | None:
    """The label when the line is nothing but a rating label ("投资评级", "Rating:")."""
    stripped = text.strip()
    for label in find_rating_labels(stripped):
        if label.start == 0 and not stripped[label.end :].strip():
            return label
    return None


# --- ratings stated in prose ------------------------------------------------------------

_ZH_PROSE_RES = (
    # 评级由“增持”上调至“买入”
    re.compile(
        rf"评级由[{_QUOTES}]?(?P<previous>{ZH_TERM})[{_QUOTES}]?(?:评级)?(?P<action>{_ZH_ACTION}|调整)(?:至|为)"
        rf"[{_QUOTES}]?(?P<term>{ZH_TERM})"
    ),
    # 上调至买入评级 / 下调至中性
    re.compile(rf"(?P<action>上调|下调|调高|调低)(?:评级)?(?:至|为)[{_QUOTES}]?(?P<term>{ZH_TERM})"),
    # 维持“买入”评级 / 首次覆盖，给予计算机行业“强于大市”评级
    re.compile(
        rf"(?P<action>{_ZH_ACTION}|给予|予以)[^。;\n]{{0,14}}?[{_QUOTES}]?(?P<term>{ZH_TERM})[{_QUOTES}]?(?:的)?(?:投资)?评级"
    ),
    # "…成长逻辑，维持买入：" / "维持“增持”。": the action and the term with nothing after
    re.compile(rf"(?P<action>维持|重申)[{_QUOTES}]?(?P<term>{ZH_TERM})[{_QUOTES}]?(?=[:;,.。，；：]|$)"),
)
_EN_PROSE_RE = re.compile(
    rf"\b(?P<action>initiat\w*|reiterat\w*|maintain\w*|upgrad\w*|downgrad\w*|stay|remain|keep|retain)\b"
    r"(?P<filler>(?:\s+(?:coverage|our|the|stock|shares|it|to|at|with|an?|of|on|as|rating|previous|prior|existing|(?-i:[A-Z])[\w.&'-]*)){0,6}?)"
    rf"\s+(?P<term>{EN_TERM})\b(?:\s+rating)?(?:\s+from\s+(?P<previous>{EN_TERM})\b)?",
    re.IGNORECASE,
)


def find_prose_ratings(text: str) -> list[RatingText]:
    """Rating statements in a (folded) sentence or paragraph."""
    found: list[RatingText] = []
    for pattern in _ZH_PROSE_RES:
        for match in pattern.finditer(text):
            if any(f.start <= match.start("term") < f.end for f in found):
                continue
            previous = match.groupdict().get("previous")
            action = normalize_action(match.group("action"))
            found.append(RatingText(match.group("term"), match.start("term"), match.end("term"), None, action, previous))
    for match in _EN_PROSE_RE.finditer(text):
        term = match.group("term")
        if not term[0].isupper():
            continue  # "remain neutral on the sector" is a view; "stay Overweight" a rating
        action = normalize_action(match.group("action"))
        found.append(RatingText(term, match.start("term"), match.end("term"), None, action, match.group("previous")))
    return sorted(found, key=lambda r: r.start)
