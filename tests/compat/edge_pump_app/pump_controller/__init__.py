"""A pump controller edge app written against the platform SDK (pydoover): Modbus and a UI button."""
