"""The C versions of the preprocessing hot loops (``nlp/_speedups.c``), when the install could build them.

``native`` is that module, or ``None`` where the package was installed without a C compiler (setuptools builds the
extension as optional) or where the environment variable ``KLYNGEKODER_PURE_PYTHON`` is set (to compare or debug).
Every function in it has a pure-Python reference beside its one caller, which is used when ``native`` is ``None``
and gives the same results (``tests/test_speedups.py``), only slower.
"""

from __future__ import annotations

import os
from types import ModuleType

__all__ = ["native"]


def _load() -> ModuleType | None:
    if os.environ.get("KLYNGEKODER_PURE_PYTHON"):
        return None
    try:
        from .. import _speedups
    except ImportError:
        return None
    return _speedups


native = _load()
