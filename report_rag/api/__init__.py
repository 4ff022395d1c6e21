"""The HTTP API (`report-rag serve`): the library's functions over JSON and event streams."""

from report_rag.api.app import ReadWriteLock, create_app

__all__ = ["ReadWriteLock", "create_app"]
