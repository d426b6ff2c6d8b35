"""The flags' vocabulary for scripts written without spaces between words: Chinese (simplified
and traditional), Japanese, and Korean, whose particles stick to the word before them.

A word boundary means nothing there, so phrases are found as substrings, each text read
left to right taking the longest phrase that starts at each place (the way a reader splits
the characters into words). Each table also lists *false friends*, longer words that contain
a phrase but do not mean it: 不同 ("different") holds 不 ("not"), 功能 ("function") holds 能
("can"), 必ず ("certainly") ends in ず (a negative ending). A false friend takes its
characters, so the phrase inside it is not counted.

Party and data-type names are those of the English tables (tracker.diff._tables), and modal
phrases are counted under the English modal they translate, so the flags mean the same in
every language. The tables are language vocabulary only, never the wording of one site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.writing import CJK_CHARS

HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(f"[{HANGUL}]")
ANY = re.compile(f"[{CJK_CHARS}{HANGUL}]")
# Where a Latin word or a number touches CJK text ("Cookie技术", "30天"): the English tables
# need a space there, as \b sees no boundary between two word characters.
_SEAM = re.compile(f"(?<=[A-Za-z0-9])(?=[{CJK_CHARS}{HANGUL}])|(?<=[{CJK_CHARS}{HANGUL}])(?=[A-Za-z0-9])")

# A heading's own number: 第三条, 第2章, 一、, （三）, 3、 (renumbering one is not a number change).
_NUMERALS = "零〇一二两兩三四五六七八九十百千"
NUMBERING = rf"^\s*(?:第\s*[{_NUMERALS}\d]+\s*[条條章节節款部]|[{_NUMERALS}\d]+\s*、|[（(]\s*[{_NUMERALS}\d]+\s*[)）])\s*"
# A number in Chinese numerals counts when a unit follows (三十天, 六个月, 十四周岁), and not
# after 第 (an ordinal); a lone 一 ("a", "one", and part of many words) only before a unit of time.
_UNIT = (
    "个月|個月|か月|ヶ月|カ月|ケ月|箇月|周岁|週歲|周歲|天|日|月|年|周|週|星期|小时|小時|時間|分钟|分鐘|分間|秒"
    "|岁|歲|歳|次|项|項|条|條|名|倍|工作日|营业日|営業日|件"
)
_TIME_UNIT = "个月|個月|か月|ヶ月|カ月|ケ月|箇月|天|日|月|年|周|週|星期|小时|小時|時間|分钟|分鐘|分間|秒"
_CJK_NUMBER = re.compile(
    rf"(?<![第{_NUMERALS}])(?:一(?={_TIME_UNIT})|[{_NUMERALS}万萬亿億]*[零〇二两兩三四五六七八九十百千][{_NUMERALS}万萬亿億]*(?={_UNIT}))"
)
_DIGIT = {c: d for d, cs in enumerate(("零〇", "一", "二两兩", "三", "四", "五", "六", "七", "八", "九")) for c in cs}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_LARGE = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}


@dataclass(frozen=True)
class Vocabulary:
    """One language's phrases (space-separated literals, lower case) and false friends."""

    negation: str
    not_negation: str
    modals: dict[str, str]  # the English modal -> the phrases that say it
    not_modal: str
    parties: dict[str, str]  # a name of tracker.diff._tables.PARTIES -> its phrases
    data_types: dict[str, str]  # a name of tracker.diff._tables.DATA_TYPES -> its phrases


ZH = Vocabulary(
    negation="不 不同意 没 沒 没有 沒有 未 无 無 并非 並非 而非 绝非 絕非 勿 毋",
    not_negation=(
        "不同 不断 不斷 不仅 不僅 不但 不过 不過 不论 不論 不管 不限于 不限於 不时 不時 不定期 不满 不滿"
        " 不当 不當 不良 不法 不正 不便 不足 不适 不適 不利 不安 不可逆 不可抗力 不特定 不明 不一致"
        " 不必要 不得不 不少 不久 不然 不等 不止 不幸 不确定 不確定 不完整 不准确 不準確 没收 沒收 未来 未來 未成年 未满 未滿 未知"
        " 无论 無論 无线 無線 无障碍 無障礙 无偿 無償 无人机 無人機"
    ),
    # After another modal, 将 marks the object ("我们会将您的信息…"): one modal, not two.
    modals={
        "may": "可能 或许 或許 也许 也許 或将 或將 不得 可能会 可能會 可能将 可能將 可能会将 可能會將",
        "can": "可 可以 能 能够 能夠 得以 可选择 可選擇 可将 可將 可以将 可以將 能将 能將",
        "will": "将 將 会 會 将会 將會 会将 會將",
        "should": "应 應 应当 應當 应该 應該 理应 理應 应将 應將 应当将 應當將",
        "must": "必须 必須 务必 務必 须 須 不得不 必须将 必須將",
    },
    not_modal=(
        "许可 許可 认可 認可 可靠 可见 可見 可识别 可識別 可用 可读 可讀 可视 可視 可控 可疑 可信 可行"
        " 可爱 可愛 即可 可选 可選 可供 功能 智能 性能 能力 技能 职能 職能 效能 能源 本能 机能 機能 节能"
        " 節能 潜能 潛能 将来 將來 将其 將其 将您 將您 将你 將你 将该 將該 将此 將此 将这 將這 将上述 將上述"
        " 将相关 將相關 会员 會員 社会 社會 机会 機會 会议 會議 会计 會計 协会 協會 学会 學會 委员会 委員會"
        " 会话 會話 大会 大會 聚会 聚會 体会 體會 领会 領會 误会 誤會 约会 約會 董事会 董事會 会所 會所"
        " 开会 開會 应用 應用 相应 相應 对应 對應 响应 響應 供应 供應 适应 適應 反应 反應 应对 應對 回应"
        " 回應 应急 應急 应答 應答 效应 效應 感应 感應 答应 答應 应收 應收 应付 應付 须知 須知 无须 無須"
        " 无需 無需 毋须 毋須"
    ),
    parties={
        "third parties": "第三方",
        "affiliates": "关联公司 關聯公司 关联方 關聯方 关联企业 關聯企業 关联实体 關聯實體 关联机构 關聯機構 集团公司 集團公司",
        "subsidiaries": "子公司 母公司 控股公司",
        "advertisers": "广告主 廣告主 广告商 廣告商 广告合作伙伴 廣告合作夥伴 广告平台 廣告平台",
        "partners": "合作伙伴 合作夥伴 合作方 合作商",
        "service providers": "服务提供商 服務提供商 服务商 服務商 供应商 供應商 受托方 受託方 受托人 受託人 委托处理 委託處理 外包",
        "analytics providers": "分析服务提供商 分析服務提供商 统计分析服务 統計分析服務 数据分析服务 數據分析服務",
        "data brokers": "数据经纪商 數據經紀商 数据中介 數據中介",
        "social networks": "社交网络 社交網絡 社交網路 社交媒体 社交媒體 社交平台",
        "law enforcement": (
            "执法机关 執法機關 执法部门 執法部門 公安机关 公安機關 司法机关 司法機關 政府部门 政府部門 政府机关"
            " 政府機關 监管机构 監管機構 监管部门 監管部門 有权机关 有權機關 国家机关 國家機關 行政机关 行政機關 警方 法院"
        ),
        "acquirers": "收购方 收購方 受让方 受讓方 继受方 繼受方 承继方 承繼方",
    },
    data_types={
        "location": "位置信息 位置資訊 地理位置 精确位置 精確位置 定位 行踪轨迹 行蹤軌跡",
        "biometric": "生物识别 生物識別 生物特征 生物特徵 人脸 人臉 面部识别 面部識別 面部特征 面部特徵 指纹 指紋 声纹 聲紋 虹膜 面容",
        "contacts": "通讯录 通訊錄 联系人 聯繫人 聯絡人 通讯錄",
        "health": "健康 医疗 醫療 病历 病歷 体检 體檢",
        "financial": "银行卡 銀行卡 银行账户 銀行帳戶 信用卡 借记卡 借記卡 支付信息 支付資訊 财产信息 財產信息 征信 徵信",
        "device identifiers": "设备信息 設備信息 設備資訊 设备标识 設備標識 设备识别码 設備識別碼 ip地址 mac地址 idfa oaid imei",
        "browsing history": "浏览记录 瀏覽記錄 浏览历史 瀏覽歷史 搜索记录 搜索記錄 搜尋記錄 搜索历史 搜索歷史",
        "government identifiers": "身份证 身份證 护照 護照 驾驶证 駕駛證 驾照 駕照 社会保障号 社會保障號",
        "children's data": (
            "儿童个人信息 兒童個人信息 兒童個人資料 儿童的个人信息 兒童的個人信息 未成年人个人信息 未成年人的个人信息"
            " 未成年人個人信息"
        ),
    },
)

JA = Vocabulary(
    negation="ない 無い なく なし 無し ません せず ずに ず、 ず， ず。 不可",
    not_negation=(
        "不可欠 少ない 少なく 危ない 危なく ないし 間もなく ほどなく おこない 行ない みなし 見なし 必ず かかわらず"
        " 関わらず 拘らず 限らず 問わず のみならず なければなりません なければならない なければならず"
        " ねばならない ねばなりません なくてはならない なくてはなりません かもしれません かもしれない 過ぎません すぎません"
    ),
    modals={
        "may": "場合があります 場合がある ことがあります ことがある 可能性があります 可能性がある かもしれません かもしれない",
        "can": "でき 可能です 可能となります",
        "shall": "ものとします ものとする",
        "should": "べき",
        "must": (
            "なければなりません なければならない なければならず ねばならない ねばなりません なくてはならない"
            " なくてはなりません 必要があります 必要がある"
        ),
    },
    not_modal="できる限り できるだけ できるかぎり",
    parties={
        "third parties": "第三者",
        "affiliates": "関連会社 関係会社 グループ会社 グループ企業",
        "subsidiaries": "子会社 親会社",
        "advertisers": "広告主 広告事業者 広告配信事業者 広告会社",
        "partners": "提携先 提携企業 業務提携先 パートナー企業",
        "service providers": "委託先 業務委託先 外部委託先 受託者 サービスプロバイダ 処理者",
        "analytics providers": "アクセス解析 解析ツール 分析ツール",
        "data brokers": "データブローカー",
        "social networks": "ソーシャルメディア ソーシャルネットワーク sns",
        "law enforcement": "警察 捜査機関 裁判所 行政機関 国の機関 地方公共団体 規制当局 監督当局 政府機関",
        "acquirers": "承継先 譲受人 事業譲渡先 買収者",
    },
    data_types={
        "location": "位置情報 位置データ",
        "biometric": "生体情報 生体認証 顔認証 顔データ 指紋 声紋 虹彩",
        "contacts": "連絡先 アドレス帳 電話帳",
        "health": "健康 医療 病歴 診断",
        "financial": "クレジットカード 銀行口座 口座情報 決済情報 支払情報",
        "device identifiers": "端末情報 端末識別子 端末id デバイス情報 広告識別子 ipアドレス macアドレス",
        "browsing history": "閲覧履歴 検索履歴",
        "government identifiers": "マイナンバー 個人番号 パスポート 旅券 運転免許証",
        "children's data": "子どもの個人情報 子供の個人情報 児童の個人情報 未成年者の個人情報",
    },
)

KO = Vocabulary(
    negation="않 없 못 아니 아닌 아님",
    not_negation="잘못 없애 없앤",
    modals={"can": "수 있 수 없", "must": "해야 하여야"},
    not_modal="",
    parties={
        "third parties": "제3자 제삼자",
        "affiliates": "계열사 계열 회사",
        "subsidiaries": "자회사 모회사",
        "advertisers": "광고주 광고 사업자",
        "partners": "제휴사 협력사 파트너사",
        "service providers": "수탁자 수탁업체 수탁사 처리위탁",
        "law enforcement": "수사기관 정부기관 경찰 법원",
    },
    data_types={
        "location": "위치정보 위치 정보",
        "biometric": "생체정보 생체 정보 지문 얼굴",
        "contacts": "연락처 주소록",
        "health": "건강 의료",
        "financial": "신용카드 계좌 결제정보 결제 정보",
        "device identifiers": "기기정보 기기 정보 단말기 정보 광고 식별자 ip 주소",
        "browsing history": "검색 기록 방문 기록",
        "government identifiers": "주민등록번호 여권 운전면허",
        "children's data": "아동의 개인정보",
    },
)


def space_seams(text: str) -> str:
    """``text`` with a space wherever a Latin word or a number touches CJK text."""
    return _SEAM.sub(" ", text)


class _Table:
    """Phrases (and false friends, named None) found longest first, without word boundaries."""

    def __init__(self, named: dict[str, str], false_friends: str = "") -> None:
        phrases: dict[str, str | None] = dict.fromkeys(false_friends.split())
        for name, words in named.items():
            phrases.update(dict.fromkeys(words.split(), name))
        # Spaces are optional: "ip地址" is also "IP 地址" (see space_seams), and Korean "수 있"
        # is also "수있". Phrases are looked up without their spaces.
        self.names = {p.replace(" ", ""): name for p, name in phrases.items()}
        alternatives = sorted((space_seams(p) for p in phrases), key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(p).replace(r"\ ", " ?") for p in alternatives))

    def find(self, folded: str) -> list[str]:
        """The names of the phrases in ``folded``, one per occurrence, in order."""
        found = []
        for match in self.pattern.finditer(folded):
            if (name := self.names[match.group().replace(" ", "")]) is not None:
                found.append(name)
        return found


@dataclass(frozen=True)
class _Tables:
    negation: _Table
    modals: _Table
    parties: _Table
    data_types: _Table


def _tables(vocabulary: Vocabulary) -> _Tables:
    return _Tables(
        negation=_Table({"not": vocabulary.negation}, vocabulary.not_negation),
        modals=_Table(vocabulary.modals, vocabulary.not_modal),
        parties=_Table(vocabulary.parties),
        data_types=_Table(vocabulary.data_types),
    )


_LANGUAGES = {"ja": _tables(JA), "ko": _tables(KO), "zh": _tables(ZH)}


def language(text: str) -> str | None:
    """The spaceless language a text is in ("ja": it has kana; "ko": Hangul; "zh": Han only),
    or None when it has none of these scripts."""
    if not ANY.search(text):
        return None
    if _KANA.search(text):
        return "ja"
    return "ko" if _HANGUL.search(text) else "zh"


def counts(folded: str, cut: int, lang: str) -> tuple[int, list[str], list[str]]:
    """Negations, numbers (in CJK numerals, as digits; from ``cut``, after a heading's own
    number) and modals of a folded text in ``lang``."""
    tables = _LANGUAGES[lang]
    numbers = [str(_value(m.group())) for m in _CJK_NUMBER.finditer(folded, cut)]
    return len(tables.negation.find(folded)), numbers, tables.modals.find(folded)


def mentions(folded: str, lang: str) -> tuple[set[str], set[str]]:
    """The parties and data types a folded text in ``lang`` names."""
    tables = _LANGUAGES[lang]
    return set(tables.parties.find(folded)), set(tables.data_types.find(folded))


def _value(numeral: str) -> int:
    """三十 -> 30, 一百二十 -> 120, 两万 -> 20000; digits alone read by place: 二〇二四 -> 2024."""
    if not any(c in _SMALL or c in _LARGE for c in numeral):
        return int("".join(str(_DIGIT[c]) for c in numeral))
    total = section = digit = 0
    for c in numeral:
        if c in _DIGIT:
            digit = _DIGIT[c]
        elif c in _SMALL:
            section += (digit or 1) * _SMALL[c]
            digit = 0
        else:
            total += (section + digit) * _LARGE[c]
            section = digit = 0
    return total + section + digit
