"""No password reaches a message or a log line: URLs' passwords and libpq `password=`
fields become ***, whatever logger carries them."""

import subprocess
import sys

import pytest

from tracker.urls import mask_credentials


@pytest.mark.parametrize("text, secret", [
    ("cannot open postgresql+psycopg://tracker:hunter2@db.example.com:5432/tracker", "hunter2"),
    ("failed: host=db user=tracker password=hunter2 dbname=x", "hunter2"),
    ("failed: host=db password='two words' dbname=x", "two words"),
    ("smtp://mailer:p%40ss@smtp.example.com:587", "p%40ss"),
    ("cannot use postgresql+psycopg//u:S3cret@127.0.0.1/x", "S3cret"),
    ("'postgresql+psycopg:/u:S3cret@127.0.0.1/x'", "S3cret"),
    ("postgresql://u:p@ss@127.0.0.1/x", "p@ss"),
    ("u:S3cret@127.0.0.1", "S3cret"),
])
def test_passwords_are_masked_in_urls_parsed_or_not(text, secret):
    masked = mask_credentials(text)
    assert secret not in masked and "***" in masked


def test_urls_without_a_password_are_left_alone():
    text = "https://web.archive.org/web/2020id_/https://example.com:443/privacy?a=b@c"
    assert mask_credentials(text) == text


def test_every_log_line_of_the_command_line_is_masked(tmp_path):
    """A log line carrying a URL with a password, from any module, once `tracker` has set up
    logging (here after `tracker --help` would have: the group's callback)."""
    code = (
        "import logging, sys\n"
        "from tracker.cli import main\n"
        "try:\n"
        "    main(['-v', '--config', sys.argv[1], 'list'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "logging.getLogger('anything').warning('retrying %s', 'postgresql://u:hunter2@h/db')\n"
    )
    (tmp_path / "t.toml").write_text(f'database_url = "sqlite:///{tmp_path / "t.db"}"\n')
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.toml")],
                            capture_output=True, text=True, timeout=120)
    assert "retrying postgresql://u:***@h/db" in result.stderr
    assert "hunter2" not in result.stderr
