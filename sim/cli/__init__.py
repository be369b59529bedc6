"""The ``commsim`` command line."""
