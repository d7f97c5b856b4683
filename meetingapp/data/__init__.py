"""The whole database at once: backups and their restore (``backup.py``), and copying a SQLite
database into an empty PostgreSQL one (``copy.py``); the ``flask data`` commands (``cli.py``).

These work below the unit of work, on the engine: they run from the command line, never during
a request.
"""
