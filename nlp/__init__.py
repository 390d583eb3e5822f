"""klyngekoder: offline analysis of qualitative interviews in Norwegian (bokmål, nynorsk) and Danish.

Stages, each a module, data flowing one way: ingest -> clean -> segment -> normalise -> features ->
topics | classify -> agreement -> report. See the README for the command line.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
