#!/usr/bin/env bash
# Every check of the project, in the order that fails fastest: formatting, lints (native
# and wasm32), the release bundle, native tests (shared types, panel logic, simulator,
# end-to-end in headless Chromium) and the panel's component tests in headless Chromium.
# Prints one summary line at the end and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
# Component tests compile to wasm and run in the browser; allow for a slow CI machine.
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}

log=$(mktemp -t sps-test.XXXXXX)
trap 'rm -f "$log"' EXIT
failed_step=""

step() {
  local name=$1
  shift
  printf '\n== %s\n' "$name"
  if ! "$@" 2>&1 | tee -a "$log"; then
    failed_step=$name
    return 1
  fi
}

summary() {
  local passed failed
  passed=$(grep -Eo '^test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{ s += $4 } END { print s + 0 }')
  failed=$(grep -Eo '; [0-9]+ failed' "$log" | awk '{ s += $2 } END { print s + 0 }')
  echo
  if [ -n "$failed_step" ]; then
    echo "FAILED at step: $failed_step"
    [ "$failed" -gt 0 ] || failed=1
  fi
  echo "summary: $passed passed, $failed failed"
}

run_all() {
  step "cargo fmt --check" cargo fmt --all --check &&
    step "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings &&
    step "clippy (wasm32)" cargo clippy -p sps-panel --target wasm32-unknown-unknown \
      --all-targets -- -D warnings &&
    step "release bundle (trunk)" trunk build --release &&
    step "simulator binary" cargo build -p sps-sim &&
    step "native tests (unit, simulator, end-to-end)" cargo test --workspace &&
    step "component tests (wasm-bindgen-test, headless Chromium)" \
      cargo test -p sps-panel --target wasm32-unknown-unknown --test components
}

run_all
status=$?
summary
exit $status
