"""Flags, categories and stated dates of Chinese, Japanese and Korean text, which has no spaces
between words (or, in Korean, particles stuck to them): hand-made clause pairs, a hand-made
Japanese page revised, and real consecutive versions of a Chinese policy (tests/data/pages)."""

from datetime import date

import pytest
from corpora import DATA

from tracker.diff import (
    FLAGS,
    change_flags,
    clause_categories,
    diff_clauses,
    find_effective_date,
    is_cosmetic,
    redline_text,
    spaceless,
    word_diff,
    wrap_lines,
)
from tracker.diff.flags import data_types, parties
from tracker.normalize import normalize

PAGES = DATA / "pages"


def blocks(path):
    return normalize(path.read_bytes()).blocks


@pytest.mark.parametrize("old, new, expected", [
    # Chinese (simplified)
    ("我们不会出售您的个人信息。", "我们会出售您的个人信息。", {"negation_removed"}),
    ("我们出售您的个人信息。", "我们不出售您的个人信息。", {"negation_added"}),
    ("未经您的同意，我们不共享。", "我们共享。", {"negation_removed"}),
    ("我们没有收集您的通讯录。", "我们收集您的通讯录。", {"negation_removed"}),
    ("如您同意，请点击。", "如您不同意，请点击。", {"negation_added"}),  # 不同意 is not 不同
    ("我们将保存日志三十天。", "我们将保存日志九十天。", {"number_changed"}),
    ("我们将保存日志六个月。", "我们将保存日志两年。", {"number_changed"}),
    ("我们可能与合作伙伴共享。", "我们将与合作伙伴共享。", {"modal_changed"}),
    ("您应当妥善保管密码。", "您必须妥善保管密码。", {"modal_changed"}),
    ("我们与合作伙伴共享信息。", "我们与合作伙伴及广告主共享信息。", {"party_added"}),
    ("我们会向执法机关披露信息。", "我们会在必要时披露信息。", {"party_removed"}),
    ("我们收集您的设备信息。", "我们收集您的设备信息和位置信息。", {"data_type_added"}),
    ("我们收集人脸信息和手机号。", "我们收集手机号。", {"data_type_removed"}),
    # Chinese (traditional)
    ("我們不會出售您的個人資料。", "我們會出售您的個人資料。", {"negation_removed"}),
    ("我們可能與關聯公司共享。", "我們將與關聯公司及第三方共享。", {"modal_changed", "party_added"}),
    # Japanese
    ("当社は個人情報を第三者に提供しません。", "当社は個人情報を第三者に提供します。", {"negation_removed"}),
    ("当社は個人情報を販売します。", "当社は個人情報を販売せず、保管します。", {"negation_added"}),
    ("情報を提供することがあります。", "情報を提供しなければなりません。", {"modal_changed"}),
    ("データを30日間保存します。", "データを90日間保存します。", {"number_changed"}),
    ("委託先に提供します。", "委託先及び広告主に提供します。", {"party_added"}),
    ("端末情報を取得します。", "端末情報及び位置情報を取得します。", {"data_type_added"}),
    # Korean
    ("회사는 개인정보를 제3자에게 제공하지 않습니다.", "회사는 개인정보를 제3자에게 제공합니다.", {"negation_removed"}),
    ("회사는 위치정보를 수집합니다.", "회사는 위치정보와 생체정보를 수집할 수 있습니다.",
     {"data_type_added", "modal_changed"}),
    # a Latin word or a number touching Chinese text
    ("我们使用Cookie技术。", "我们使用Cookie和GPS技术。", {"data_type_added"}),
    ("日志保存30天。", "日志保存３０天。", set()),
    ("日志保存三十天。", "日志保存30天。", set()),
])
def test_each_flag_on_a_cjk_pair(old, new, expected):
    assert set(change_flags(old, new)) == expected
    assert set(change_flags(old, new)) <= set(FLAGS)


@pytest.mark.parametrize("old, new", [
    # 不同 "different", 不断 "continuously", 包括但不限于 "including but not limited to"
    ("不同的产品可能有不同的功能。", "不同的产品可能有相同的功能。"),
    ("我们不断改进服务。", "我们持续改进服务。"),
    ("个人信息包括但不限于姓名。", "个人信息包括姓名。"),
    # 未成年人 "minors", 无论 "whatever", 未来 "future"
    ("我们保护未成年人的权益。", "我们保护用户的权益。"),
    ("无论您身在何处。", "您身在何处。"),
    ("未来我们会更新。", "以后我们会更新。"),
    # Japanese 必ず "certainly", 少ない "few", かかわらず "regardless", みなし "deemed"
    ("必ず確認してください。", "確認してください。"),
    ("少ない情報を取得します。", "情報を取得します。"),
    ("国籍にかかわらず適用します。", "国籍を問わず適用します。"),
])
def test_false_friends_are_not_negations(old, new):
    assert "negation_added" not in change_flags(old, new)
    assert "negation_removed" not in change_flags(old, new)


@pytest.mark.parametrize("old, new", [
    ("本产品的功能包括翻译。", "本产品的功能包括翻译和写作。"),  # 功能 "function" holds 能 "can"
    ("请通过应用设置关闭。", "请通过系统设置关闭。"),  # 应用 "app" holds 应 "should"
    ("会员可以享受服务。", "用户可以享受服务。"),  # 会员 "member" holds 会 "will"
    ("我们将其单独存储。", "我们单独存储。"),  # 将 marking the object, not "will"
    ("我们会将您的信息用于改进。", "我们会把您的信息用于改进。"),  # 会将: one "will"
])
def test_false_friends_are_not_modals(old, new):
    assert "modal_changed" not in change_flags(old, new)


def test_negation_is_counted_not_just_present():
    old = "我们不会出售您的信息，也不会共享。"
    assert change_flags(old, "我们不会出售您的信息，但会共享。") == ("negation_removed",)
    assert change_flags("当社は販売しません。", "当社は販売しません。また共有しません。") == ("negation_added",)


def test_japanese_must_is_not_a_negation():
    """しなければなりません ("must") is two negatives in form, none in meaning."""
    assert change_flags("同意することができます。", "同意しなければなりません。") == ("modal_changed",)


def test_cjk_heading_renumbering_is_not_a_number_change():
    assert change_flags("第三条 信息共享", "第四条 信息共享") == ()
    assert change_flags("一、我们收集的信息", "二、我们收集的信息") == ()
    assert change_flags("（三）第三方SDK", "（四）第三方SDK") == ()
    assert change_flags("1、数据安全", "2、数据安全") == ()
    assert is_cosmetic("第三条 信息共享", "第四条 信息共享") and is_cosmetic("（一）范围", "（二）范围")
    assert not is_cosmetic("第三条 信息共享", "第三条 信息出售")


def test_cjk_parties_and_data_types_use_the_english_names():
    assert parties("我们会向第三方、关联公司、广告商和公安机关提供") == {
        "third parties", "affiliates", "advertisers", "law enforcement"}
    assert data_types("位置情報、生体情報、クレジットカード番号及びIPアドレス") == {
        "location", "biometric", "financial", "device identifiers"}
    assert parties("本服务由我们提供") == set()


@pytest.mark.parametrize("text, expected", [
    ("我们收集您的设备信息。", {"first_party_collection_use"}),
    ("未经您同意，我们不会向第三方共享。", {"third_party_sharing_collection", "user_choice_control"}),
    ("您可以查阅、更正或删除您的个人信息。", {"user_access_edit_deletion"}),
    ("我们将在您注销后保存您的信息三十天。", {"data_retention", "user_access_edit_deletion"}),
    ("我们采用加密技术保护数据安全。", {"data_security"}),
    ("我们会适时对本隐私政策进行修订。", {"policy_change"}),
    ("我们特别重视儿童个人信息的保护。", {"international_specific_audiences"}),
    ("当社は個人情報を第三者に開示しません。", {"third_party_sharing_collection"}),
    ("お客様は個人情報の開示、訂正又は削除を請求できます。", {"user_access_edit_deletion"}),
    ("当社はクッキーを利用します。", {"first_party_collection_use"}),
    ("회사는 개인정보를 암호화하여 안전하게 보관합니다.", {"data_security", "data_retention"}),
    ("本产品的名称是豆包。", {"other"}),
    ("您可以发起屏幕共享。", {"other"}),  # sharing a screen is not sharing data
])
def test_cjk_categories(text, expected):
    assert set(clause_categories(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("更新日期：2024年05月28日", date(2024, 5, 28)),
    ("生效日期:2024年07月3日", date(2024, 7, 3)),
    ("本政策自2024年3月1日起生效。", date(2024, 3, 1)),
    ("最終更新日：令和6年3月1日", date(2024, 3, 1)),
    ("制定日：平成30年5月25日", date(2018, 5, 25)),
    ("2023年4月1日施行", date(2023, 4, 1)),
    ("시행일자: 2023. 12. 1.", date(2023, 12, 1)),
    ("최종 수정일: 2024년 3월 1일", date(2024, 3, 1)),
    ("更新日期：2024/05/28", date(2024, 5, 28)),
    ("Last Update: December 05, 2024", date(2024, 12, 5)),
])
def test_cjk_stated_dates(text, expected):
    assert find_effective_date([text]) == expected


def test_a_date_without_a_label_is_no_stamp():
    assert find_effective_date(["我们保存您的信息至2024年3月1日。"]) is None


@pytest.mark.parametrize("old, new, expected", [
    # a rewritten passage: the 你 both sides happen to share does not cut the replacement
    ("如经你授权的抖音App内的浏览记录", "如果你不希望收到个性化推荐的内容",
     "如[-经你授权-]{+果你不希望收到个性化推荐+}的[-抖音App-]内[-的浏览记录-]{+容+}"),
    # a character beside a pure deletion or insertion is kept
    ("为了向你提供上述个性化的服务，我们可能会收集", "当你保持个性化推荐开关打开时，我们会在你授权同意范围内收集",
     "[-为了向你提供上述-]{+当你保持+}个性化[-的服务-]{+推荐开关打开时+}，我们[-可能-]会{+在你授权同意范围内+}收集"),
    ("我们不会出售您的个人信息", "我们会出售您的个人信息", "我们[-不-]会出售您的个人信息"),
    ("更新日期:2024年05月28日", "更新日期:2024年06月12日", "更新日期:2024年[-05-]{+06+}月[-28-]{+12+}日"),
    # a lone word of spaced text between two replacements stays
    ("We do not sell the data", "We may sell a data", "We [-do not-]{+may+} sell [-the-]{+a+} data"),
])
def test_cjk_redline_reads_as_phrases(old, new, expected):
    ops = word_diff(old, new)
    assert redline_text(ops) == expected
    assert "".join(op.text for op in ops if op.op != "insert") == old
    assert "".join(op.text for op in ops if op.op != "delete") == new


def test_japanese_page_revised():
    """A hand-made Japanese policy, revised: it now may share what it did not, and states a date."""
    html = (DATA / "scope" / "japanese-policy.html").read_text(encoding="utf-8")
    revised = html.replace("第三者に提供しません", "第三者に提供することがあります").replace(
        "<h1>プライバシーポリシー</h1>", "<h1>プライバシーポリシー</h1><p>最終更新日：2024年4月1日</p>")
    old, new = normalize(html.encode()).blocks, normalize(revised.encode()).blocks
    assert find_effective_date(b.text for b in old) is None
    assert find_effective_date(b.text for b in new) == date(2024, 4, 1)
    changes = [c for c in diff_clauses(old, new) if c.kind != "unchanged"]
    sharing = next(c for c in changes if c.kind == "modified")
    assert set(sharing.flags) == {"negation_removed", "modal_changed"}
    assert "third_party_sharing_collection" in sharing.categories
    stamp = next(c for c in changes if c.kind == "added")
    assert stamp.categories == ("policy_change",)


def test_doubao_first_revision():
    """Real consecutive versions of a Chinese policy (Doubao, June 2024): the update and
    effective dates are read and their change is cosmetic; the account-deletion clause newly
    promises that retained data will not be used (不会), which is flagged."""
    old, new = blocks(PAGES / "doubao-20240529063049.html"), blocks(PAGES / "doubao-20240614063216.html")
    assert find_effective_date(b.text for b in old) == date(2024, 5, 28)
    assert find_effective_date(b.text for b in new) == date(2024, 6, 12)
    changes = [c for c in diff_clauses(old, new) if c.kind != "unchanged"]
    stamps = [c for c in changes if "更新日期" in c.new_text or "生效日期" in c.new_text]
    assert len(stamps) == 2 and all(c.cosmetic and "policy_change" in c.categories for c in stamps)
    deletion = next(c for c in changes if "注销账号" in (c.new_text or ""))
    assert deletion.kind == "modified" and not deletion.cosmetic
    assert "negation_added" in deletion.flags
    assert "user_access_edit_deletion" in deletion.categories


def test_doubao_drops_its_promises_not_to_use_content():
    """Doubao, November 2025: four clauses lose a negation, each a real one: two lose "请您放心,
    ...不会用于..." ("rest assured, it will not be used for ..."), one "豆包不会进行其他任何目的使用"
    ("Doubao will not use it for any other purpose"), one "如果您不希望..." ("if you do not want
    ..."), the way to refuse model training. No other change says a negation was removed."""
    old, new = blocks(PAGES / "doubao-20251011003334.html"), blocks(PAGES / "doubao-20251127003309.html")
    assert (find_effective_date(b.text for b in old), find_effective_date(b.text for b in new)) == (
        date(2025, 10, 10), date(2025, 11, 26))
    changes = [c for c in diff_clauses(old, new) if c.kind != "unchanged"]
    removed = [c for c in changes if "negation_removed" in c.flags]
    assert sorted(c.old_text[:6] for c in removed) == ["1.3.5 ", "1.3.6 ", "a.您可以对", "考虑PC端与"]
    assert all(c.kind == "modified" and not c.cosmetic for c in removed)
    renumbered = next(c for c in changes if c.old_text and c.old_text.startswith("1.9 消息通知"))
    assert renumbered.cosmetic and renumbered.flags == ()


def test_wrap_lines_counts_columns_and_keeps_markers_whole():
    line = ("你可以{+根据《账号注销协议》+}在【我】-【设置】中注销账号,我们将{+停止为你提供任何服务,并+}删除"
            "有关你{+账号+}的相关信息[-或-]进行匿名化处理。We do [-not-] sell")
    assert spaceless(line) and not spaceless("We do [-not-] sell")
    lines = wrap_lines(line, 20)
    assert "".join(lines).replace(" ", "") == line.replace(" ", "")
    widths = [sum(2 if "\u4e00" <= c <= "\u9fff" or c in "【】《》，。" else 1 for c in x) for x in lines]
    assert max(widths) <= 20
    assert "[-或-]" in "\n".join(lines)  # not "[-或-" + "]"
    assert not any(x.startswith(("-]", "+}", "。", ",")) or x.endswith(("[-", "{+", "《")) for x in lines)
    assert wrap_lines("一行\n二行", 40) == ["一行", "二行"]
