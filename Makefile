# The README's two commands: `make setup` and `make test`.
SWIFT ?= swift
CRIA := .build/release/cria
PROMPT ?= Write a haiku about llamas.

.PHONY: setup build model tokenizer-data test clean

## Build in release, install the default model, and run it on a prompt.
setup: build model
	$(CRIA) run --temperature 0 --max-tokens 96 "$(PROMPT)"

build:
	$(SWIFT) build -c release --product cria

model:
	scripts/install-model.sh

## Tokenizer test data too large to commit: Llama 3's tokenizer files, llama.cpp's vocab tests.
tokenizer-data:
	scripts/install-tokenizer-data.sh

## Run every test (release build: the model-level tests run the real default model), then the
## compatibility suite of `cria serve` with the real OpenAI and Ollama Python clients.
# -enable-testing lets test targets use @testable imports in a release build.
test: model tokenizer-data
	$(SWIFT) build -c release --build-tests -Xswiftc -enable-testing
	$(SWIFT) test -c release --skip-build -Xswiftc -enable-testing
	scripts/compat-serve

clean:
	rm -rf .build
