"""report-rag: cited research over brokerage research-report PDFs."""

__version__ = "0.1.0"
