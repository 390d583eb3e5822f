"""The command line: every verb has help, `python -m nlp` works, errors are one clear line."""

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from nlp.cli import app

runner = CliRunner()


def _verbs():
    import typer.main

    group = typer.main.get_group(app)
    out = []
    for name, cmd in group.commands.items():
        subs = getattr(cmd, "commands", None)
        if subs:
            out.extend((name, sub) for sub in subs)
        else:
            out.append((name,))
    return out


def test_top_level_help_lists_every_verb():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for verb in {v[0] for v in _verbs()}:
        assert verb in result.output


@pytest.mark.parametrize("verb", _verbs(), ids=lambda v: " ".join(v))
def test_every_verb_has_help_text(verb):
    import typer.main

    group = typer.main.get_group(app)
    cmd = group.commands[verb[0]]
    if len(verb) > 1:
        cmd = cmd.commands[verb[1]]
    assert (cmd.help or "").strip(), f"`nlp {' '.join(verb)}` has no help text"
    result = runner.invoke(app, [*verb, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_python_dash_m_nlp_works():
    proc = subprocess.run(
        [sys.executable, "-m", "nlp", "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "ingest" in proc.stdout
