"""kamtui: a key-account workbench for the terminal."""

__version__ = "0.1.0"
