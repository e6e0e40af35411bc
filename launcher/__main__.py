"""`python -m launcher <command>`: see launcher/cli.py."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
