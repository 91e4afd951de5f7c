"""A database URL's password never reaches the output, also when the URL itself is malformed."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli as run
from tests.helpers import write_definitions

# Each password is made of fragments that must each stay out of the output: libpq, handed a
# malformed URL, splits it at the wrong place and prints the pieces.
URLS = {
    "unencoded %": ("postgresql://someone:Kq7%zzWr9@127.0.0.1:1/db", ["Kq7", "Wr9"]),
    "space": ("postgresql://someone:Kq7 Wr9@127.0.0.1:1/db", ["Kq7", "Wr9"]),
    "@": ("postgresql://someone:Kq7@Wr9@127.0.0.1:1/db", ["Kq7", "Wr9"]),
    "#": ("postgresql://someone:Kq7#Wr9@127.0.0.1:1/db", ["Kq7", "Wr9"]),
    "/": ("postgresql://someone:Kq7/Wr9@127.0.0.1:1/db", ["Kq7", "Wr9"]),
    "bad port": ("postgresql://someone:Kq7-Wr9@127.0.0.1:54x/db", ["Kq7", "Wr9"]),
    "well formed, refused": ("postgresql://someone:Kq7%40Wr9@127.0.0.1:1/db", ["Kq7", "Wr9"]),
    "key=value": ("host=127.0.0.1 port=1 user=someone password=Kq7-Wr9 dbname=db", ["Kq7", "Wr9"]),
    "password parameter": ("postgresql://someone@127.0.0.1:1/db?password=Kq7-Wr9", ["Kq7", "Wr9"]),
}
COMMANDS = [["apply"], ["apply", "--baseline", "1"], ["apply", "--dry-run"], ["rollback"], ["status"],
            ["drift"], ["import", "--force"]]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from compiler.cli import main

    root = tmp_path_factory.mktemp("url")
    write_definitions(root, {"t.yaml": "table: t\ncolumns:\n  - {name: id, type: bigint}\n"})
    assert main(["-C", str(root), "compile"]) == 0
    return root


@pytest.mark.parametrize("form", sorted(URLS))
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_password_never_printed(project: Path, capsys: pytest.CaptureFixture[str], form: str,
                                command: list[str]) -> None:
    url, fragments = URLS[form]
    code, out, err = run(project, capsys, *command, "--database-url", url)
    assert code == 4, (out, err)
    for fragment in fragments:
        assert fragment not in out + err, (out, err)
    assert err.startswith("error: ") and "Traceback" not in err


@pytest.mark.parametrize(("url", "says"), [
    ("postgresql://someone:Kq7 Wr9@127.0.0.1:1/db", "its password holds characters that must be percent-encoded "
                                                    "(' ' as %20)"),
    ("postgresql://someone:Kq7@Wr9@127.0.0.1:1/db", "('@' as %40)"),
    ("postgresql://someone:100%Kq7@127.0.0.1:1/db", "('%' as %25)"),
    ("postgresql://someone:Kq7@127.0.0.1:99999/db", "the port '99999' is not a number from 1 to 65535"),
])
def test_malformed_url_says_what_to_encode(project: Path, capsys: pytest.CaptureFixture[str], url: str,
                                           says: str) -> None:
    code, _, err = run(project, capsys, "status", "--database-url", url)
    assert code == 4
    assert "postgresql://someone:***@127.0.0.1" in err and says in err, err


@pytest.mark.parametrize("command", [["apply"], ["status"], ["compile", "--check"], ["plan"]], ids=" ".join)
def test_a_bad_settings_file_is_exit_2_before_anything(project: Path, capsys: pytest.CaptureFixture[str],
                                                       command: list[str]) -> None:
    settings = project / "schemac.yaml"
    settings.write_text("migrations_table: ok\napply_lock_timout: 5\n")
    try:
        args = [*command, "--database-url", "postgresql://someone@127.0.0.1:1/db"] if command[0] in (
            "apply", "status") else command
        code, out, err = run(project, capsys, *args)
    finally:
        settings.unlink()
    assert code == 2 and out == ""
    assert err.startswith("schemac.yaml:2:1: error: unknown setting 'apply_lock_timout' "
                          "(did you mean 'apply_lock_timeout'?)\n"), err
