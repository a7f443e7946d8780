"""Settings for the test suite: the same as a node's, faster hashing, no lockout carry-over.

The database still comes from DATABASE_URL so that the same suite runs on SQLite and on the
local PostgreSQL (Makefile `test` target).
"""

from tbib.settings.base import *  # noqa: F403

# Argon2 stays first in production; the suite uses a fast hasher so that hundreds of logins
# take milliseconds. tests/accounts checks that production settings hash with Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not Django's shared-cache in-memory database: the browser tests' live server
    # answers from threads, and shared cache fails concurrent writers at once ("database
    # table is locked") where a file makes them wait their turn, as on an edge.
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"tbib-test-{os.getpid()}.sqlite3")
    }
