"""The titles of legal documents: which document a heading (or a line set as one) names.

Read by the block walk (tracker.normalize._blocks: a page sets its documents' titles alike),
the legal hub step (tracker.normalize._documents) and the scope step (tracker.normalize.scope).
"""

from __future__ import annotations

import functools
import re

from tracker.normalize.text import normalize_text

_PREFIX = r"^(?:[\w&',.()\- ]{0,40}\s)?"
# Scripts without spaces: the site's name runs into the title ("豆包隐私政策").
_CJK_PREFIX = r"^[^\s]{0,20}?"
# A title may end with its edition: "(2024 version)", "（2024年版）", "- Updated".
_EDITION = r"(?:\s*[(（][^)）]{0,30}[)）])?$"
_PRIVACY = re.compile(
    _PREFIX + r"(?:privacy|cookies?|data protection|personal (?:data|information))"
    r"(?: and cookies?)? (?:policy|notice|statement|addendum|supplement)" + _EDITION +
    r"|^privacy(?: (?:and|&) cookies)?$"  # a combined page's bare "Privacy" title
    # German, French, Spanish, Portuguese, Italian, Dutch, Russian titles of a privacy policy.
    r"|" + _PREFIX + r"(?:datenschutz(?:erklärung|hinweise|richtlinie|bestimmungen|information(?:en)?)?"
    r"|politique (?:de confidentialité|de (?:protection|gestion) des données(?: personnelles| à caractère personnel)?"
    r"|(?:de gestion |relative aux |d'utilisation )?(?:des |de )?cookies|de (?:respect de la )?vie privée)"
    r"|(?:déclaration|charte|notice|avis) (?:de confidentialité|(?:de )?vie privée|d'information)"
    r"|(?:protection des )?données personnelles|(?:respect de la )?vie privée"
    r"|pol[ií]tica de (?:privacidad|privacidade|cookies|protecci[oó]n de datos)|aviso de privacidad(?:e)?"
    r"|informativa (?:sulla )?privacy|privacyverklaring|privacybeleid|cookiebeleid"
    r"|политика конфиденциальности)" + _EDITION +
    r"|" + _CJK_PREFIX + r"(?:隐私(?:权|保护)?政策|隱私(?:權)?政策|个人信息保护政策|隐私声明|隱私聲明"
    r"|プライバシー(?:ポリシー|通知|ステートメント)|個人情報(?:保護方針|の取り?扱い(?:について)?)"
    r"|개인정보\s?(?:처리|취급)방침)" + _EDITION, re.I)
# The terms a service is used under: a document of its own kind (a tracked "Terms of Service"
# keeps these and drops the privacy policy).
_TERMS = re.compile(
    _PREFIX + r"(?:terms(?: of (?:service|use|sale))?|terms (?:and|&) conditions(?: of (?:use|service|sale))?"
    r"|user agreement|subscription terms|nutzungsbedingungen|allgemeine geschäftsbedingungen|agb"
    r"|conditions (?:générales )?(?:d'utilisation|de vente)(?: et de (?:vente|service))?|cgu|cgv"
    r"|t[ée]rminos y condiciones|condiciones de uso|termos (?:de uso|e condições)"
    r"|termini e condizioni|condizioni d'uso|algemene voorwaarden|gebruiksvoorwaarden"
    r"|пользовательское соглашение|условия использования)" + _EDITION +
    r"|" + _CJK_PREFIX + r"(?:用户(?:服务)?协议|服务(?:协议|条款)|使用条款|用戶協議|服務條款|利用規約"
    r"|(?:서비스\s?)?이용약관)" + _EDITION, re.I)
_OTHER = re.compile(
    _PREFIX + r"(?:copyright(?: and trademark)? (?:policy|notice)|dmca(?: takedown)?(?: notice| policy)?"
    r"|community guidelines|acceptable use policy|(?:end[- ]user )?licen[cs]e agreement"
    r"|(?:data processing|service level) (?:agreement|addendum)|refund policy|legal notice|imprint|impressum"
    r"|accessibility statement|disclaimer|mentions légales|aviso legal|note legali)" + _EDITION +
    r"|" + _CJK_PREFIX + r"(?:特定商取引法に基づく表記)" + _EDITION, re.I)
# An annex is titled by its kind and a number or letter: "Exhibit A", "Schedule 2 - ...".
_ANNEX = re.compile(r"^(?:exhibit|annex|appendix|schedule|attachment)\s+(?:[A-Z]|\d+|[IVX]+)\b", re.I)
# A numbered heading is a section ("8. Terms of Use" of a policy), never a document's title.
_NUMBERED = re.compile(r"^\(?(?:\d{1,2}(?:\.\d{1,2})*|[IVXivx]{1,4}|[A-Za-z])[.):]\s")


@functools.lru_cache(maxsize=4096)  # each heading is read at every level, and captures repeat them
def document_name(heading: str) -> str | None:
    """"privacy" for the title of a privacy policy (or its cookie part), "terms" for the terms
    of service, "other" for the title of another legal document, "annex" for an
    exhibit/schedule heading, else None. The heading is read as its text shows (a title
    read off the tree may hold a no-break space, "Privacy&nbsp;Policy", or a soft hyphen)."""
    shown = normalize_text(heading)
    text = shown.rstrip(" .:")
    if _NUMBERED.match(shown):
        return None
    if _PRIVACY.match(text):
        return "privacy"
    if _TERMS.match(text):
        return "terms"
    if _OTHER.match(text):
        return "other"
    if _ANNEX.match(text):
        return "annex"
    return None
