import sys

from undersigned_cli.main import main

sys.exit(main())
