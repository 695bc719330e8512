#!/usr/bin/env bash
# Installs the machine-level tools the tests need (idempotent): Docker engine + buildx from Debian trixie,
# the CNCF registry, Maven/Gradle, skopeo and cosign (peers the tests check against), busybox for the JRE base
# image.
#
# Only the packages that must come from trixie do: docker.io, docker-cli, docker-buildx, containerd and cosign,
# without recommends. Everything else, their dependencies included, stays on the machine's own release. runc is
# the machine's own too: trixie's build needs glibc 2.38, and that libc breaks base-files < 13, so taking it would
# turn /etc/os-release into Debian 13 (and let apt replace python3). `.ci/run` checks that nothing of the sort
# happened.
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
fi
# low: nothing is taken from trixie unless named as pkg/trixie below
cat > /etc/apt/preferences.d/trixie-pin <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
own=(maven gradle docker-registry apache2-utils busybox-static openssl curl runc skopeo
     libmaven-jar-plugin-java libmaven-shade-plugin-java libguava-java libmaven-install-plugin-java
     libmaven-resources-plugin-java libmaven-compiler-plugin-java libsurefire-java libmaven-clean-plugin-java)
from_trixie=(docker.io docker-cli docker-buildx containerd cosign)
need=()
for p in "${own[@]}" "${from_trixie[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  args=()
  for p in "${need[@]}"; do
    case " ${from_trixie[*]} " in *" $p "*) args+=("$p/trixie") ;; *) args+=("$p") ;; esac
  done
  apt-get install -y -qq --no-install-recommends "${args[@]}"
fi
# the Debian packages start services on some systems; the tests run their own
systemctl stop docker-registry docker containerd 2>/dev/null || true
echo "provisioned"
