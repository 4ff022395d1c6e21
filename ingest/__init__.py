"""The bulk-ingest command (`python -m ingest` == `report-rag ingest`)."""
