"""`python -m dsgvo_gen`: the command line, where the console script is not on PATH.

`python -m` puts the working folder first on sys.path; in a cloned repository a
`jinja2.py` or `yaml.py` there would be imported instead of the real one. It leaves
sys.path again before dsgvo-gen imports anything of its own (the console script
never adds it; `python -P -m dsgvo_gen` keeps it out from the start).
"""

import os
import sys

# os.getcwd, not pathlib: pathlib is not imported yet, and a pathlib.py here would be.
if not sys.flags.safe_path and sys.path and sys.path[0] in ("", os.getcwd()):  # noqa: PTH109
    del sys.path[0]

from dsgvo_gen.cli import main

main(prog_name="dsgvo-gen")
