# The two commands of the README, and the benchmark. Each installs what is missing first.
.PHONY: demo test bench setup

setup:
	@bash scripts/setup.sh

demo: setup
	@bash scripts/demo.sh

test: setup
	@bash scripts/test.sh

bench: setup
	@bash scripts/bench.sh
