"""The command line: thin typer commands (parse -> call the library -> render). The only place that prints.

Each group of verbs lives in its own module below; they register themselves on :data:`app`. The verb modules
import the library at module level, except the stages that load scikit-learn, gensim and matplotlib
(:mod:`nlp.classify`, :mod:`nlp.topics`, :mod:`nlp.study`) and the Dask layer (:mod:`nlp.distributed`, an optional
extra): those are imported inside the verbs that run them, so ``nlp --help`` and the light verbs start in about
0.5 s instead of 4-5 s.
"""

from __future__ import annotations

import sys

import typer

from ..errors import NlpError

app = typer.Typer(
    name="nlp",
    help="Offline analysis of qualitative interviews in Norwegian (bokmål, nynorsk) and Danish: ingest, "
    "preprocess, topic models, an auto-coder trained on your own coding, agreement statistics and REFI-QDA "
    "exchange with NVivo, ATLAS.ti and MAXQDA.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Verb modules register their commands on `app` when imported.
from . import autocode as _autocode  # noqa: F401
from . import compare as _compare  # noqa: F401
from . import corpus as _corpus  # noqa: F401
from . import exchange as _exchange  # noqa: F401
from . import ingest as _ingest  # noqa: F401
from . import preprocess as _preprocess  # noqa: F401
from . import pseudonymise as _pseudonymise  # noqa: F401
from . import report as _report  # noqa: F401
from . import review as _review  # noqa: F401
from . import topics as _topics  # noqa: F401


def main() -> None:
    """Entry point of the ``nlp`` console command: project errors become one clear line and exit status 2."""
    try:
        app()
    except NlpError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(2)
