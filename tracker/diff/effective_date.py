"""The date a policy states for itself: "Last updated: March 3, 2021", "Effective as of
2019-01-01", "Date of last revision: 3 March 2021".

A stamp is a label (``LABEL``) followed, within a few words, by a date in one of the formats
of ``_DATE``: "March 3, 2021", "Mar. 3rd 2021", "3 March 2021", "2021-03-03", "03/03/2021"
(month first, as US sites write it, unless the first number cannot be a month), "3.3.2021"
(day first), "2021/03/03" (year first), and "March 2021" (read as its first day). Labels and
month names in French, German, Spanish, Italian, Portuguese and Dutch (``EU_LABEL``: "Dernière
mise à jour : 12 mars 2024", "Stand: 1. März 2024") are read too, and after them 01/02/2024
is day first. The first stamp in reading order wins.

Chinese, Japanese and Korean stamps have labels of their own (``CJK_LABEL``: 更新日期,
生效日期, 最終更新日, 施行日, 시행일 ...) and write dates as 2024年3月1日, 2024년 3월 1일 or in a
Japanese era (令和6年3月1日); they are found without word boundaries, which those scripts lack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from tracker.diff import _cjk

# Month names in English, French, German, Spanish, Italian, Portuguese and Dutch; a name two
# languages share ("mai", "juli") is the same month in both.
MONTHS = {
    name: number
    for number, names in enumerate(
        ("jan january janv janvier januar jänner enero gennaio janeiro januari",
         "feb february févr fevr février fevrier februar febrero febbraio fevereiro februari",
         "mar march mars märz marz marzo março maart",
         "apr april avr avril abril aprile",
         "may mai mayo maggio maio mei",
         "jun june juin juni junio giugno junho",
         "jul july juil juillet juli julio luglio julho",
         "aug august août aout agosto augustus",
         "sep sept september septembre septiembre setiembre settembre setembro",
         "oct october octobre oktober octubre ottobre outubro",
         "nov november novembre noviembre novembro",
         "dec december déc déc décembre decembre dezember diciembre dicembre dezembro"),
        start=1,
    )
    for name in names.split()
}

LABEL = (
    r"(?:last|most recently) (?:updated|modified|revised|changed|amended)"
    r"|date of (?:the )?last (?:revision|update|modification)"
    r"|effective(?: date)?|updated(?: on)?|revised(?: on)?|last (?:revision|update)|version date|as of"
)
# The same labels in French, German, Spanish, Italian, Portuguese and Dutch, whose sites write
# 01/02/2024 day first.
EU_LABEL = (
    r"(?:date de (?:la )?)?(?:dernière )?mise à jour(?: le)?|mis à jour le|date d'(?:entrée en vigueur|effet)"
    r"|en vigueur (?:à compter du|à partir du|au|le|depuis le)|version (?:du|en vigueur)"
    r"|(?:zuletzt )?(?:aktualisiert|geändert)(?: am)?|stand|gültig (?:ab|seit)|letzte (?:aktualisierung|änderung)"
    r"|(?:fecha de (?:la )?)?(?:última )?actualización|actualizad[oa] (?:el|en)|vigente desde"
    r"|(?:fecha de )?entrada en vigor|en vigor desde"
    r"|(?:ultimo )?aggiornamento|aggiornat[oa] (?:il|al)|in vigore dal|data di entrata in vigore"
    r"|(?:última )?atualização|atualizad[oa] em|em vigor (?:desde|a partir de)"
    r"|laatst (?:bijgewerkt|gewijzigd)(?: op)?|bijgewerkt op|van kracht (?:vanaf|per)"
)
CJK_LABEL = (
    r"(?:更新|生效|发布|發布|修订|修訂|版本)(?:日期|时间|時間)|最近更新|最后更新|最终更新|最後更新|更新于|更新於|生效于|生效於"
    r"|最終(?:更新|改定|改訂)日?|(?:改定|改訂|施行|制定|発効|効力発生|更新)日|시행\s?일자?|최종\s?(?:수정|개정)일|개정일|공고일자"
)
# Japanese eras: the year before an era's first year (令和元年 = 2019).
ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|\.|º)?"  # 3rd, 1er, 1. (German), 1º
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_FORMATS = (
    rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}",  # March 3, 2021
    rf"{_DAY}(?:\s+(?:of|de))?\s+{_MONTH},?(?:\s+de)?\s+{_YEAR}",  # 3 March 2021, 5 de mayo de 2023
    r"(?P<iso_year>(?:19|20)\d\d)-(?P<iso_month>\d{1,2})-(?P<iso_day>\d{1,2})",  # 2021-03-03
    r"(?P<us_first>\d{1,2})/(?P<us_second>\d{1,2})/(?P<us_year>(?:19|20)?\d\d)",  # 03/03/2021
    r"(?P<eu_day>\d{1,2})\.(?P<eu_month>\d{1,2})\.(?P<eu_year>(?:19|20)\d\d)",  # 3.3.2021
    r"(?P<ymd_year>(?:19|20)\d\d)(?P<ymd_sep>[./])\s?(?P<ymd_month>\d{1,2})(?P=ymd_sep)\s?(?P<ymd_day>\d{1,2})",  # 2021/03/03
    rf"{_MONTH},?\s+{_YEAR}",  # March 2021
)
_CJK_DATE_FORMATS = (
    r"(?P<cjk_year>(?:19|20)\d\d)\s*[年년]\s*(?P<cjk_month>\d{1,2})\s*[月월](?:\s*(?P<cjk_day>\d{1,2})\s*[日일])?",
    r"(?P<era>令和|平成|昭和)\s*(?P<era_year>\d{1,2}|元)\s*年\s*(?P<era_month>\d{1,2})\s*月\s*(?P<era_day>\d{1,2})\s*日",
)
_DATES = [re.compile(rf"\b{f}\b", re.IGNORECASE) for f in _DATE_FORMATS]
_ALL_DATES = _DATES + [re.compile(f) for f in _CJK_DATE_FORMATS]
_LABEL = re.compile(rf"\b(?:{LABEL})\b|\b(?P<eu>{EU_LABEL})\b", re.IGNORECASE)
_ANY_LABEL = re.compile(rf"\b(?:{LABEL})\b|\b(?P<eu>{EU_LABEL})\b|{CJK_LABEL}", re.IGNORECASE)
# Chinese and Japanese also put the date first: 本政策自2024年3月1日起生效, 2024年3月1日施行.
_DATE_THEN_LABEL = re.compile(
    "(?:" + "|".join(_CJK_DATE_FORMATS) + r")\s*(?:起|开始|開始|から)?\s*(?:正式)?(?:生效|施行|更新|発効|改定)"
)
# Between a label and its date: at most a few words ("of this Privacy Policy:", "on").
_GAP = re.compile(r"[^.;\n\d]{0,40}")

def find_effective_date(texts: Iterable[str]) -> date | None:
    """The first stated date in ``texts`` (clause texts in reading order), or None."""
    for text in texts:
        found = stamp_date(text)
        if found is not None:
            return found
    return None


def stamp_date(text: str) -> date | None:
    """The date of the first label-and-date stamp in one text, or None."""
    cjk = _cjk.ANY.search(text) is not None  # the CJK forms cost a text without CJK nothing
    dates = _ALL_DATES if cjk else _DATES
    for label in (_ANY_LABEL if cjk else _LABEL).finditer(text):
        gap = _GAP.match(text, label.end())
        for pos in range(label.end(), (gap.end() if gap else label.end()) + 1):
            for pattern in dates:
                match = pattern.match(text, pos)
                if match and (value := _to_date(match.groupdict(), day_first=bool(label.group("eu")))) is not None:
                    return value
    for match in _DATE_THEN_LABEL.finditer(text) if cjk else ():
        if (value := _to_date(match.groupdict())) is not None:
            return value
    return None


def without_dates(text: str) -> str:
    """The text with every date it contains taken out (for comparing two stamps)."""
    for pattern in _ALL_DATES if _cjk.ANY.search(text) else _DATES:
        text = pattern.sub(" ", text)
    return text


def _to_date(groups: dict, day_first: bool = False) -> date | None:
    """The date of a match; `day_first` reads 01/02/2024 as the 1st of February."""
    try:
        if groups.get("iso_year"):
            return date(int(groups["iso_year"]), int(groups["iso_month"]), int(groups["iso_day"]))
        if groups.get("us_first"):
            first, second = int(groups["us_first"]), int(groups["us_second"])
            year = int(groups["us_year"])
            year += 2000 if year < 100 else 0
            month, day = (first, second) if first <= 12 and not (day_first and second <= 12) else (second, first)
            return date(year, month, day)
        if groups.get("ymd_year"):
            return date(int(groups["ymd_year"]), int(groups["ymd_month"]), int(groups["ymd_day"]))
        if groups.get("cjk_year"):
            return date(int(groups["cjk_year"]), int(groups["cjk_month"]), int(groups["cjk_day"] or 1))
        if groups.get("era"):
            year = 1 if groups["era_year"] == "元" else int(groups["era_year"])
            return date(ERAS[groups["era"]] + year, int(groups["era_month"]), int(groups["era_day"]))
        if groups.get("eu_day"):
            return date(int(groups["eu_year"]), int(groups["eu_month"]), int(groups["eu_day"]))
        month = MONTHS[groups["month"].lower().rstrip(".")]
        return date(int(groups["year"]), month, int(groups.get("day") or 1))
    except ValueError:  # 31 February and the like: not a date
        return None
