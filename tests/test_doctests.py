"""Every docstring example in nlp/ runs and gives what it shows, so the documented behaviour stays true."""

import doctest
import importlib
import pkgutil

import pytest

import nlp

#: every module of the package (``nlp.__main__`` runs the CLI when imported)
MODULES = sorted(
    m.name for m in pkgutil.walk_packages(nlp.__path__, prefix="nlp.") if m.name != "nlp.__main__"
)


def test_every_module_is_walked():
    assert {
        "nlp.agreement.coefficients",
        "nlp.frames",
        "nlp.spacy_docs",
        "nlp.normalise.preprocess",
        "nlp.cli.report",
        "nlp.refi.project",
    } <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_a_wrong_example_fails():  # the check above can fail
    def wrong():
        """
        >>> 1 + 1
        3
        """

    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(wrong, "wrong", globs={}):
        runner.run(test, out=lambda _text: None)
    assert runner.failures == 1
