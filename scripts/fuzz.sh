#!/usr/bin/env bash
# Runs each fuzz target of fuzz/ for a while: parse_responses (every SPS answer body the
# panel parses) and parse_requests (the simulator's request parsing, through its
# routers). Installs cargo-fuzz first if it is missing.
#
#   scripts/fuzz.sh                    every target, FUZZ_SECONDS (60) each
#   FUZZ_SECONDS=600 scripts/fuzz.sh   longer
#   scripts/fuzz.sh parse_requests     only the targets named
#
# cargo-fuzz needs nightly-only compiler options; the machine's one toolchain is stable,
# so the build runs with RUSTC_BOOTSTRAP=1. The corpus grows in fuzz/corpus/<target>
# (ignored by git), starting from the samples in fuzz/seeds/<target>; a crash is saved in
# fuzz/artifacts/<target>/ and replays with `cargo fuzz run <target> <file>`.
# Exits non-zero when a target finds a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

seconds=${FUZZ_SECONDS:-60}
# One build job unless told otherwise: the machine has two cores.
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
# AddressSanitizer by default; FUZZ_SANITIZER=none where its runtime is missing.
sanitizer=${FUZZ_SANITIZER:-address}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz (about 3 minutes)"
  cargo install cargo-fuzz --locked
fi

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi

failed=()
for target in "${targets[@]}"; do
  echo "fuzz: $target for ${seconds}s"
  mkdir -p "fuzz/corpus/$target"
  if ! cargo fuzz run --fuzz-dir fuzz --target-dir fuzz/target --sanitizer "$sanitizer" "$target" \
    "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -dict=fuzz/json.dict -print_final_stats=1; then
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (see fuzz/artifacts/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ran ${seconds}s each without a crash"
