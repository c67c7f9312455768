"""tests/compat: apps written in the platform SDK's style live in ``*_app/`` directories.

Their sources import ``pydoover`` and they carry their own test suites, which the tests here
run in a subprocess after copying the app and renaming the import; the main suite must not
collect them directly.
"""

collect_ignore_glob = ["*_app/*"]
