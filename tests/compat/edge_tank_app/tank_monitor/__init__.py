"""A tank-level edge app written against the platform SDK (pydoover), with its own tests."""
