"""People's names as research reports print them, and how analysts' e-mail addresses spell
them: Chinese surnames (compound ones first), every pinyin reading of a name, the Cantonese
surnames Hong Kong brokers write, and English names with particles, suffixes and initials.
Used by `report_rag.extract.analysts` to pair a name with the address beside it — both
halves must agree, so a stray name or address makes no person.
"""

from __future__ import annotations

import itertools
import re

# Lower-case particles an English surname may open with: "Arpad von Nemes", "Gael de-Bray".
SURNAME_PARTICLES = ("von", "van", "der", "den", "de", "da", "di", "du", "le", "la")


# Surnames: a Chinese name opens with one (一 in 100 people lack a common one; such a name is
# still read where a label or an attribute sits beside it). Compound surnames first.
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "宇文", "尉迟", "公孙", "慕容", "令狐", "长孙", "夏侯", "轩辕", "端木", "申屠")
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱"
    "江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪"
    "梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝"
    "区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕"
    "危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由赖"
)


def has_surname(name: str) -> bool:
    """Does a Chinese name open with a surname?"""
    return name.startswith(_COMPOUND_SURNAMES) or (len(name) >= 2 and name[0] in _SURNAMES)


# Hong Kong brokers spell surnames in Cantonese: 郑 Cheng, 陈 Chan, 黄 Wong …
_CANTONESE_SURNAMES = {
    "郑": "cheng", "陈": "chan", "黄": "wong", "王": "wong", "李": "lee", "梁": "leung", "何": "ho", "吴": "ng",
    "林": "lam", "曾": "tsang", "张": "cheung", "刘": "lau", "杨": "yeung", "周": "chow", "谢": "tse", "邓": "tang",
    "冯": "fung", "郭": "kwok", "罗": "lo", "卢": "lo", "许": "hui", "叶": "yip", "关": "kwan", "朱": "chu",
    "麦": "mak", "谭": "tam", "萧": "siu", "莫": "mok", "潘": "poon", "袁": "yuen", "蔡": "choi", "徐": "tsui",
    "区": "au", "施": "sze", "邱": "yau", "赵": "chiu", "苏": "so", "钟": "chung", "马": "ma", "孙": "suen",
}


def surname_readings(name: str) -> set[str]:
    """The ways an address may write a Chinese name's surname: every pinyin reading, and the
    Cantonese spelling Hong Kong brokers use."""
    from pypinyin import Style, pinyin

    surname = name[:2] if name.startswith(_COMPOUND_SURNAMES) else name[:1]
    options = (choices[:3] for choices in pinyin(surname, style=Style.NORMAL, heteronym=True))
    readings = {"".join(r) for r in itertools.product(*options)}
    return readings | ({_CANTONESE_SURNAMES[surname]} if surname in _CANTONESE_SURNAMES else set())


def pinyin_spellings(name: str) -> set[str]:
    """How an e-mail may spell a Chinese name: full pinyin (tangaijin), surname and the given
    name's initials (zengdh), surname's initial and the given name (zhangj…) — with every
    reading of each character (曾 is zeng as a surname)."""
    from pypinyin import Style, pinyin

    readings = [sorted({r for r in options if r.isalpha()}) or [""] for options in pinyin(name, style=Style.NORMAL, heteronym=True)]
    spellings: set[str] = set()
    surname_len = 2 if name.startswith(_COMPOUND_SURNAMES) else 1

    def walk(i: int, parts: list[str]) -> None:
        if i == len(readings):
            full = "".join(parts)
            surname, given = "".join(parts[:surname_len]), parts[surname_len:]
            spellings.update({full, surname + "".join(p[:1] for p in given), "".join(given) + surname})
            return
        for reading in readings[i][:3]:
            walk(i + 1, [*parts, reading])

    walk(0, [])
    return {s for s in spellings if len(s) >= 3}


_NAME_SUFFIXES = frozenset({"iii", "ii", "iv", "jr", "sr", "cfa", "cpa", "phd", "ph", "d", "frm", "acca"})


def _name_words(name: str) -> list[str]:
    plain = re.sub(r"['’]", "", name.split(",")[0])
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", plain) if len(w) > 1 or w.isupper()]
    while len(words) > 2 and words[-1] in _NAME_SUFFIXES:
        words.pop()  # "Frederick Gooding III" is spelled fgooding
    return words


def _english_spellings(name: str) -> set[str]:
    words = _name_words(name)
    if len(words) < 2:
        return set()
    first, last = words[0], words[-1]
    spellings = {first + last, first[0] + last, last + first[0], first + last[0], last, "".join(words)}
    return spellings | ({first} if len(first) >= 5 else set())


def address_spells(address: str, name: str) -> bool:
    """Does an e-mail's local part spell this English name? Letters alone ("aboone",
    "peterkpeng", "arpadvonnemes"), or dotted parts whose last is the surname and whose first
    is the given name or starts like it ("Patrick.D.Walravens", "thomas.omalley" for Tom)."""
    raw = address.split("@")[0].lower()
    local = re.sub(r"[^a-z]", "", raw)
    if len(local) >= 3 and local in _english_spellings(name):
        return True
    words = _name_words(name)
    parts = [re.sub(r"[^a-z]", "", part) for part in re.split(r"[._\-]", raw)]
    parts = [part for part in parts if part]
    if len(words) < 2 or len(parts) < 2:
        return False
    surname = "".join(words[1:]) if len(words) > 2 and len(words[-1]) > 1 and words[1] in SURNAME_PARTICLES else words[-1]
    return parts[-1] == surname and (parts[0] == words[0] or (len(parts[0]) > 1 and parts[0][0] == words[0][0]))
