#!/usr/bin/env bash
# Installs the machine-level tools the tests need (idempotent): Docker engine + buildx from Debian trixie,
# the CNCF registry, Maven/Gradle and the Maven plugins the fixtures use, busybox for the JRE base image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ ! -f /etc/apt/sources.list.d/trixie.sources ]; then
  cat > /etc/apt/sources.list.d/trixie.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  cat > /etc/apt/preferences.d/trixie-pin <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
fi
need=()
for p in maven gradle docker-registry apache2-utils busybox-static openssl curl libmaven-jar-plugin-java \
         libmaven-shade-plugin-java libguava-java libmaven-install-plugin-java libmaven-resources-plugin-java \
         libmaven-compiler-plugin-java libsurefire-java libmaven-clean-plugin-java; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
trixie=()
for p in docker.io docker-cli docker-buildx; do dpkg -s "$p" >/dev/null 2>&1 || trixie+=("$p"); done
if [ ${#need[@]} -gt 0 ] || [ ${#trixie[@]} -gt 0 ]; then
  apt-get update -qq
  if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq --no-install-recommends "${need[@]}"; fi
  # with recommends, as first provisioned and proven on this kind of machine
  if [ ${#trixie[@]} -gt 0 ]; then apt-get install -y -qq -t trixie "${trixie[@]}"; fi
fi
# the Debian registry package starts a service on :5000 on some systems; the tests run their own
systemctl stop docker-registry 2>/dev/null || true
echo "provisioned"
