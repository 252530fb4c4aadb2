"""Entry point of the frozen (PyInstaller) HipCheck app: the same ``main`` as the console script."""

import multiprocessing
import sys

from hipcheck.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
