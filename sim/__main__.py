"""``python -m sim`` is the ``commsim`` command."""

from sim.cli.main import main

if __name__ == "__main__":
    main()
