"""`tracker compare` and `tracker normalize` read .md and .txt files as Markdown."""

from click.testing import CliRunner
from corpora import SAMPLE_CORPUS, SAMPLE_SEEDS

from tracker.cli import main

VOIP_SEED = SAMPLE_SEEDS / "001_d67f99737f0e024a.txt"
VOIP_2006 = SAMPLE_CORPUS / "archive" / "seed--voip.com--privacy-policy" / "20061016220256.html"


def test_compare_and_normalize_commands_read_md_and_txt_files_as_markdown():
    result = CliRunner().invoke(main, ["compare", str(VOIP_SEED), str(VOIP_2006)])
    assert result.exit_code == 0, result.output
    assert "0 added, 0 removed, 26 unchanged, 0 material, 0 cosmetic" in result.output
    shown = CliRunner().invoke(main, ["normalize", "--format", "text", str(VOIP_SEED)])
    assert shown.exit_code == 0 and "original snapshot" not in shown.output
    assert shown.output.splitlines()[0] == "voip > Privacy Policy"
