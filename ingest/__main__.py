"""`python -m ingest PATH...` from the repository root: the same as `report-rag ingest PATH...`."""

import sys

from report_rag.cli import main

sys.exit(main(["ingest", *sys.argv[1:]]))
