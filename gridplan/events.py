"""Mapping free-text incident categories to the national event classes (城管事件大类).

Exports from 12319 hotlines, 数字城管 platforms and patrol apps use hundreds of local labels
("暴露垃圾", "跨门营业", "乱张贴"…). We keep the original label and add one of the six national
classes. The default keyword table covers the common Chinese and English labels; callers can pass
an explicit ``{label: class}`` mapping that takes precedence.
"""

from __future__ import annotations

from collections.abc import Mapping

from gridplan.model import EventClass

#: Keywords per class, checked in this order (first hit wins). Order matters: "施工垃圾" is
#: dumping (市容环境) before construction, "占道施工" is construction before street order.
DEFAULT_KEYWORDS: tuple[tuple[EventClass, tuple[str, ...]], ...] = (
    (
        EventClass.EMERGENCY,
        (
            "突发",
            "火灾",
            "起火",
            "塌",
            "爆",
            "泄漏",
            "井盖缺失",
            "险情",
            "事故",
            "emergency",
            "fire",
            "collapse",
            "flood",
        ),
    ),
    (
        EventClass.CITYSCAPE,
        (
            "垃圾",
            "倾倒",
            "偷倒",
            "乱倒",
            "渣土",
            "堆物",
            "堆积",
            "积水",
            "污水",
            "脏",
            "乱扔",
            "粪",
            "绿地",
            "绿化",
            "焚烧",
            "油烟",
            "市容",
            "环境卫生",
            "dump",
            "litter",
            "garbage",
            "rubbish",
            "waste",
            "trash",
            "graffiti",
        ),
    ),
    (
        EventClass.ADVERTISING,
        (
            "广告",
            "招牌",
            "牌匾",
            "张贴",
            "横幅",
            "涂写",
            "刻画",
            "标语",
            "宣传",
            "advert",
            "poster",
            "billboard",
            "banner",
            "signboard",
        ),
    ),
    (
        EventClass.CONSTRUCTION,
        (
            "施工",
            "工地",
            "违建",
            "违法建设",
            "搭建",
            "装修",
            "围挡",
            "拆除",
            "construction",
            "building",
            "renovation",
            "scaffold",
        ),
    ),
    (
        EventClass.STREET_ORDER,
        (
            "占道",
            "摊",
            "无照",
            "经营",
            "跨门",
            "乱停",
            "停放",
            "停车",
            "烧烤",
            "乞讨",
            "散发",
            "兜售",
            "街面",
            "秩序",
            "hawker",
            "vendor",
            "stall",
            "parking",
            "busking",
            "street order",
        ),
    ),
)

_BY_VALUE = {c.value: c for c in EventClass} | {c.name.lower(): c for c in EventClass}


def classify(label: object, mapping: Mapping[str, str] | None = None) -> EventClass:
    """The national class of a category label; unknown labels are 其他 (other)."""
    text = "" if label is None else str(label).strip()
    if mapping and text in mapping:
        return _BY_VALUE.get(str(mapping[text]).strip().lower(), None) or EventClass(mapping[text])
    if text in _BY_VALUE or text.lower() in _BY_VALUE:
        return _BY_VALUE.get(text) or _BY_VALUE[text.lower()]
    low = text.lower()
    for cls, words in DEFAULT_KEYWORDS:
        if any(w in low for w in words):
            return cls
    return EventClass.OTHER
