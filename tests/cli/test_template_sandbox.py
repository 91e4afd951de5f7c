"""A project's templates/ render in Jinja's sandbox: no Python internals, files or processes.

Each known escape is one error line naming the template (exit 2), no traceback, nothing written.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_bad_input import USERS
from tests.helpers import run_cli as run
from tests.helpers import write_definitions

SCHEMAC = str(Path(sys.executable).with_name("schemac"))
ESCAPES = {
    "class_subclasses": ("{{ c.__class__.__mro__[1].__subclasses__() }}",
                         "access to attribute '__class__' of 'CreateTable' object is unsafe."),
    "cycler_globals_popen": ("{{ cycler.__init__.__globals__.os.popen('echo PWNED').read() }}",
                             "access to attribute '__init__' of 'type' object is unsafe."),
    "lipsum_globals": ("{{ lipsum.__globals__['os'].popen('echo PWNED').read() }}",
                       "access to attribute '__globals__' of 'function' object is unsafe."),
    "template_reference_context": ("{{ self._TemplateReference__context }}",
                                   "access to attribute '_TemplateReference__context' of 'TemplateReference' "
                                   "object is unsafe."),
    "str_format_attribute": ("{{ '{0.__class__.__init__.__globals__}'.format(c) }}", "object is unsafe."),
    "mutating_a_list": ("{% set seen = [] %}{{ seen.append(1) }}",
                        "access to attribute 'append' of 'list' object is unsafe."),
    "include_outside": ("{% include '../../../../../../etc/passwd' %}",
                        "no template named '../../../../../../etc/passwd'"),
    "huge_range": ("{% for i in range(10**9) %}{% endfor %}", "Range too big"),
    "huge_repeat": ("{{ 'x' * 10**9 }}", "repeating a value 1000000000 times makes more than 100000 items"),
    "huge_power": ("{{ 2 ** 100000000 }}", "exponent 100000000 is too large in a template"),
    "syntax_error": ("CREATE TABLE {{ c.table.name ", "unexpected end of template"),
    "unknown_name": ("{{ nope }}", "'nope' is undefined"),
}


@pytest.mark.parametrize("escape", sorted(ESCAPES))
def test_template_escape_is_refused(escape: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body, message = ESCAPES[escape]
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "create_table.sql.j2").write_text("\n" + body + "\n")
    for command in ("plan", "compile"):
        code, out, err = run(tmp_path, capsys, command)
        assert code == 2, (out, err)
        assert "PWNED" not in out + err and "root:" not in out + err
        assert err.startswith("templates/create_table.sql.j2: error: "), err
        assert message in err
        assert err.endswith(" (line 2); nothing written.\n"), err
        assert len(err.splitlines()) == 1
        assert not (tmp_path / "generated").exists()


def test_a_symlink_out_of_templates_is_no_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "leak.sql.j2").symlink_to(secret)
    (tmp_path / "templates" / "create_table.sql.j2").write_text("{% include 'leak.sql.j2' %}\n")
    code, out, err = run(tmp_path, capsys, "plan")
    assert code == 2
    assert "SECRET" not in out + err
    assert err == "templates/create_table.sql.j2: error: no template named 'leak.sql.j2' (line 1); nothing written.\n"


def test_an_ordinary_override_still_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "create_table.sql.j2").write_text(
        "{% import '_macros.sql.j2' as m %}CREATE TABLE {{ c.table.name|qname(c.table.schema) }} "
        "({{ c.definition.columns|map(attribute='name')|join(', ') }}) -- {{ c.definition.columns|length }} columns;\n")
    code, out, err = run(tmp_path, capsys, "plan")
    assert code == 0, err
    assert "CREATE TABLE public.users (id, email) -- 2 columns;" in out


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "create_table.sql.j2").write_text(ESCAPES["cycler_globals_popen"][0])
    proc = subprocess.run([SCHEMAC, "-C", str(tmp_path), "plan"], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "PWNED" not in proc.stdout + proc.stderr
    assert proc.stderr.startswith("templates/create_table.sql.j2: error: access to attribute '__init__'")


def test_an_escape_in_an_imported_template_names_that_template(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "create_table.sql.j2").write_text('{% import "helpers.sql.j2" as h %}\n{{ h.bad(c) }}\n')
    (tmp_path / "templates" / "helpers.sql.j2").write_text("{% macro bad(c) %}\nx\n{{ c.__class__ }}\n{% endmacro %}\n")
    code, _, err = run(tmp_path, capsys, "plan")
    assert code == 2
    assert err == ("templates/helpers.sql.j2: error: access to attribute '__class__' of 'CreateTable' object is "
                   "unsafe. (line 3); nothing written.\n")
