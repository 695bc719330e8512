#!/usr/bin/env bash
# Prints what set-up must leave as it found it: /etc/os-release and python3 (Debian's and the first on PATH).
# .ci/run keeps this from before .ci/setup; .ci/test compares it after the tests (check: base-system-unchanged).
set -uo pipefail
echo "== /etc/os-release"
cat /etc/os-release 2>&1
echo "== /usr/bin/python3 --version"
if [ -x /usr/bin/python3 ]; then /usr/bin/python3 --version 2>&1; else echo "absent"; fi
echo "== python3 on PATH"
if p=$(command -v python3); then echo "$p: $(readlink -f "$p")"; "$p" --version 2>&1; else echo "absent"; fi
