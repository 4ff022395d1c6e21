"""Domain errors. Library code raises these; the CLI/UI edge turns them into messages."""

from __future__ import annotations


class ReportRagError(Exception):
    """Base class: anything a user should see as a one-line message."""


class ConfigError(ReportRagError):
    """Settings are invalid or inconsistent."""


class MissingDependencyError(ReportRagError):
    """An optional dependency is not installed; the message names the extra."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the '{package}' package: install it with "
            f"pip install 'report-rag[{extra}]'"
        )
        self.package = package
        self.extra = extra


class PdfError(ReportRagError):
    """A PDF could not be read. The message names the file and the problem."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class NoTextLayerError(PdfError):
    """The PDF has pages but no extractable text: most likely a scan."""


class IndexMismatchError(ReportRagError):
    """The stored index was built with different settings than the current ones."""


class ReportNotFoundError(ReportRagError):
    """A report id or file name does not exist in the library."""


class StockNotFoundError(ReportRagError):
    """No stock in the library matches a name or code, or several do."""


class ServerError(ReportRagError):
    """A server (a model server, a report-rag API) could not be reached or answered with an error."""
