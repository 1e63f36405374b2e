"""The deadline phrase table (#14): every form plans use, read on its own as `calgen resolve`
reads it, with (plan year, issue date) → (kind, nominal, span); in running text; and the
property that no fragment of a longer expression is ever dated.

The forms come from the genre: ../shared/GENRE.md ("How deadlines are written"), the realworld
plans and the seed plans.  Every phrase below is written for this table."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calgen.errors import DeadlineError
from calgen.extract.deadlines import Context, Where, find
from calgen.settings import Conventions, MonthBefore, YearBefore

from .conftest import RULES, rules_for

D = dt.date
Y, ISSUED = 2021, D(2021, 4, 16)      # the plan year and issue date of most rows


def S(a, b):
    return (a, b)


# (phrase, plan year, issue date) → [(kind, nominal, span)]; None = refused (not understood)
TABLE = [
    # months: 底 / 末 / 前 / 份 / 内 / 中 / 旬 / 初
    ("6月底前", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("分别于6月底、11月底前", Y, None, [("deadline", D(2021, 6, 30), None), ("deadline", D(2021, 11, 30), None)]),
    ("六月底前", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("十二月底前", Y, None, [("deadline", D(2021, 12, 31), None)]),
    ("6月末", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("6月底", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("6月底以前", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("6月份前", Y, None, [("deadline", D(2021, 5, 31), None)]),
    ("6月前", Y, None, [("deadline", D(2021, 5, 31), None)]),
    ("6月内", Y, None, [("deadline", D(2021, 6, 30), S(D(2021, 6, 1), D(2021, 6, 30)))]),
    ("6月份完成", Y, None, [("deadline", D(2021, 6, 30), S(D(2021, 6, 1), D(2021, 6, 30)))]),
    ("6月上旬前", Y, None, [("deadline", D(2021, 6, 10), S(D(2021, 6, 1), D(2021, 6, 10)))]),
    ("6月中旬前", Y, None, [("deadline", D(2021, 6, 20), S(D(2021, 6, 11), D(2021, 6, 20)))]),
    ("6月下旬前", Y, None, [("deadline", D(2021, 6, 30), S(D(2021, 6, 21), D(2021, 6, 30)))]),
    ("2月下旬前", 2024, None, [("deadline", D(2024, 2, 29), S(D(2024, 2, 21), D(2024, 2, 29)))]),
    ("6月上旬", Y, None, [("period", D(2021, 6, 10), S(D(2021, 6, 1), D(2021, 6, 10)))]),
    ("6月中旬", Y, None, [("period", D(2021, 6, 20), S(D(2021, 6, 11), D(2021, 6, 20)))]),
    ("6月下旬", Y, None, [("period", D(2021, 6, 30), S(D(2021, 6, 21), D(2021, 6, 30)))]),
    ("6月初", Y, None, [("period", D(2021, 6, 10), S(D(2021, 6, 1), D(2021, 6, 10)))]),
    ("7月初前", Y, None, [("deadline", D(2021, 7, 10), S(D(2021, 7, 1), D(2021, 7, 10)))]),
    ("6月中", Y, None, [("period", D(2021, 6, 20), S(D(2021, 6, 11), D(2021, 6, 20)))]),
    ("6月中前", Y, None, [("deadline", D(2021, 6, 20), S(D(2021, 6, 11), D(2021, 6, 20)))]),
    ("6月份", Y, None, [("period", D(2021, 6, 30), S(D(2021, 6, 1), D(2021, 6, 30)))]),
    ("8月", Y, None, [("period", D(2021, 8, 31), S(D(2021, 8, 1), D(2021, 8, 31)))]),
    ("今年六月", Y, None, [("period", D(2021, 6, 30), S(D(2021, 6, 1), D(2021, 6, 30)))]),
    ("2023年8月", Y, None, [("period", D(2023, 8, 31), S(D(2023, 8, 1), D(2023, 8, 31)))]),
    ("2019年3月底前", Y, None, [("deadline", D(2019, 3, 31), None)]),
    ("二〇二三年六月底前", Y, None, [("deadline", D(2023, 6, 30), None)]),
    ("二零二三年六月底前", Y, None, [("deadline", D(2023, 6, 30), None)]),
    ("19年6月底前", Y, None, [("deadline", D(2019, 6, 30), None)]),
    ("24年3月底前", Y, None, [("deadline", D(2024, 3, 31), None)]),
    ("明年3月底前", Y, None, [("deadline", D(2022, 3, 31), None)]),
    ("次年3月底前", Y, None, [("deadline", D(2022, 3, 31), None)]),
    ("去年12月底前", Y, None, [("deadline", D(2020, 12, 31), None)]),
    ("今年9月底前", Y, None, [("deadline", D(2021, 9, 30), None)]),
    ("当年9月底前", Y, None, [("deadline", D(2021, 9, 30), None)]),
    ("上年12月底前", Y, None, [("deadline", D(2020, 12, 31), None)]),
    # days
    ("11月30日前", Y, None, [("deadline", D(2021, 11, 30), None)]),
    ("11月30日以前", Y, None, [("deadline", D(2021, 11, 30), None)]),
    ("11月30日之前", Y, None, [("deadline", D(2021, 11, 30), None)]),
    ("10月13日之内", Y, None, [("deadline", D(2021, 10, 13), None)]),
    ("10月13日内", Y, None, [("deadline", D(2021, 10, 13), None)]),
    ("10月13号前", Y, None, [("deadline", D(2021, 10, 13), None)]),
    # a time of day between the date and 前 (notices: 于6月20日18:00前报送): the day is due
    ("6月20日18:00前", Y, None, [("deadline", D(2021, 6, 20), None)]),
    ("6月20日18：00前", Y, None, [("deadline", D(2021, 6, 20), None)]),
    ("6月30日下午5点前", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("7月5日12时前", Y, None, [("deadline", D(2021, 7, 5), None)]),
    ("2021年7月5日上午10:30以前", Y, None, [("deadline", D(2021, 7, 5), None)]),
    ("2021年2月3日前", 2020, None, [("deadline", D(2021, 2, 3), None)]),
    ("2023年8月12日", Y, None, [("point", D(2023, 8, 12), None)]),
    ("8月12日", Y, None, [("point", D(2021, 8, 12), None)]),
    ("二〇二二年三月一日", Y, None, [("point", D(2022, 3, 1), None)]),
    ("于2019年3月1日", 2018, None, [("point", D(2019, 3, 1), None)]),
    ("延长至2022年4月30日", Y, None, [("point", D(2022, 4, 30), None)]),
    ("截至2023年6月30日", 2023, None, [("deadline", D(2023, 6, 30), None)]),
    ("截止到2023年6月30日", 2023, None, [("deadline", D(2023, 6, 30), None)]),
    ("截止2023年6月30日", 2023, None, [("deadline", D(2023, 6, 30), None)]),
    ("截至6月30日", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("到6月30日为止", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("6月30日为止", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("截至2024年底", 2023, None, [("deadline", D(2024, 12, 31), None)]),
    ("到6月底为止", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("到2025年为止", Y, None, [("deadline", D(2025, 12, 31), None)]),
    ("615日前", Y, None, [("deadline", D(2021, 6, 15), None)]),
    # years and year ends
    ("年底前", Y, None, [("deadline", D(2021, 12, 31), None)]),
    ("年底", Y, None, [("deadline", D(2021, 12, 31), None)]),
    ("年末", Y, None, [("deadline", D(2021, 12, 31), None)]),
    ("岁末", Y, None, [("deadline", D(2021, 12, 31), S(D(2021, 12, 1), D(2021, 12, 31)))]),
    ("今年年底前", Y, None, [("deadline", D(2021, 12, 31), None)]),
    ("今年底", Y, None, [("deadline", D(2021, 12, 31), None)]),
    ("明年底前", Y, None, [("deadline", D(2022, 12, 31), None)]),
    ("明年年底", Y, None, [("deadline", D(2022, 12, 31), None)]),
    ("去年底", Y, None, [("deadline", D(2020, 12, 31), None)]),
    ("前年底", Y, None, [("deadline", D(2019, 12, 31), None)]),
    ("次年底前", Y, None, [("deadline", D(2022, 12, 31), None)]),
    ("2020年底前", 2018, None, [("deadline", D(2020, 12, 31), None)]),
    ("2020年年底前", 2018, None, [("deadline", D(2020, 12, 31), None)]),
    ("2020年末", 2018, None, [("deadline", D(2020, 12, 31), None)]),
    ("19年底", Y, None, [("deadline", D(2019, 12, 31), None)]),
    ("19年底前", Y, None, [("deadline", D(2019, 12, 31), None)]),
    ("二〇二四年底", Y, None, [("deadline", D(2024, 12, 31), None)]),
    ("二〇二四年底前", Y, None, [("deadline", D(2024, 12, 31), None)]),
    ("到2020年底", 2019, None, [("deadline", D(2020, 12, 31), None)]),
    ("2024年", Y, None, [("period", D(2024, 12, 31), S(D(2024, 1, 1), D(2024, 12, 31)))]),
    ("24年", Y, None, [("period", D(2024, 12, 31), S(D(2024, 1, 1), D(2024, 12, 31)))]),
    ("到2025年", Y, None, [("deadline", D(2025, 12, 31), None)]),
    ("到2035年", Y, None, [("deadline", D(2035, 12, 31), None)]),
    ("力争2022年", Y, None, [("deadline", D(2022, 12, 31), None)]),
    ("到二〇二五年", Y, None, [("deadline", D(2025, 12, 31), None)]),
    ("到二〇三五年", Y, None, [("deadline", D(2035, 12, 31), None)]),
    ("二〇三五年前", Y, None, [("deadline", D(2034, 12, 31), None)]),
    ("2025年前", Y, None, [("deadline", D(2024, 12, 31), None)]),
    ("2025年以前", Y, None, [("deadline", D(2024, 12, 31), None)]),
    ("2024年内", 2023, None, [("deadline", D(2024, 12, 31), S(D(2024, 1, 1), D(2024, 12, 31)))]),
    ("2024年度内", 2023, None, [("deadline", D(2024, 12, 31), S(D(2024, 1, 1), D(2024, 12, 31)))]),
    ("年内", Y, None, [("deadline", D(2021, 12, 31), S(D(2021, 1, 1), D(2021, 12, 31)))]),
    ("年度内", Y, None, [("deadline", D(2021, 12, 31), S(D(2021, 1, 1), D(2021, 12, 31)))]),
    ("今年内", Y, None, [("deadline", D(2021, 12, 31), S(D(2021, 1, 1), D(2021, 12, 31)))]),
    ("全年", Y, None, [("period", D(2021, 12, 31), S(D(2021, 1, 1), D(2021, 12, 31)))]),
    ("明年", Y, None, [("period", D(2022, 12, 31), S(D(2022, 1, 1), D(2022, 12, 31)))]),
    ("今明两年", Y, None, [("deadline", D(2022, 12, 31), S(D(2021, 1, 1), D(2022, 12, 31)))]),
    ("今明两年内", Y, None, [("deadline", D(2022, 12, 31), S(D(2021, 1, 1), D(2022, 12, 31)))]),
    # parts of a year
    ("年初", Y, None, [("deadline", D(2021, 1, 31), S(D(2021, 1, 1), D(2021, 1, 31)))]),
    ("2024年初", Y, None, [("deadline", D(2024, 1, 31), S(D(2024, 1, 1), D(2024, 1, 31)))]),
    ("明年初", Y, None, [("deadline", D(2022, 1, 31), S(D(2022, 1, 1), D(2022, 1, 31)))]),
    ("岁初", Y, None, [("deadline", D(2021, 1, 31), S(D(2021, 1, 1), D(2021, 1, 31)))]),
    ("年中", Y, None, [("deadline", D(2021, 6, 30), S(D(2021, 6, 1), D(2021, 6, 30)))]),
    ("2022年中", Y, None, [("deadline", D(2022, 6, 30), S(D(2022, 6, 1), D(2022, 6, 30)))]),
    ("上半年", Y, None, [("deadline", D(2021, 6, 30), S(D(2021, 1, 1), D(2021, 6, 30)))]),
    ("下半年", Y, None, [("deadline", D(2021, 12, 31), S(D(2021, 7, 1), D(2021, 12, 31)))]),
    ("2022年上半年", Y, None, [("deadline", D(2022, 6, 30), S(D(2022, 1, 1), D(2022, 6, 30)))]),
    ("明年上半年", Y, None, [("deadline", D(2022, 6, 30), S(D(2022, 1, 1), D(2022, 6, 30)))]),
    # quarters
    ("一季度末", Y, None, [("deadline", D(2021, 3, 31), S(D(2021, 1, 1), D(2021, 3, 31)))]),
    ("一季度末前", Y, None, [("deadline", D(2021, 3, 31), S(D(2021, 1, 1), D(2021, 3, 31)))]),
    ("第三季度", Y, None, [("deadline", D(2021, 9, 30), S(D(2021, 7, 1), D(2021, 9, 30)))]),
    ("三季度末", Y, None, [("deadline", D(2021, 9, 30), S(D(2021, 7, 1), D(2021, 9, 30)))]),
    ("第4季度内", Y, None, [("deadline", D(2021, 12, 31), S(D(2021, 10, 1), D(2021, 12, 31)))]),
    ("三季度前", Y, None, [("deadline", D(2021, 6, 30), None)]),
    ("2022年第二季度", Y, None, [("deadline", D(2022, 6, 30), S(D(2022, 4, 1), D(2022, 6, 30)))]),
    ("07年第三季度", Y, None, [("deadline", D(2007, 9, 30), S(D(2007, 7, 1), D(2007, 9, 30)))]),
    ("去年四季度", Y, None, [("deadline", D(2020, 12, 31), S(D(2020, 10, 1), D(2020, 12, 31)))]),
    ("明年一季度", Y, None, [("deadline", D(2022, 3, 31), S(D(2022, 1, 1), D(2022, 3, 31)))]),
    ("二〇二二年第一季度", Y, None, [("deadline", D(2022, 3, 31), S(D(2022, 1, 1), D(2022, 3, 31)))]),
    # the first N quarters / months
    ("2021年前三季度", Y, None, [("deadline", D(2021, 9, 30), S(D(2021, 1, 1), D(2021, 9, 30)))]),
    ("前三季度", Y, None, [("deadline", D(2021, 9, 30), S(D(2021, 1, 1), D(2021, 9, 30)))]),
    ("2021年前两个季度", Y, None, [("deadline", D(2021, 6, 30), S(D(2021, 1, 1), D(2021, 6, 30)))]),
    ("前两个季度", Y, None, [("deadline", D(2021, 6, 30), S(D(2021, 1, 1), D(2021, 6, 30)))]),
    ("前三个季度", Y, None, [("deadline", D(2021, 9, 30), S(D(2021, 1, 1), D(2021, 9, 30)))]),
    ("2022年前十一个月", Y, None, [("deadline", D(2022, 11, 30), S(D(2022, 1, 1), D(2022, 11, 30)))]),
    ("前5个月", Y, None, [("deadline", D(2021, 5, 31), S(D(2021, 1, 1), D(2021, 5, 31)))]),
    ("前十个月", Y, None, [("deadline", D(2021, 10, 31), S(D(2021, 1, 1), D(2021, 10, 31)))]),
    ("首季度", Y, None, [("deadline", D(2021, 3, 31), S(D(2021, 1, 1), D(2021, 3, 31)))]),
    ("2022年首季度", Y, None, [("deadline", D(2022, 3, 31), S(D(2022, 1, 1), D(2022, 3, 31)))]),
    ("首季", Y, None, [("deadline", D(2021, 3, 31), S(D(2021, 1, 1), D(2021, 3, 31)))]),
    ("首月", Y, None, [("deadline", D(2021, 1, 31), S(D(2021, 1, 1), D(2021, 1, 31)))]),
    # relative to the issue date
    ("本季度", Y, ISSUED, [("period", D(2021, 6, 30), S(D(2021, 4, 1), D(2021, 6, 30)))]),
    ("本季度末", Y, ISSUED, [("deadline", D(2021, 6, 30), S(D(2021, 4, 1), D(2021, 6, 30)))]),
    ("本季度内", Y, ISSUED, [("deadline", D(2021, 6, 30), S(D(2021, 4, 1), D(2021, 6, 30)))]),
    ("上季度末", Y, ISSUED, [("deadline", D(2021, 3, 31), S(D(2021, 1, 1), D(2021, 3, 31)))]),
    ("下季度", Y, ISSUED, [("period", D(2021, 9, 30), S(D(2021, 7, 1), D(2021, 9, 30)))]),
    ("上季度末", Y, D(2021, 2, 1), [("deadline", D(2020, 12, 31), S(D(2020, 10, 1), D(2020, 12, 31)))]),
    ("本月", Y, ISSUED, [("period", D(2021, 4, 30), S(D(2021, 4, 1), D(2021, 4, 30)))]),
    ("本月底前", Y, ISSUED, [("deadline", D(2021, 4, 30), None)]),
    ("下月", Y, ISSUED, [("period", D(2021, 5, 31), S(D(2021, 5, 1), D(2021, 5, 31)))]),
    ("下月底前", Y, D(2021, 12, 5), [("deadline", D(2022, 1, 31), None)]),
    ("上月", Y, D(2021, 1, 5), [("period", D(2020, 12, 31), S(D(2020, 12, 1), D(2020, 12, 31)))]),
    ("本年度", Y, ISSUED, [("period", D(2021, 12, 31), S(D(2021, 1, 1), D(2021, 12, 31)))]),
    ("本季度", Y, None, None),                  # no issue date: refused, not guessed
    # ranges: a deadline on the last day, spanning from the first
    ("4月至6月", Y, None, [("deadline", D(2021, 6, 30), S(D(2021, 4, 1), D(2021, 6, 30)))]),
    ("4至6月", Y, None, [("deadline", D(2021, 6, 30), S(D(2021, 4, 1), D(2021, 6, 30)))]),
    ("4—6月", Y, None, [("deadline", D(2021, 6, 30), S(D(2021, 4, 1), D(2021, 6, 30)))]),
    ("11至12月", Y, None, [("deadline", D(2021, 12, 31), S(D(2021, 11, 1), D(2021, 12, 31)))]),
    ("11月至次年2月", Y, None, [("deadline", D(2022, 2, 28), S(D(2021, 11, 1), D(2022, 2, 28)))]),
    ("11月至2月", Y, None, [("deadline", D(2022, 2, 28), S(D(2021, 11, 1), D(2022, 2, 28)))]),
    ("2021年5月至2022年4月", Y, None, [("deadline", D(2022, 4, 30), S(D(2021, 5, 1), D(2022, 4, 30)))]),
    ("2021年5月至12月", Y, None, [("deadline", D(2021, 12, 31), S(D(2021, 5, 1), D(2021, 12, 31)))]),
    # two exact dates: a start and an exact end (the genre's reading of a dated range)
    ("5月1日至6月30日", Y, None, [("start", D(2021, 5, 1), None), ("point", D(2021, 6, 30), S(D(2021, 5, 1), D(2021, 6, 30)))]),
    ("5月1日至31日", Y, None, [("start", D(2021, 5, 1), None), ("point", D(2021, 5, 31), S(D(2021, 5, 1), D(2021, 5, 31)))]),
    ("2021年5月1日至2022年4月30日", Y, None,
     [("start", D(2021, 5, 1), None), ("point", D(2022, 4, 30), S(D(2021, 5, 1), D(2022, 4, 30)))]),
    ("6月至年底", Y, None, [("deadline", D(2021, 12, 31), S(D(2021, 6, 1), D(2021, 12, 31)))]),
    ("6月中旬至7月底", Y, None, [("deadline", D(2021, 7, 31), S(D(2021, 6, 11), D(2021, 7, 31)))]),
    ("2020至2025年", Y, None, [("deadline", D(2025, 12, 31), S(D(2020, 1, 1), D(2025, 12, 31)))]),
    ("2020—2022年", Y, None, [("deadline", D(2022, 12, 31), S(D(2020, 1, 1), D(2022, 12, 31)))]),
    ("2020-2022年", Y, None, [("deadline", D(2022, 12, 31), S(D(2020, 1, 1), D(2022, 12, 31)))]),
    ("2020年至2022年", Y, None, [("deadline", D(2022, 12, 31), S(D(2020, 1, 1), D(2022, 12, 31)))]),
    ("2021年至2022年6月", Y, None, [("deadline", D(2022, 6, 30), S(D(2021, 1, 1), D(2022, 6, 30)))]),
    ("2019年底至2020年", Y, None, [("deadline", D(2020, 12, 31), S(D(2019, 12, 1), D(2020, 12, 31)))]),
    ("2020至2025年底", Y, None, [("deadline", D(2025, 12, 31), S(D(2020, 1, 1), D(2025, 12, 31)))]),
    ("6月至3月", Y, None, [("deadline", D(2022, 3, 31), S(D(2021, 6, 1), D(2022, 3, 31)))]),
    ("2022年6月至2021年3月", Y, None, None),   # ends before it starts
    # five-year plans and long targets
    ("“十四五”时期", Y, None, [("period", D(2025, 12, 31), S(D(2021, 1, 1), D(2025, 12, 31)))]),
    ("十四五时期", Y, None, [("period", D(2025, 12, 31), S(D(2021, 1, 1), D(2025, 12, 31)))]),
    ("“十四五”期间", Y, None, [("period", D(2025, 12, 31), S(D(2021, 1, 1), D(2025, 12, 31)))]),
    ("“十四五”末", Y, None, [("deadline", D(2025, 12, 31), S(D(2021, 1, 1), D(2025, 12, 31)))]),
    ("到“十四五”末", Y, None, [("deadline", D(2025, 12, 31), S(D(2021, 1, 1), D(2025, 12, 31)))]),
    ("“十三五”期末", 2017, None, [("deadline", D(2020, 12, 31), S(D(2016, 1, 1), D(2020, 12, 31)))]),
    ("“十五五”时期", 2026, None, [("period", D(2030, 12, 31), S(D(2026, 1, 1), D(2030, 12, 31)))]),
    ("“十二五”末", 2012, None, [("deadline", D(2015, 12, 31), S(D(2011, 1, 1), D(2015, 12, 31)))]),
    # festivals
    ("春节前", 2023, D(2022, 11, 1), [("deadline", D(2023, 1, 20), None)]),
    ("国庆节前", 2023, None, [("deadline", D(2023, 9, 28), None)]),
    ("国庆前", 2023, None, [("deadline", D(2023, 9, 28), None)]),
    ("中秋节前", 2023, None, [("deadline", D(2023, 9, 28), None)]),
    ("五一前", 2023, None, [("deadline", D(2023, 4, 28), None)]),
    ("2024年春节前", 2023, None, [("deadline", D(2024, 2, 9), None)]),
    # starts
    ("从4月起", Y, None, [("start", D(2021, 4, 1), None)]),
    ("自2023年第二季度起", 2023, None, [("start", D(2023, 4, 1), None)]),
    ("2024年起", 2023, None, [("start", D(2024, 1, 1), None)]),
    ("从2021年5月1日起", Y, None, [("start", D(2021, 5, 1), None)]),
    ("6月1日起", Y, None, [("start", D(2021, 6, 1), None)]),
    ("自明年起", Y, None, [("start", D(2022, 1, 1), None)]),
    # recurring, durations, open
    ("每月10日前", Y, None, [("recurring", None, None)]),
    ("每季度末", Y, None, [("recurring", None, None)]),
    ("按季度", Y, None, [("recurring", None, None)]),
    ("每年3月底前", Y, None, [("recurring", None, None)]),
    ("每半年", Y, None, [("recurring", None, None)]),
    ("3个工作日内", Y, None, [("duration", None, None)]),
    ("5年内", Y, None, [("open", D(2025, 12, 31), None)]),
    ("长期坚持", Y, None, [("open", None, None)]),
    # fragments and impossible dates are refused, never dated
    ("6月31日前", Y, None, None),
    ("13月底前", Y, None, None),
    ("第五季度", Y, None, None),
    ("前五季度", Y, None, None),
    ("年底前三个月", Y, None, None),
    ("2021年前半个月", Y, None, None),
]


@pytest.mark.parametrize("phrase,year,issued,expected", TABLE, ids=[row[0] for row in TABLE])
def test_phrase_table(phrase, year, issued, expected):
    ctx = Context(year, issued, Where.ALONE)
    if expected is None:
        with pytest.raises(DeadlineError):
            got = find(phrase, ctx, RULES.phrases)
            assert got, "nothing found is also a refusal"
            pytest.fail(f"dated {got}")
        return
    got = [(m.kind, m.nominal, m.span) for m in find(phrase, ctx, RULES.phrases)]
    assert got == expected


def test_table_is_large_enough():
    assert len(TABLE) >= 150


# In running text a bare date is a date in passing; the by-words and fields make milestones.
IN_TEXT = [
    ("于2023年8月12日召开推进会", []),
    ("8月召开推进会", []),
    ("前三季度全省增长5%", []),                         # reports figures, sets no date
    ("力争前三季度完成", [("deadline", D(2021, 9, 30))]),
    ("前三季度完成改造", [("deadline", D(2021, 9, 30))]),
    ("确保完成全年经济社会发展目标", []),
    ("完成时限：全年", [("deadline", D(2021, 12, 31))]),
    ("完成时限：2021年8月", [("deadline", D(2021, 8, 31))]),
    ("完成时间：2022年", [("deadline", D(2022, 12, 31))]),
    ("“十四五”时期经济社会发展", []),
    ("确保“十三五”规划圆满收官", []),
    ("到“十四五”末，基本建成", [("deadline", D(2025, 12, 31))]),
    ("落实《行动计划（2021—2023年）》", []),
    ("印发2021—2023年行动计划", []),
    ("2021—2023年，每年培训1000人次", [("deadline", D(2023, 12, 31)), ("recurring", None)]),
    ("于2022年6月30日完成", [("deadline", D(2022, 6, 30))]),
    ("2023年初步实现统筹建设", [("deadline", D(2023, 12, 31))]),
    ("今年中央部署的任务", []),
    ("每月5日前报送上月情况", [("recurring", None)]),
    ("本月底前报送", []),                              # no issue date: a warning, see below
    ("提前年底完成", [("deadline", D(2021, 12, 31))]),
    ("在线上6月底前完成", [("deadline", D(2021, 6, 30))]),
    ("建立企业上报问题月报制度", []),
    ("实行季报", [("recurring", None)]),
    ("按照每年不低于20%的比例抽查", []),
    ("每年开展跨部门联合抽查次数达到总次数10%", []),
    ("建立每年评估机制", []),
    ("每年组织一次评估", [("recurring", None)]),
    ("按月报送进展", [("recurring", None)]),
    # #29: what a date in running text is not
    ("纳入年底效能目标考核体系", []),                                   # a year-end review
    ("年底前完成考核", [("deadline", D(2021, 12, 31))]),
    ("对2018年12月31日之前已完成转制的企业继续免征", []),                # who qualifies
    ("执行期限为2019年1月1日至2023年12月31日", []),                   # how long a policy holds
    ("自2019年1月1日起全面施行的《个人所得税法》", []),                 # a law in force, cited
    ("2019年初开始执行", [("start", D(2019, 1, 1))]),
    ("从2019年开始，启动试点", [("start", D(2019, 1, 1))]),
    ("自2022年开始实施", [("start", D(2022, 1, 1))]),
]


@pytest.mark.parametrize("text,expected", IN_TEXT, ids=[row[0] for row in IN_TEXT])
def test_in_running_text(text, expected):
    problems: list[DeadlineError] = []
    got = [(m.kind, m.nominal) for m in find(text, Context(2021), RULES.phrases, problems)]
    assert got == expected


def test_relative_to_an_unknown_issue_date_is_a_warning():
    problems: list[DeadlineError] = []
    assert find("本月底前报送", Context(2021), RULES.phrases, problems) == []
    assert "issue date" in problems[0].message


def test_recurring_anchors():
    [m] = find("每月10日前报送", Context(2021), RULES.phrases)
    assert (m.every, m.anchor) == ("month", (0, 10))
    [m] = find("每年3月底前报送", Context(2021), RULES.phrases)
    assert (m.every, m.anchor) == ("year", (3, 0))
    [m] = find("每季度首月10日前报送", Context(2021), RULES.phrases)
    assert (m.every, m.anchor) == ("quarter", (1, 10))
    occ = RULES.scheduler.occurrences(m, D(2021, 1, 1), D(2021, 12, 31))
    assert [o.nominal for o in occ] == [D(2021, 1, 10), D(2021, 4, 10), D(2021, 7, 10), D(2021, 10, 10)]
    problems: list[DeadlineError] = []
    assert find("每季度10日前报送", Context(2021), RULES.phrases, problems) == []
    assert problems and "which month" in problems[0].message


# ── the two conventions, flipped ──────────────────────────────────────────────────────────────

@pytest.mark.parametrize("conv,phrase,nominal", [
    (Conventions(), "6月前", D(2021, 5, 31)),
    (Conventions(month_before=MonthBefore.MONTH_END), "6月前", D(2021, 6, 30)),
    (Conventions(month_before=MonthBefore.MONTH_END), "三季度前", D(2021, 9, 30)),
    (Conventions(), "2025年前", D(2024, 12, 31)),
    (Conventions(year_before=YearBefore.YEAR_END), "2025年前", D(2025, 12, 31)),
])
def test_conventions_flip(conv, phrase, nominal):
    rules = rules_for(conventions=conv) if conv != Conventions() else RULES
    [m] = find(phrase, Context(2021, None, Where.ALONE), rules.phrases)
    assert m.nominal == nominal
    assert "month_" in m.reading or "year_" in m.reading


def test_the_default_conventions_are_decided_in_phrases_toml():
    assert RULES.phrases.conventions == RULES.phrases.vocab.conventions
    assert RULES.phrases.conventions.month_before == MonthBefore.MONTH_START


# ── property: a fragment of a longer expression is never dated ───────────────────────────────
# (fragment as written in a sentence, its reading alone, what may be put before or after it)

FRAGMENTS = [
    ("2021年前", ("deadline", D(2020, 12, 31)), [], ["三季度", "两个季度", "三个季度", "十一个月", "4个月",
                                                 "半年", "季度", "首季度"]),
    ("2021年，", ("deadline", D(2021, 12, 31)), [], ["初", "中", "上半年", "首季度", "第一季度", "前三季度"]),
    ("第三季度", ("deadline", D(2021, 9, 30)), ["07年", "去年", "上年", "19年", "二〇〇七年", "明年", "2019年"], []),
    ("年底前", ("deadline", D(2021, 12, 31)), ["去", "前", "19", "07", "上", "明", "二〇一九", "2019"], ["三个月"]),
    ("6月底前", ("deadline", D(2021, 6, 30)), ["19年", "去年", "明年", "二〇二二年", "2018年", "次年"], []),
    ("四季度", ("deadline", D(2021, 12, 31)), ["去年", "明年", "前年", "2020年", "19年"], []),
    ("3月前", ("deadline", D(2021, 2, 28)), ["去年", "2020年"], []),
]
NEUTRAL_BEFORE = ["", "于", "在", "并于", "，", "力争"]
NEUTRAL_AFTER = ["", "完成", "，", "。", "实现全覆盖"]


@st.composite
def _fragment_cases(draw):
    base, reading, before, after = draw(st.sampled_from(FRAGMENTS))
    options = [(q, "") for q in before] + [("", q) for q in after]
    pre, post = draw(st.sampled_from(options))
    if base.endswith("，") and post:
        text = base[:-1] + post + "，"
    else:
        text = pre + base + post
    return draw(st.sampled_from(NEUTRAL_BEFORE)) + text + draw(st.sampled_from(NEUTRAL_AFTER)), reading


@given(_fragment_cases())
def test_no_fragment_is_ever_dated(case):
    text, reading = case
    problems: list[DeadlineError] = []
    got = {(m.kind, m.nominal) for m in find(text, Context(Y), RULES.phrases, problems)}
    assert reading not in got, f"{text!r} was dated by a fragment: {reading}"


@pytest.mark.parametrize("base,reading,before,after", FRAGMENTS, ids=[f[0] for f in FRAGMENTS])
def test_fragments_alone_have_the_reading(base, reading, before, after):
    """The property above is not vacuous: each fragment alone is read as stated."""
    got = {(m.kind, m.nominal) for m in find(base + "完成", Context(Y), RULES.phrases)}
    assert reading in got


@pytest.mark.parametrize("form", __import__("calgen.extract.forms", fromlist=["FORMS"]).FORMS, ids=lambda f: f.name)
def test_every_form_reads_its_example(form):
    """#28: the grammar is a table of forms; each form's own example is found by that form."""
    from calgen.extract.deadlines import _kind

    grammar = RULES.phrases.grammar_alone
    matches = grammar.matches(form.example)
    assert matches and _kind(matches[-1]) == form.name, [(_kind(m), m.group(0)) for m in matches]


def test_the_table_covers_every_form():
    """Every form is read by at least one row of TABLE (its own rows of the phrase table)."""
    from calgen.extract.deadlines import _kind
    from calgen.extract.forms import FORMS

    seen = {_kind(m) for phrase, *_ in TABLE for m in RULES.phrases.grammar_alone.matches(phrase)}
    missing = [f.name for f in FORMS if f.name not in seen and f.name != "open_field"]
    assert not missing, missing


@pytest.mark.parametrize("text,phrase", [
    ("推进系统建设，2100年底前完成。", "2100年底前"),
    ("第5季度末完成验收。", "第5季度末"),
])
def test_what_reads_like_a_deadline_but_is_not_read_is_reported(text, phrase):
    """#31: never dropped without a word — a warning names the phrase."""
    problems = []
    assert find(text, Context(Y, ISSUED), RULES.phrases, problems) == []
    assert [p.phrase for p in problems] == [phrase]


@pytest.mark.parametrize("text", ["2019年以来，成效明显。", "占比达10%以上。", "2023年是全面落实的关键之年。"])
def test_context_years_are_not_reported(text):
    problems = []
    find(text, Context(Y, ISSUED), RULES.phrases, problems)
    assert problems == []
