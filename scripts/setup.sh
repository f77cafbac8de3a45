#!/usr/bin/env bash
# Installs what the demo and the tests need, skipping whatever is already there, so a
# second run takes seconds. Versions follow shared/toolchain.md: trunk 0.21 (0.22 needs a
# newer rustc), wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen, binaryen 132.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf 'setup: %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must be the lock file's wasm-bindgen to the patch version, or trunk refuses it.
wanted_bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
have_bindgen=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have_bindgen" != "$wanted_bindgen" ]; then
  say "installing wasm-bindgen-cli $wanted_bindgen (about 3 minutes)"
  # Without --locked: the registry snapshot lacks some of its locked dependency versions.
  cargo install wasm-bindgen-cli --version "$wanted_bindgen" --force
fi

if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  say "installing trunk 0.21 (about 12 minutes)"
  cargo install trunk --version '~0.21' --locked
fi

if ! wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  say "installing wasm-opt (binaryen 132)"
  npm install -g binaryen@132
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
# The hosting tests generate nginx's configuration (python3) and certificates (openssl).
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

say "all tools present"
