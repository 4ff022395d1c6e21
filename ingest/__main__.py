import sys

from ingest.command import main

sys.exit(main())
