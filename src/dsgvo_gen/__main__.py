"""`python -m dsgvo_gen`: the command line, where the console script is not on PATH."""

from dsgvo_gen.cli import main

main(prog_name="dsgvo-gen")
