"""The Discord edge: the only part of bot/ that imports discord."""
