"""``python -m bot``: the command line. One module per command family, each adding its parsers.

``main.py`` builds the parser from the families and runs the chosen command; ``common.py`` holds
what several families share (the store, the paper listing, the one-line error).
"""

from bot.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
