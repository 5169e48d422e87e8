# Storefleet's two commands (see README.md):
#   make run    build in release mode and start the local stack with the demo store
#   make test   build, start the test stack on its own ports, run the tests, stop the stack
# and their helpers: make stop, make status, make bench, make clean-data.
# Everything lives under .data/<profile>/; the stack itself is scripts/stack.sh.

SHELL := /bin/bash
SWIFT ?= swift
# Build folder. Engineers working in parallel use their own: make test SCRATCH=.build-me
SCRATCH ?= .build
# How long `make test` runs the Liquid fuzzer, when scripts/fuzz-liquid.sh exists.
FUZZ_SECONDS ?= 180

.PHONY: help run stop test deps status bench clean-data

help:
	@echo "make run         build (release) and start Storefleet with a demo store on :8080"
	@echo "make stop        stop it"
	@echo "make status      what is running"
	@echo "make test        start a test stack on other ports, run all tests, stop it"
	@echo "make bench       the request-path benchmark against the make-run stack"
	@echo "make clean-data  delete the local databases, keys and logs (.data/)"

deps:
	@scripts/install-deps.sh

run: deps
	$(SWIFT) build -c release --scratch-path $(SCRATCH)
	STOREFLEET_BIN="$$($(SWIFT) build -c release --scratch-path $(SCRATCH) --show-bin-path)/storefleet" \
		scripts/stack.sh up run
	@echo
	@echo "Storefleet is running:"
	@echo "  platform (sign up, create a store):  http://storefleet.localhost:8080"
	@echo "  the demo store:                      http://demo.storefleet.localhost:8080"
	@echo "  the demo store's admin:              http://storefleet.localhost:8080/store/demo/admin"
	@echo "    log in as demo@storefleet.localhost, password storefleet-demo"
	@echo "  mail it sent (caught locally):       http://storefleet.localhost:8080/dev/mail"
	@echo "  logs: .data/run/logs/    stop with: make stop"

stop:
	scripts/stack.sh down run

status:
	@scripts/stack.sh status run

test: deps
	SWIFT="$(SWIFT)" SCRATCH="$(SCRATCH)" FUZZ_SECONDS="$(FUZZ_SECONDS)" scripts/test.sh

# The request-path benchmark (wrk through nginx) against the `make run` stack.
bench: run
	Benchmarks/request-path/run.sh run

# Deletes both profiles' databases, keys and logs (stops them first).
clean-data:
	scripts/stack.sh destroy run
	scripts/stack.sh destroy test
