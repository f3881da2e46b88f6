# Tollgate: `make run` and `make test` set up everything they need on Debian/Ubuntu.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# What `tollgate version` prints, stamped into every build (internal/buildinfo).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
STAMP   := -X github.com/tollgate/tollgate/internal/buildinfo.Version=$(VERSION) \
           -X github.com/tollgate/tollgate/internal/buildinfo.Commit=$(COMMIT) \
           -X github.com/tollgate/tollgate/internal/buildinfo.Date=$(DATE)
BIN     := build/bin/tollgate
TAGS    := desktop,production
# Debian packages: the WebKitGTK build, the Xvfb window test, Chromium for the browser tests.
APT_PKGS := libgtk-3-dev libwebkit2gtk-4.0-dev pkg-config gcc xvfb xauth imagemagick xdotool x11-utils \
            chromium fonts-dejavu-core
# What make dist-check needs on top: the signing tool, and the .desktop validator.
DIST_APT_PKGS := osslsigncode desktop-file-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
GO_SOURCES := $(shell find . -name '*.go' -not -path './frontend/*')
# The packager (its own Go module, so its libraries stay out of the app): not part of the app binary's inputs.
APP_SOURCES := $(filter-out ./tools/%,$(GO_SOURCES))
FRONTEND_SOURCES := $(shell find frontend/src frontend/public frontend/wailsjs -type f) frontend/index.html frontend/vite.config.ts frontend/tsconfig.json

STRIPE_MOCK := $(CURDIR)/build/tools/stripe-mock
NGROK_DOUBLE := $(CURDIR)/build/tools/ngrok-double

.PHONY: run build deps apt npm frontend bindings test test-go test-frontend test-e2e test-window test-dist lint bench bench-go bench-sandbox fuzz reliability reliability-short clean dist dist-apt dist-check

run: build ## build and open the desktop window
	./$(BIN)

build: $(BIN) ## the desktop binary, build/bin/tollgate

$(BIN): deps frontend/dist/index.html $(APP_SOURCES) go.mod go.sum
	go build -tags $(TAGS) -ldflags "-w -s $(STAMP)" -o $(BIN) .

deps: apt npm

# Installs only what is missing, through sudo when not root.
PKGS ?= $(APT_PKGS)
apt:
	@missing=$$(for p in $(PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

npm: frontend/node_modules/.package-lock.json

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend: frontend/dist/index.html

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd frontend && npm run build

# Regenerates frontend/wailsjs from the methods of App (committed; rerun after changing them).
bindings:
	go tool wails generate module

test: deps frontend lint test-go test-dist test-frontend build test-e2e test-window ## every test; fails on the first failure

lint:
	@out=$$(gofmt -l $(GO_SOURCES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	@# The committed bindings must match the Go methods, or the frontend calls stale signatures.
	@out=$$(go tool wails generate module 2>&1) || { echo "$$out"; exit 1; }
	@git diff --quiet -- frontend/wailsjs || { echo "frontend/wailsjs is stale: run make bindings and commit it"; git diff --stat -- frontend/wailsjs; exit 1; }

# stripe-mock checks the billing code's requests against Stripe's OpenAPI spec (internal/billing/contract_test.go).
$(STRIPE_MOCK):
	GOBIN=$(CURDIR)/build/tools go install github.com/stripe/stripe-mock@v0.203.0

# Stripe's OpenAPI spec as stripe-mock v0.203.0 embeds it, in the module cache: the sandbox's conformance test
# (internal/sandbox/conformance_test.go) checks every object the sandbox answers with against it.
STRIPE_SPEC = $(shell go env GOMODCACHE)/github.com/stripe/stripe-mock@v0.203.0/embedded/openapi/spec3.json

$(STRIPE_SPEC):
	go mod download github.com/stripe/stripe-mock@v0.203.0

test-go: $(STRIPE_MOCK) $(STRIPE_SPEC)
	STRIPE_MOCK=$(STRIPE_MOCK) STRIPE_SPEC=$(STRIPE_SPEC) go test -count=1 ./...

test-frontend:
	cd frontend && npm test

# The packager's own tests that need no release build: versions, checksums, the kit, the .deb's fields.
test-dist:
	cd tools/dist && go vet ./... && go test -count=1 ./...

# Every release file into build/dist/ (see the README's Distribution section). SIGN_CERT and SIGN_KEY, PEM
# files, sign the Windows binary with osslsigncode; without them nothing is signed.
dist: deps frontend/dist/index.html
	cd tools/dist && go run ./cmd/dist -repo $(CURDIR) -out $(CURDIR)/build/dist \
	  -version "$(VERSION)" -commit "$(COMMIT)" -date "$(DATE)" \
	  $(if $(SIGN_CERT),-sign-cert "$(abspath $(SIGN_CERT))") $(if $(SIGN_KEY),-sign-key "$(abspath $(SIGN_KEY))")

dist-apt:
	@$(MAKE) --no-print-directory apt PKGS="$(DIST_APT_PKGS)"

# Builds the release and checks what a learner gets: the .deb installed and removed, the Windows binary's
# resources and signature, the macOS binaries' architectures, a serve-only build answering, the checksums, the kit.
dist-check: dist-apt dist
	cd tools/dist && DIST_DIR=$(CURDIR)/build/dist DIST_VERSION="$(VERSION)" go test -count=1 -tags distcheck -run 'Dist' ./...

# The loopback double of ngrok's service (test-only code), for the tunnel's browser tests.
$(NGROK_DOUBLE): $(GO_SOURCES) go.mod go.sum
	go build -o $(NGROK_DOUBLE) ./internal/tunnel/ngroktest/cmd/ngrok-double

test-e2e: build $(NGROK_DOUBLE)
	mkdir -p build/screenshots
	cd frontend && TOLLGATE_BIN=$(CURDIR)/$(BIN) NGROK_DOUBLE_BIN=$(NGROK_DOUBLE) SCREENSHOT_DIR=$(CURDIR)/build/screenshots \
	  node --test --test-concurrency=1 e2e/browser.test.mjs e2e/layout.test.mjs e2e/billing.test.mjs e2e/portal.test.mjs e2e/cli.test.mjs e2e/tunnel.test.mjs e2e/events.test.mjs e2e/trouble.test.mjs e2e/lessons.test.mjs e2e/chaos.test.mjs e2e/demo.test.mjs

test-window: build
	mkdir -p build/screenshots
	cd frontend && TOLLGATE_BIN=$(CURDIR)/$(BIN) SCREENSHOT_DIR=$(CURDIR)/build/screenshots \
	  xvfb-run -a -s "-screen 0 1280x800x24" node --test e2e/window.test.mjs

# The BENCH lines, to compare versions on one machine (about 4 minutes here; not part of make test): the
# webhook, gate and footprint lines, then the sandbox's (bench-sandbox).
BENCH_EVENTS ?= 20000
bench: build $(STRIPE_MOCK)
	go run ./cmd/loadgen -bin $(BIN) -events $(BENCH_EVENTS) -log build/bench.log
	go run ./cmd/sandboxbench -tollgate $(BIN) -stripe-mock $(STRIPE_MOCK)

# The Go benchmarks of the hot functions (verify, decode, record, gate, …), for profiles: -cpuprofile etc.
bench-go:
	go test -run '^$$' -bench . -benchmem ./...

# BENCH sandbox lines: the built binary's `tollgate sandbox` against stripe-mock in the same run, 16 clients, on an
# empty account and on one of 20,000 objects (cmd/sandboxbench starts both itself). About a minute; not in make test.
bench-sandbox: $(BIN) $(STRIPE_MOCK)
	go run ./cmd/sandboxbench -tollgate $(BIN) -stripe-mock $(STRIPE_MOCK)

# Each fuzz target for FUZZTIME; make test runs only their seed corpora.
FUZZTIME ?= 30s
fuzz:
	go test -run '^$$' -fuzz '^FuzzReceive$$' -fuzztime $(FUZZTIME) ./internal/webhook
	go test -run '^$$' -fuzz '^FuzzCall$$' -fuzztime $(FUZZTIME) ./internal/server
	go test -run '^$$' -fuzz '^FuzzFormDecoder$$' -fuzztime $(FUZZTIME) ./internal/sandbox
	go test -run '^$$' -fuzz '^FuzzCheckoutPage$$' -fuzztime $(FUZZTIME) ./internal/sandbox
	go test -run '^$$' -fuzz '^FuzzPortalPage$$' -fuzztime $(FUZZTIME) ./internal/sandbox

# The built binary through crashes, hostile input, password guessing, slow clients, Stripe faults and
# random forms: one RELIABILITY line each, failing on a wrong count (cmd/reliability; about 3 minutes).
# Not part of make test; CI runs the short version after it.
reliability: build
	go run ./cmd/reliability -bin $(BIN)

reliability-short: build
	go run ./cmd/reliability -bin $(BIN) -short

clean:
	rm -rf build/bin build/tools build/screenshots build/dist frontend/dist/assets frontend/dist/index.html frontend/dist/favicon.svg
