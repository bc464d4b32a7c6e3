"""Entry script for the PyInstaller build: the same as the ``lmns-desktop`` command."""

from lmns_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
