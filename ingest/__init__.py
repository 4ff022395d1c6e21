"""The bulk-ingest command as a folder of the repository: `python -m ingest PATH...`, run from
the repository root, is `report-rag ingest PATH...` (the logic lives in report_rag.cli.ingest).
Not installed, so nothing generic goes into site-packages."""
