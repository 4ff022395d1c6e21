"""`python -m report_rag.cli ...` is `report-rag ...`."""

import sys

from report_rag.cli import main

sys.exit(main())
