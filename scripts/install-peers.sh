#!/bin/sh
# Installs the optional peers of `npm run bench` from Debian: numpy and PyTorch for
# Debian's /usr/bin/python3, the Fashion-MNIST data set, the pthread OpenBLAS, and the
# fortunes text corpus of the character-level GPT.
#
# libopenblas0-pthread matters: without it numpy and torch fall back to the
# reference BLAS (about 7 GFLOP/s) and the comparison would flatter Cortex.
#
# Safe to run again: packages already installed are left as they are.
# Run as root, or with sudo available.
set -eu

PACKAGES="python3-numpy python3-torch dataset-fashion-mnist libopenblas0-pthread"
# char-gpt: the English text corpus of examples/char-gpt.ts (/usr/share/games/fortunes)
PACKAGES="$PACKAGES fortunes"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-peers: already installed: $PACKAGES"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  # Serialise with other apt users of this machine when flock is available.
  LOCK=""
  if command -v flock >/dev/null 2>&1; then LOCK="flock /tmp/apt.lock"; fi
  echo "install-peers: installing:$missing"
  $SUDO $LOCK apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO $LOCK apt-get install -y --no-install-recommends $missing
fi

# Report what numpy will use (the benchmark prints this too).
if [ -x /usr/bin/python3 ]; then
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$(dirname "$0")/../bench/python/blas_info.py" || true
fi
