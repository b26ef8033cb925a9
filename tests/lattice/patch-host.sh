#!/usr/bin/env bash
# Make tests/lattice/patched/wasmcloud-host: the published wasmcloud-host 0.27.1 with
# `#![recursion_limit = "256"]` added (without it, rustc ≥ 1.9x stops with "queries overflow the
# depth limit"). The download is checked against the crate's crates.io checksum.
set -euo pipefail
cd "$(dirname "$0")"
version=0.27.1
sha256=6edaf1f51d0b9ec8b799a6d64fce474eb6cf299be3e1ca2e296dfc3c385b8a36
dest=patched/wasmcloud-host
if [[ -f $dest/.patched-$version ]]; then exit 0; fi
rm -rf "$dest" && mkdir -p "$dest"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
curl -sSfL -o "$tmp/crate.tar.gz" "https://static.crates.io/crates/wasmcloud-host/wasmcloud-host-$version.crate"
echo "$sha256  $tmp/crate.tar.gz" | sha256sum -c --quiet
tar xzf "$tmp/crate.tar.gz" -C "$dest" --strip-components=1
sed -i '0,/^#!\[/s//#![recursion_limit = "256"]\n#![/' "$dest/src/lib.rs"
grep -q 'recursion_limit = "256"' "$dest/src/lib.rs"
touch "$dest/.patched-$version"
