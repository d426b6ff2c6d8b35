"""Rewritten stretches (tracker.diff._groups): clauses re-cut and rewritten many to many are one
`rewritten` change whose redline reports only the changed words; clean clause-level edits, and
clauses that share only a few common words with them, stay as they are."""

from dataclasses import dataclass

from tracker.diff import diff_clauses, summarize
from tracker.diff.words import words


@dataclass(frozen=True)
class Clause:
    text: str
    section: tuple[str, ...] = ()


def clauses(*texts: str) -> list[Clause]:
    return [Clause(text) for text in texts]


def changed(old: list[Clause], new: list[Clause]):
    return [c for c in diff_clauses(old, new) if c.kind != "unchanged"]


def reported(change, op: str) -> list[str]:
    """The words (punctuation aside) a change's redline reports deleted or inserted."""
    return [w for o in change.ops if o.op == op for w in words(o.text) if w.isalnum()]


INTRO = "This policy explains how Example Ltd handles your personal data."
CONTACT = "Write to privacy@example.com with any question about this policy."
MESSAGES = "We keep the messages you send to other members for one year after you send them."
PHOTOS = "Photos you upload stay on our servers until you delete them from your profile."
LOCATION = "The location of your phone is stored for thirty days so that we can show you members nearby."
PAYMENTS = "Payment records are kept for seven years because the tax law of our country requires it."


def test_clauses_recut_and_edited_many_to_many_are_one_rewritten_change():
    """Two paragraphs re-cut into three (the middle one takes the end of the first and the
    start of the second) with one edit: a reader of clause pieces would see the middle
    paragraph as added, though every word of it was there; one rewritten change keeps them."""
    old = clauses(INTRO, f"{MESSAGES} {PHOTOS}", f"{LOCATION} {PAYMENTS}", CONTACT)
    new = clauses(INTRO, MESSAGES.replace("one year", "two years"), f"{PHOTOS} {LOCATION}", PAYMENTS, CONTACT)
    [change] = changed(old, new)
    assert (change.kind, change.old_indexes, change.new_indexes) == ("rewritten", (1, 2), (1, 2, 3))
    assert change.old_text == f"{old[1].text}\n{old[2].text}"
    assert change.new_text == "\n".join(c.text for c in new[1:4])
    assert (reported(change, "delete"), reported(change, "insert")) == (["one", "year"], ["two", "years"])
    assert "data_retention" in change.categories and change.flags == ("number_changed",)
    assert not change.cosmetic
    assert summarize(diff_clauses(old, new))["rewritten"] == 1


def test_a_clean_edit_stays_modified_beside_an_added_clause_sharing_a_few_of_its_words():
    """A clause loses its last words ("we may read them") and a new clause after it happens to
    use a few of them ("may read"): a modified clause and an added one, not a split; the
    edit next to them stays modified too."""
    kept = "We keep the messages you send to other members for"
    old = clauses(INTRO, f"{kept} one year, and we may read them to check for spam.", LOCATION, CONTACT)
    added = ("If a member reports you, our moderators may read your profile and the reported messages"
             " and decide whether to suspend your account.")
    new = clauses(INTRO, f"{kept} two years.", added, LOCATION.replace("thirty", "ninety"), CONTACT)
    changes = changed(old, new)
    assert [(c.kind, c.old_index, c.new_index) for c in changes] == [
        ("modified", 1, 1), ("added", None, 2), ("modified", 2, 3)]
    assert reported(changes[0], "insert") == ["two", "years"]
    assert reported(changes[2], "delete") == ["thirty"]


def test_a_stretch_translated_and_recut_is_one_rewritten_change():
    """English replaced by French, three paragraphs re-cut as two: each paragraph shares only a
    name or a number with the other side (far less than the share asked of text in one
    language), yet the stretch is the same text: one rewritten change keeping what the two
    versions share, not three clauses removed and two added."""
    old = clauses(
        "Hily Privacy Policy",
        "Hily Corp. runs the app from an office in Delaware, and we store the data of our members on"
        " servers in the United States.",
        "Your support requests go to Zendesk, and we answer each of them within 48 hours and delete them"
        " after two years.",
        "Members who live in the European Union may also write to our representative, who works from Cyprus.",
        "Copyright 2023 Hily Corp.",
    )
    new = clauses(
        "Hily Privacy Policy",
        "Hily Corp. exploite l'application depuis un bureau dans le Delaware, et nous stockons les données"
        " de nos membres sur des serveurs aux États-Unis. Vos demandes d'assistance sont envoyées à Zendesk,",
        "et nous répondons à chacune d'elles sous 48 heures et les supprimons après deux ans. Les membres qui"
        " vivent dans l'Union européenne peuvent aussi écrire à notre représentant, qui travaille depuis Chypre.",
        "Copyright 2023 Hily Corp.",
    )
    [change] = changed(old, new)
    assert (change.kind, change.old_indexes, change.new_indexes) == ("rewritten", (1, 2, 3), (1, 2))
    kept = [w for o in change.ops if o.op == "equal" for w in words(o.text) if w.isalnum()]
    assert {"Hily", "Corp", "Delaware", "Zendesk", "48"} <= set(kept)


def test_a_translated_gap_is_one_stretch_whatever_its_pairings():
    """A list of processors shown in French instead of English, its lines re-cut: the pairings
    a clause-by-clause reading finds rest on the names each line keeps ("Snapchat", "Inc."), so
    the whole gap between the unchanged lines is one rewritten change, its names kept in order,
    not a modified heading, a split and a rewritten pair beside it."""
    old = clauses(
        "Hily Privacy Policy",
        "Snapchat Login Kit",
        "Snapchat, Inc.",
        "Information about your activity in the app and the device you use, which we share with Snapchat.",
        "We use Snapchat to enable you to login with your Snapchat account.",
        "Branch Metrics, Inc.",
        "We use Branch to track and analyze our marketing efforts and for deep links to the app.",
        "Copyright 2023 Hily Corp.",
    )
    new = clauses(
        "Hily Privacy Policy",
        "Kit de connexion Snapchat",
        "Snapchat,",
        "Inc.",
        "Informations sur votre activité au sein de l'appli et l'appareil que vous utilisez, que nous partageons"
        " avec Snapchat.",
        "Nous utilisons Snapchat pour vous permettre de vous connecter avec votre compte Snapchat.",
        "Branch Metrics, Inc.",
        "Nous utilisons Branch pour analyser nos efforts marketing et pour les liens profonds vers l'appli.",
        "Copyright 2023 Hily Corp.",
    )
    first, second = changed(old, new)
    assert (first.kind, first.old_indexes, first.new_indexes) == ("rewritten", (1, 2, 3, 4), (1, 2, 3, 4, 5))
    kept = [w for o in first.ops if o.op == "equal" for w in words(o.text) if w.isalnum()]
    assert kept == ["Snapchat", "Snapchat", "Inc", "Snapchat", "Snapchat", "Snapchat"]
    assert (second.kind, second.old_index, second.new_index) == ("modified", 6, 7)


def test_a_rewritten_stretch_is_aligned_by_its_words_not_its_commas():
    """In a stretch translated line for line, the commas of two unrelated lists are no kept
    text: aligned by its words (as the stretches are found), the redline keeps "Firebase" and
    "photos" and replaces what lies between in one piece, instead of cutting it at every comma
    both sides happen to have ("count[, ]measure" against "nom[, ]e-mail")."""
    old = clauses(
        "Hily Privacy Policy",
        "Firebase: we use it to count, measure, test, and improve the app.",
        "Your name, email, phone, and photos.",
        "Copyright 2023 Hily Corp.",
    )
    new = clauses(
        "Hily Privacy Policy",
        "Nous utilisons, pour compter, mesurer, tester et améliorer l'application : Firebase.",
        "Votre nom, e-mail, téléphone, et photos.",
        "Copyright 2023 Hily Corp.",
    )
    [change] = changed(old, new)
    assert change.kind == "rewritten"
    assert [o.text for o in change.ops if o.op == "equal"] == ["Firebase", "photos."]


INTRO_EN = "We use the services of the following companies to run the app, and you can read their policies on their sites."
INTRO_FR = ("Nous utilisons les services des sociétés suivantes pour faire fonctionner l'application, et vous pouvez"
            " lire leurs politiques sur leurs sites.")


def test_a_translated_gap_of_names_and_data_types_takes_its_version_s_language():
    """The new side of a gap is a list (a processor's name, the data it gets) whose few words
    tell no language: in a page that went from English to French it is French, and the gap is
    one rewritten stretch like the others, not a split and two pairings made on "Branch"."""
    old = clauses(
        "Hily Privacy Policy", INTRO_EN, "Branch",
        "Branch Metrics, Inc.",
        "Advertising identifier (GAID, IDFA), Branch Cookie ID; IP Address, Referrer; Device model",
        "We use Branch to track and analyze our marketing efforts and for deep links.",
        "WeChatSDK",
        "Tencent Holdings Limited",
        "Registration data, profile data, profile media, password",
        "We use WeChat to let you log in with your WeChat account.",
        "Copyright 2023 Hily Corp.",
    )
    new = clauses(
        "Hily Privacy Policy", INTRO_FR, "Branch",
        "Branch",
        "Metrics, Inc.",
        "Identifiant publicitaire (GAID, IDFA), Cookie Branch ID ; adresse IP, Parrain ; Modèle",
        "Branch : marketing, liens profonds.",
        "WeChatSDK",
        "Tencent",
        "Holdings Limited",
        "Données d'inscription, données de profil, médias du profil, mot de passe",
        "Nous utilisons WeChat pour vous permettre de vous connecter avec votre compte WeChat.",
        "Copyright 2023 Hily Corp.",
    )
    _, branch, wechat = changed(old, new)
    assert (branch.kind, branch.old_indexes, branch.new_indexes) == ("rewritten", (3, 4, 5), (3, 4, 5, 6))
    assert (wechat.kind, wechat.old_indexes, wechat.new_indexes) == ("rewritten", (7, 8, 9), (8, 9, 10, 11))


def test_a_pairing_across_an_unchanged_line_of_a_translated_page_does_not_cut_its_gaps():
    """A line left in English moved past an unchanged line ("AppLovin") while the rest was
    translated: paired on its words across the two gaps, it cut both, and each gap fell back to
    pairings made on names; undone, each gap is one rewritten stretch."""
    old = clauses(
        "Hily Privacy Policy", INTRO_EN, "Line",
        "Line Corporation, with its principal address in Tokyo, Japan",
        "Line Software Development Kit",
        "We use Line to let you log in with your Line account and send messages to your friends.",
        "AppLovin",
        "AppLovin Corporation, with its principal address in Palo Alto, California",
        "We use AppLovin to show you more relevant ads that will not annoy you.",
        "Copyright 2023 Hily Corp.",
    )
    new = clauses(
        "Hily Privacy Policy", INTRO_FR, "Line",
        "Line Corporation, dont l'adresse principale est à Tokyo, Japon",
        "Nous utilisons Line pour vous permettre de vous connecter avec votre compte Line et d'envoyer des messages"
        " à vos amis.",
        "AppLovin",
        "AppLovin Corporation, dont l'adresse principale est à Palo Alto, Californie",
        "Software Development Kit of Line",
        "Nous utilisons AppLovin pour vous montrer des publicités plus pertinentes qui ne vous dérangeront pas.",
        "Copyright 2023 Hily Corp.",
    )
    _, line, applovin = changed(old, new)
    assert (line.kind, line.old_indexes, line.new_indexes) == ("rewritten", (3, 4, 5), (3, 4))
    assert (applovin.kind, applovin.old_indexes, applovin.new_indexes) == ("rewritten", (7, 8), (6, 7, 8))


def test_a_language_menu_does_not_make_an_english_version_chinese():
    """One Chinese word in a version's language menu ("中文") does not make that version Chinese:
    a gap whose side tells no language of its own (a name and its identifiers) is in the
    language most of the version's clauses are in, here the other side's, so the gap is read
    clause by clause, not as a translation."""
    old = clauses(
        "Privacy Policy", "中文", INTRO_EN, CONTACT, "Branch",
        "Branch Metrics, Inc.",
        "GAID, IDFA, IDFV",
        "Copyright 2023 Hily Corp.",
    )
    new = clauses(
        "Privacy Policy", INTRO_EN, CONTACT, "Branch",
        "Branch Metrics, Inc. and its affiliates",
        "We use Branch to track and analyze our marketing efforts and for deep links to the app.",
        "Copyright 2023 Hily Corp.",
    )
    assert [(c.kind, c.old_index, c.new_index) for c in changed(old, new)] == [
        ("removed", 1, None), ("modified", 5, 4), ("removed", 6, None), ("added", None, 5)]
