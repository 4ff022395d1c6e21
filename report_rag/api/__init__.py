"""The HTTP API (`report-rag serve`): the library's functions over JSON and event streams."""

from report_rag.api.app import create_app

__all__ = ["create_app"]
