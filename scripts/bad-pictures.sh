#!/usr/bin/env bash
# Writes the corpus of bad pictures (zero bytes, cut off, misnamed, absurd or tiny sizes, odd
# shapes, animated GIF, CMYK, 16-bit, alpha, grayscale, SVG, text, HEIC) into DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet -p kling-expand-proxy --example bad_pictures -- "${1:?usage: scripts/bad-pictures.sh DIR}"
