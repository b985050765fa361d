# kyso — build, test, demo. `make demo` and `make test` install what is missing first.
SHELL := /bin/bash
CARGO ?= cargo
# Debian packages kyso needs to build (leptess → Tesseract/Leptonica via bindgen) and test
# (python3-yaml: `make lint` parses the Kubernetes example; qpdf, openssl, icc-profiles-free
# and PDFBox Preflight with the Java libraries it loads: tests/archive.rs checks the PDF/A
# copies with them, docs/archive.md).
DEB_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd \
	libtesseract-dev libleptonica-dev clang libclang-dev pkg-config \
	poppler-utils libxml2-utils python3-yaml chromium \
	qpdf openssl icc-profiles-free default-jre-headless libpdfbox2-java libactivation-java \
	libjaxb-api-java
DEMO_OUT := out/demo

.PHONY: all setup build release demo test lint image bench bench-setup fuzz fuzz-setup clean

all: build

# Idempotent and quiet when everything is present; needs root (or sudo) when it is not.
setup:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "setup: installing $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "setup: cargo not found: install a Rust toolchain (1.85 or newer)"; exit 1; }

build: setup
	$(CARGO) build

release: setup
	$(CARGO) build --release

# The scanned fixtures also get signed PDF/A copies (docs/archive.md) from the demo digitising
# agency of testdata/pki/archive/ (its PKCS#12 password is a demo one, passed in the environment).
# testdata/edxml adds exchange packages (docs/edxml.md): their attachments are documents, and the
# report has a row per sender code.
demo: release
	rm -rf $(DEMO_OUT)
	KYSO_SIGN_PASSWORD=kyso-demo ./target/release/kyso scan testdata/corpus testdata/agencies testdata/edxml --out $(DEMO_OUT) \
		--exclude '*.truth.json' --exclude '*.md' --evidence-images \
		--outputs text,hocr,alto,pdfa --sign-with testdata/pki/archive/org-archive.p12 || [ $$? -eq 1 ]
	./target/release/kyso report --from $(DEMO_OUT) --out $(DEMO_OUT)/report >/dev/null
	@echo
	@echo "demo: records in $(DEMO_OUT)/documents.jsonl (the broken/ and edxml/hostile/ fixtures are expected to report errors)"
	@echo "demo: edXML packages by sender code in $(DEMO_OUT)/report/senders.csv"
	@echo "demo: signed PDF/A copies of the scans in $(DEMO_OUT)/pdfa/ ($$(ls $(DEMO_OUT)/pdfa | wc -l) files; kyso verify --trust testdata/pki/archive/trust FILE)"
	@echo "demo: report: $$(realpath $(DEMO_OUT)/report/report.html)"

# The test binaries call the OCR library directly; libgomp reads OMP_THREAD_LIMIT only at
# process start, so it is set here (the kyso binary re-executes itself with it).
test: setup
	OMP_THREAD_LIMIT=1 $(CARGO) test --all-targets

# .ci/check-layers: imports follow the one-way flow (docs/architecture.md).
lint:
	$(CARGO) fmt --check
	.ci/check-layers
	$(CARGO) clippy --all-targets -- -D warnings
	bash -n deploy/slurm-array.sh
	python3 -c 'import sys, yaml; docs = list(yaml.safe_load_all(open(sys.argv[1]))); assert docs[0]["spec"]["completionMode"] == "Indexed"' deploy/k8s-indexed-job.yaml

# The container image deploy/k8s-indexed-job.yaml names (deploy/Containerfile: a stripped `dist`
# binary on Debian bookworm-slim with Tesseract vie/eng/osd), built with podman or docker,
# whichever is installed. IMAGE=registry.example.org/kyso:0.1 names it otherwise.
IMAGE ?= kyso:latest
image:
	@engine=$$(for e in podman docker; do command -v $$e >/dev/null && echo $$e && break; done); \
	[ -n "$$engine" ] || { \
		echo "image: neither podman nor docker is installed: install one (e.g. apt-get install podman)," \
			"or install the binary with cargo install (README, Install and ship)"; exit 1; }; \
	$$engine info >/dev/null 2>&1 || { \
		echo "image: $$engine is installed but cannot build here (is its daemon or service running? try: $$engine info)"; \
		exit 1; }; \
	echo "image: $$engine build -t $(IMAGE) -f deploy/Containerfile ."; \
	$$engine build -t $(IMAGE) -f deploy/Containerfile .

# Benchmarks print ratios against a baseline measured in the same run (machines are noisy).
# The corpus generators need Liberation Serif (documents) and DejaVu Sans Bold (seal lettering).
BENCH_PACKAGES := hyperfine time ocrmypdf img2pdf libreoffice-writer-nogui \
	fonts-liberation2 fonts-dejavu-core python3-pip
bench-setup: setup
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "bench-setup: installing $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@python3 -c 'import reportlab, PIL, numpy, img2pdf, pikepdf, docx' 2>/dev/null || python3 -m pip install --quiet -r testdata/generate/requirements.txt

bench: bench-setup release
	benches/verify_vs_pdfsig.sh
	benches/ocr_bench.sh
	benches/degraded_bench.sh
	benches/zones_bench.sh
	benches/agency_bench.sh
	benches/catalog_bench.sh
	benches/archive_bench.sh
	benches/edxml_bench.sh

# Fuzzing (fuzz/README.md): each target in turn for FUZZ_SECONDS, one libFuzzer process, from the
# committed seeds in fuzz/seeds/<target>/ plus the growing corpus in fuzz/corpus/<target>/ (not
# committed). cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain take them.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= pdf cms image pdf_text metadata_text
fuzz-setup: setup
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked

fuzz: fuzz-setup
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		mkdir -p corpus/$$t && \
		RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -s none $$t corpus/$$t seeds/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2560 -timeout=30 \
			-print_final_stats=1 || exit 1; \
	done

clean:
	$(CARGO) clean
	rm -rf out
