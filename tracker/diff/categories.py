"""Topic categories of a clause, after the OPP-115 scheme (Wilson et al., ACL 2016).

The method is one table a reader can check: each category has phrases (regular expressions,
matched case-insensitively on word boundaries), in English and French. A receiving party the
flags name (tracker.diff._tables.PARTIES) is sharing, a data type they name is collection. A clause belongs to every category one of
whose phrases it contains, and to ``other`` when it contains none. A clause change belongs
to the categories of its old and new clauses together. Categories depend on a clause's
text only, so they are stored once per distinct text (``clause.categories``).

Chinese, Japanese and Korean clauses are also read with ``CJK_RULES``, phrases matched as
substrings, since those scripts have no word boundaries (see tracker.diff._cjk).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache

from tracker.diff import _cjk, _tables
from tracker.diff.exceptions import UnknownCategory
from tracker.diff.words import fold


class Category(StrEnum):
    """OPP-115's topics, as stored in clause.categories and clause_change.categories."""

    FIRST_PARTY_COLLECTION_USE = "first_party_collection_use"
    THIRD_PARTY_SHARING_COLLECTION = "third_party_sharing_collection"
    USER_CHOICE_CONTROL = "user_choice_control"
    USER_ACCESS_EDIT_DELETION = "user_access_edit_deletion"
    DATA_RETENTION = "data_retention"
    DATA_SECURITY = "data_security"
    POLICY_CHANGE = "policy_change"
    DO_NOT_TRACK = "do_not_track"
    INTERNATIONAL_SPECIFIC_AUDIENCES = "international_specific_audiences"
    OTHER = "other"


CATEGORIES = tuple(c.value for c in Category)

# English first, then French (the corpus has French versions; "Dernière mise à jour" is read
# as a stated date too). Every phrase starts with a letter or digit (see _ANY_PHRASE), and
# with a plain letter where it can, or a character class ("\d\d*" rather than "\d+"):
# re then passes over it at a glance at each word that starts otherwise.
RULES: dict[str, tuple[str, ...]] = {
    "first_party_collection_use": (
        r"we (?:may |also |will |automatically )?(?:collect|gather|obtain|receive|record|use|process)",
        r"(?:information|data) (?:we|that we) (?:collect|gather|obtain|receive)",
        r"information you (?:provide|give|submit)",
        r"(?:collect|collection of|use of) (?:your )?(?:personal )?(?:information|data)",
        r"we use (?:this|that|your|the|such)", r"provide (?:us with )?(?:your|this|the|such)(?: \w+)? (?:information|data)",
        r"cookies?", r"web beacons?", r"log (?:files?|data|information)",
        # what is collected, named as such ("Data collected", "Categories of information
        # collected", "collects usage data") or listed by its kind ("Email address")
        r"collect(?:s|ed|ing)?", r"(?:processing|process(?:es)?) (?:of )?(?:your )?personal (?:data|information)",
        r"e(?<!our e)(?<!contact e)-?mail address(?:es)?", r"(?:tele)?phone numbers?", r"date of birth", r"usage data",
        r"(?:account|profile|device|payment) (?:information|data|details)", *_tables.DATA_TYPES.values(),
        # why: the legal basis of the processing (GDPR art. 6) and its purposes
        r"legal (?:basis|bases|grounds?)", r"lawful basis", r"legitimate interests?", r"contractual necessity",
        r"perform(?:ance|ing) of (?:a |the |our )?contract", r"legal obligations?",
        r"to (?:provide|improve|personali[sz]e|operate) (?:you with )?(?:our|the) (?:services?|app|site|website)",
        r"(?:nous )?(?:collectons|recueillons)", r"(?:collect|recueill)(?:er|ir|ées?|ies?)",
        r"(?:traitement|traiter|traitons) (?:de )?(?:vos|les|des) données", r"intérêts? légitimes?",
        r"exécution du contrat", r"obligations? légales?", r"adresse e-?mail", r"numéro de téléphone",
    ),
    "third_party_sharing_collection": (
        r"shar(?:e|es|ed|ing)", r"disclos(?:e|es|ed|ure)", r"sell(?:s|ing)?", r"sold", r"sale of",
        r"third[- ]part(?:y|ies)", r"affiliates?", r"advertis(?:er|ers|ing partners?)",
        r"service providers?", r"law enforcement", r"transfer(?:red)? to", r"partners?",
        # every receiving party the flags name (processors, vendors, data brokers, social
        # networks, acquirers...), third-party code in the app, and disclosures the law compels
        *_tables.PARTIES.values(), r"sub-?processors?", r"(?:software development kit|sdk)s?",
        r"merger|acquisition|bankruptcy", r"subpoena|court order|search warrant",
        r"partag(?:e|eons|er|ées?|és?)", r"divulg(?:uer|uons|ation)", r"vend(?:s|re|ons|ez|ent|u|ues?)?", r"vente",
        r"tiers", r"sous-traitants?", r"prestataires?", r"partenaires?", r"filiales?",
    ),
    "user_choice_control": (
        r"opt[- ]?(?:out|in)", r"unsubscribe", r"your (?:choices?|consent)", r"consent",
        r"you (?:may|can) (?:choose|decline|refuse|disable|withdraw)", r"preferences?",
        r"(?:browser|cookie) settings?", r"withdraw", r"right to (?:object|restrict)",
        r"consentement", r"(?:vous )?opposer", r"opposition", r"désinscri(?:re|vez|ption)",
    ),
    "user_access_edit_deletion": (
        r"access(?:ing)? (?:to )?(?:your|the) (?:personal )?(?:information|data|account)",
        r"correct(?:ion)?", r"rectif(?:y|ication)", r"updat(?:e|ing) your", r"edit",
        r"delet(?:e|ion) (?:your|of your)", r"erasure", r"portability",
        r"right to (?:access|know|delete|erasure|be forgotten)", r"request (?:a copy|access|deletion)",
        # the reader's rights as a data subject, and how to exercise them
        r"your (?:privacy |data protection )?rights", r"data subject(?:'s)? (?:access )?(?:rights?|requests?)",
        r"exercis(?:e|ing) (?:your |these |those |any of (?:your |these |the )?)?(?:privacy )?rights",
        r"verify your identity",
        r"vos droits", r"droit d'accès", r"droit (?:à|de) (?:la |l')?(?:rectification|effacement|suppression|portabilité)",
        r"accéder à vos (?:données|informations)", r"supprimer (?:votre compte|vos données)", r"portabilité",
    ),
    "data_retention": (
        r"retain(?:s|ed)?", r"retention", r"keep (?:your|this|the|such)", r"stor(?:e|ed) for",
        r"for (?:as long as|up to|a period)", r"\d\d* (?:days|months|years)", r"no longer (?:needed|necessary)",
        r"delete (?:it|them|the data) after",
        r"storage (?:period|times?|duration|limitation)", r"(?:kept|stored) (?:up to|until|as long as)",
        r"conserv(?:er|ons|ées?|és?|ation)", r"durée de conservation", r"\d\d* (?:jours|mois)",
        r"pendant \d+ (?:ans|années)",
    ),
    "data_security": (
        r"secur(?:e|ity|ely)", r"encrypt(?:ed|ion|s)?", r"safeguards?", r"protect(?:s|ed|ion)? (?:your|the|against)",
        r"unauthori[sz]ed access", r"breach(?:es)?", r"ssl|tls", r"firewalls?",
        r"passwords?", r"(?:two|2)[- ]factor", r"access controls?",
        r"sécurité", r"sécuris(?:er|ées?|és?)", r"chiffr(?:ement|ées?|és?)", r"accès non autorisé", r"mots? de passe",
    ),
    "policy_change": (
        # "changes to the VoIP.com Privacy Policy": up to three words may name it
        r"chang(?:e|es|ed|ing) (?:to |in )?(?:this|our|the|these)(?: [\w.'-]+){0,3} (?:policy|policies|statement|notice)",
        r"(?:update|modify|revise|amend)(?:s|d)? (?:this|our|the)(?: [\w.'-]+){0,3} (?:policy|statement|notice)",
        r"notification of changes?",
        r"last (?:updated|modified|revised)", r"effective (?:date|as of|from|on)",
        r"we will notify you", r"material changes?",
        r"updated(?= ?:)", r"dernière mise à jour", r"modifi(?:er|ons|cations?) (?:de |à )?(?:la présente|cette) politique",
    ),
    "do_not_track": (r"do[- ]not[- ]track", r"\bdnt\b", r"global privacy control"),
    "international_specific_audiences": (
        r"child(?:ren)?(?:'s)?", r"minors?", r"under (?:the age of )?1[3-8]", r"coppa", r"parents?",
        r"california", r"ccpa", r"cpra", r"shine the light", r"nevada", r"virginia",
        r"europe(?:an)?", r"\beu\b", r"\beea\b", r"gdpr", r"united kingdom", r"\buk\b", r"switzerland",
        r"privacy shield", r"standard contractual clauses", r"international (?:transfers?|users?)",
        r"outside (?:of )?(?:the )?(?:united states|your country)", r"canada|brazil|lgpd|japan|china|korea",
        r"enfants?", r"mineurs?", r"union européenne", r"\bue\b", r"espace économique européen", r"royaume-uni",
        r"californie", r"rgpd",
    ),
}

# The same topics in Chinese (simplified and traditional), Japanese and Korean.
CJK_RULES: dict[str, tuple[str, ...]] = {
    "first_party_collection_use": (
        "收集", "搜集", "获取", "獲取", "处理你的", "处理您的", "處理您的", "使用你的", "使用您的",
        "取得", "収集", "利用目的", "利用します", "クッキー", "수집", "이용 목적", "쿠키",
    ),
    "third_party_sharing_collection": (
        "(?<!屏幕)(?<!螢幕)共享", "转让", "轉讓", "公开披露", "公開披露", "披露", "提供给", "提供給", "出售", "第三方", "委托处理",
        "委託處理", "关联公司", "關聯公司", "合作伙伴", "合作夥伴", "合作方", "第三者", "共同利用", "販売",
        "委託", "제3자", "위탁", "공유",
    ),
    "user_choice_control": (
        "同意", "撤回", "拒绝", "拒絕", "关闭", "關閉", "退订", "退訂", "取消订阅", "個性化推薦", "个性化推荐",
        "オプトアウト", "拒否", "配信停止", "동의", "철회", "거부",
    ),
    "user_access_edit_deletion": (
        "查阅", "查閱", "更正", "复制", "複製", "删除", "刪除", "注销", "註銷", "可携", "可攜",
        "開示請求", "開示等", "開示、訂正", "訂正", "削除",
        "利用停止", "消去", "열람", "정정", "삭제",
    ),
    "data_retention": (
        "保存期限", "存储期限", "儲存期限", "保存期间", "保存期間", "保存", "存储", "儲存", "保留", "保管", "보관", "보유",
    ),
    "data_security": (
        "安全", "加密", "泄露", "洩露", "泄漏", "洩漏", "入侵", "漏えい", "漏洩", "暗号化", "セキュリティ", "不正アクセス",
        "안전", "암호화", "유출",
    ),
    "policy_change": (
        "更新日期", "生效日期", "最近更新", "最后更新", "最後更新", "修订", "修訂",
        "(?:更新|变更|變更|修改)本(?:隐私|隱私)?政策", "本(?:隐私|隱私)?政策(?:的|如何)?(?:更新|变更|變更|修改)",
        "最終更新日", "施行日", "改定", "改訂", "ポリシーの変更", "개정", "시행일",
    ),
    "do_not_track": ("请勿追踪", "請勿追蹤", "不追踪", "不追蹤", "トラッキング拒否"),
    "international_specific_audiences": (
        "儿童", "兒童", "未成年", "监护人", "監護人", "境外", "跨境", "出境", "欧盟", "歐盟", "欧洲", "歐洲", "香港", "澳门",
        "澳門", "子ども", "子供", "児童", "保護者", "親権者", "外国", "海外", "越境", "欧州", "아동", "법정대리인", "국외",
    ),
}

# A phrase opening with a group of plain alternatives, perhaps optional: "(?:tele)?phone".
_LEADING_GROUP = re.compile(r"\(\?:([^()\\\[\]]*)\)(\?)?(?![*+{])")


def _by_first_letter(phrases: Iterable[str]) -> tuple[dict[str, list[str]], list[str]]:
    """The alternatives of `phrases` by the plain letter each starts with, and those that do not
    start with a plain letter, to be tried everywhere."""
    groups: dict[str, list[str]] = {}
    rest = []
    for part in (part for phrase in phrases for part in _alternatives(phrase)):
        if part.startswith(r"\b"):  # the whole alternation is between \b already
            part = part[2:]
        if part[:1].isalnum() and part[1:2] not in ("?", "*", "+", "{"):
            groups.setdefault(part[0], []).append(part)
        else:
            rest.append(part)
    return groups, rest


def _alternatives(phrase: str) -> list[str]:
    """A phrase split at its own top-level `|` ("ssl|tls": two phrases, each with its letter),
    and at the `|` of a leading group ("(?:geo)?location": "geolocation", "location")."""
    lead = _LEADING_GROUP.match(phrase)
    if lead:
        heads = lead.group(1).split("|") + ([""] if lead.group(2) else [])
        return [part for head in heads for part in _alternatives(head + phrase[lead.end():])]
    parts, depth, escaped, in_class, start = [], 0, False, False, 0
    for at, char in enumerate(phrase):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(phrase[start:at])
            start = at + 1
    return parts + [phrase[start:]]


def _scan(phrases: Iterable[str]) -> str:
    r"""A word's start where one of `phrases` starts, as a pattern read after the character
    before it (see _ANY_PHRASE). Every phrase starts with a word character: "(?=\w)" skips
    the ends of words before the long alternation, which tries at each place only the phrases
    beginning with the letter found there (re tries every branch of an alternation in turn:
    180 of them at every word cost two thirds of the scan)."""
    groups, rest = _by_first_letter(phrases)
    branches = [f"{re.escape(letter)}(?:{'|'.join(part[1:] for part in parts)})" for letter, parts in sorted(groups.items())]
    return r"(?=\w)(?=(?:" + "|".join(branches + rest) + r")\b)"


def _dispatch(rules: dict[str, tuple[str, ...]]) -> tuple[dict[str, list[tuple[str, re.Pattern]]], list[tuple[str, re.Pattern]]]:
    """For each first letter, the categories a phrase starting there may belong to, each with
    the pattern of its phrases that may (those starting with the letter, and those starting
    with no plain letter); and the same for any other character."""
    by_letter: dict[str, list[tuple[str, re.Pattern]]] = {}
    elsewhere = []
    split = {category: _by_first_letter(phrases) for category, phrases in rules.items()}
    for letter in sorted({letter for groups, _ in split.values() for letter in groups}):
        by_letter[letter] = [(category, re.compile(r"\b(?:" + "|".join(groups.get(letter, []) + rest) + r")\b"))
                             for category, (groups, rest) in split.items() if letter in groups or rest]
    for category, (_, rest) in split.items():
        if rest:
            elsewhere.append((category, re.compile(r"\b(?:" + "|".join(rest) + r")\b")))
    return by_letter, elsewhere


# Lower case, matched on the folded text (tracker.diff.words.fold): the same as ignoring case.
# Every place where some phrase of some category starts: one scan for this costs about half
# of one scan per category, and only these places need a look, by the categories that have a
# phrase starting with the letter found there. A word starts at the text's start or after a
# character that is no word character: the scan matches that character, so that re skips to
# the next such one at C speed (a pattern that opens with a character class lets it), where
# a pattern of zero width is tried at every place; the match ends where the phrase starts.
_PHRASE_AHEAD = _scan(p for ps in RULES.values() for p in ps)
_ANY_PHRASE = re.compile(r"\W" + _PHRASE_AHEAD)
_FIRST_PHRASE = re.compile(_PHRASE_AHEAD)  # matched at the text's start
# The same scan for ASCII text (most clauses), a fifth faster: re.ASCII tests word characters
# without Unicode's tables, and reads ASCII text as Unicode does but for the separator
# controls in \s, which no phrase uses.
_ANY_PHRASE_ASCII = re.compile(_ANY_PHRASE.pattern, re.ASCII)
_BY_LETTER, _ELSEWHERE = _dispatch(RULES)
_CJK_PATTERNS = {category: re.compile("|".join(phrases)) for category, phrases in CJK_RULES.items()}


@lru_cache(maxsize=8192)
def reading(text: str) -> tuple[str | None, str]:
    """The spaceless language a text is in (tracker.diff._cjk.language) and the text as the
    tables read it: folded, with a space where a Latin word touches CJK text. Cached, as the
    topics and the flags (tracker.diff.flags) read every text."""
    if text.isascii():  # no spaceless script, and fold() is lower()
        return None, text.lower()
    lang = _cjk.language(text)
    return lang, fold(_cjk.space_seams(text) if lang else text)


@lru_cache(maxsize=8192)
def phrase_starts(text: str) -> tuple[int, ...]:
    """Where a phrase of some category may start in the text as ``reading`` gives it; every
    phrase of the flags' tables is one of them, so the flags look only there too."""
    folded = reading(text)[1]
    scan = _ANY_PHRASE_ASCII if folded.isascii() else _ANY_PHRASE
    first = (0,) if _FIRST_PHRASE.match(folded) else ()
    return first + tuple(match.end() for match in scan.finditer(folded))


def first_letters(phrases: Iterable[str]) -> frozenset[str]:
    """The letters the phrases start with (as ``phrase_starts`` reads them); each must start
    with a plain letter."""
    groups, rest = _by_first_letter(phrases)
    if rest:
        raise ValueError(f"a phrase starts with no plain letter: {rest[0]!r}")
    return frozenset(groups)


@lru_cache(maxsize=8192)
def clause_categories(text: str) -> tuple[str, ...]:
    """The categories of a clause text, in ``CATEGORIES`` order; ``("other",)`` if none.

    Cached, as a history and the store read the same texts again."""
    lang, folded = reading(text)
    found: set[str] = set()
    if lang:
        found.update(c for c, pattern in _CJK_PATTERNS.items() if pattern.search(folded))
    for at in phrase_starts(text):
        found.update(c for c, pattern in _BY_LETTER.get(folded[at], _ELSEWHERE) if c not in found and pattern.match(folded, at))
        if len(found) == len(RULES):
            break
    return tuple(c for c in CATEGORIES if c in found) or ("other",)


def clear_caches() -> None:
    """Forget the per-text results (for timing a pair as if never seen before)."""
    reading.cache_clear()
    phrase_starts.cache_clear()
    clause_categories.cache_clear()


def combined(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """Union of several clauses' categories; ``other`` only when nothing else applies."""
    found = set().union(*groups)
    ordered = tuple(c for c in CATEGORIES if c in found and c != "other")
    return ordered or ("other",)


def check_category(name: str) -> str:
    if name not in CATEGORIES:
        raise UnknownCategory(f"unknown category {name!r}: choose one of {', '.join(CATEGORIES)}")
    return name
