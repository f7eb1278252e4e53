"""paperboy's tests.

Bytecode: the suite starts the bot some 200 times and discord.py executes each cog module afresh
at every start, so where PYTHONDONTWRITEBYTECODE is set each start compiled every cog again, and
each worker paperboy and the tests (3-5 s of a 30 s run on 2 cores). A test run keeps its
bytecode under .pytest_cache/pycache, beside pytest's own cache: the source tree gets no
__pycache__ folders, and the `python -m bot` processes tests start read the same cache.
"""

import os
import sys
from pathlib import Path

PYCACHE = Path(__file__).resolve().parent.parent / ".pytest_cache" / "pycache"
sys.pycache_prefix = str(PYCACHE)
sys.dont_write_bytecode = False
os.environ["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
