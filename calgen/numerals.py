"""Chinese numerals as plans write them: 二十五, 一百零三, 二〇二一."""
from __future__ import annotations

from types import MappingProxyType

_DIGIT = MappingProxyType({"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9})


def cn_to_int(s: str) -> int | None:
    """二十五 → 25, 一百零三 → 103, 十 → 10, 二〇二一 → 2021; None for anything else."""
    known = _KNOWN.get(s)
    return known if known is not None else _cn_to_int(s)


def _cn_to_int(s: str) -> int | None:
    if not s or any(ch not in _DIGIT and ch not in "十百" for ch in s):
        return None
    if len(s) > 1 and all(ch in _DIGIT for ch in s):      # 二〇二一: digit by digit
        return int("".join(str(_DIGIT[ch]) for ch in s))
    total, current = 0, 0
    for ch in s:
        if ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            current = _DIGIT[ch]
    return total + current


def int_to_cn(n: int) -> str:
    if n < 10:
        return "一二三四五六七八九"[n - 1] if n > 0 else "零"
    if n < 20:
        return "十" + (int_to_cn(n % 10) if n % 10 else "")
    if n < 100:
        return int_to_cn(n // 10) + "十" + (int_to_cn(n % 10) if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + int_to_cn(rest) if rest < 10 else
                                 ("一" + int_to_cn(rest) if rest < 20 else int_to_cn(rest)))
    return int_to_cn(n // 100) + "百" + tail


# The numerals plans write most (labels, months, days, years as 二〇二一), read once at import.
_KNOWN = MappingProxyType({s: v for s in (*map(int_to_cn, range(1000)),
                                          *("".join("〇一二三四五六七八九"[int(c)] for c in str(y)) for y in range(1950, 2101)))
                           if (v := _cn_to_int(s)) is not None})
