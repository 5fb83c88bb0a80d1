"""Allow `python -m agent`."""

from agent.cli.app import main

main()
