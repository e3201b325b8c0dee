# The command line itself: help, version, unknown commands.
. tests/cli/lib.bash

expect 0 '^usage: warren COMMAND' --help
expect 0 '^warren [0-9]+\.[0-9]+\.[0-9]+$' --version
expect 2 "unknown command 'frobnicate'" frobnicate
expect 2 '^usage: warren COMMAND'
finish
