#!/usr/bin/env bash
# Builds a small JRE base image from this machine's JDK 17 (nothing is pulled from any registry),
# `docker import`s it and pushes it to the local plain-HTTP registry as $BASE_IMAGE.
# Called by `.ci/services.sh start` when the image is missing; needs the env from $CI_STATE_DIR/env:
#   BASE_IMAGE (default 127.0.0.1:5000/base/jre:17), REGISTRY_HTTP, REGISTRY_USER, REGISTRY_PASSWORD.
# Optional: BASE_IMAGE_KEEP_LOCAL=1 keeps the image in the local image store after the push.
set -euo pipefail

CI_STATE_DIR=${CI_STATE_DIR:-/tmp/image-publish-ci}
if [ -z "${REGISTRY_PASSWORD:-}" ] && [ -f "$CI_STATE_DIR/env" ]; then . "$CI_STATE_DIR/env"; fi
BASE_IMAGE=${BASE_IMAGE:-127.0.0.1:5000/base/jre:17}
REGISTRY_HTTP=${REGISTRY_HTTP:-127.0.0.1:5000}
: "${REGISTRY_USER:?REGISTRY_USER not set (run .ci/services.sh start)}"
: "${REGISTRY_PASSWORD:?REGISTRY_PASSWORD not set (run .ci/services.sh start)}"
JDK=${JDK_DIR:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK_ETC=/etc/java-17-openjdk
[ -x "$JDK/bin/java" ] || { echo "no JDK at $JDK" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "busybox-static missing (run .ci/provision.sh)" >&2; exit 1; }
case "$BASE_IMAGE" in 127.*|localhost[:/]*) ;; *) echo "refusing to push outside loopback: $BASE_IMAGE" >&2; exit 1 ;; esac

log() { echo "[base-image] $*" >&2; }
t0=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/base-image.XXXXXX")
export DOCKER_CONFIG=$work/docker-config   # keep the login out of the caller's ~/.docker/config.json
mkdir -p "$DOCKER_CONFIG"
trap 'docker logout "$REGISTRY_HTTP" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
root=$work/rootfs

# merged-/usr layout like Debian 12
mkdir -p "$root"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64} "$root"/{etc,tmp,root,proc,sys,dev,run,var/tmp} \
         "$root/usr/lib/jvm" "$root/etc/ssl/certs/java"
ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
chmod 1777 "$root/tmp" "$root/var/tmp"; chmod 700 "$root/root"

# --- JDK (runtime parts only) ---------------------------------------------------------------------
# Desktop-only libraries (X11/GTK/ALSA) are left out so their large dependency trees stay out too.
desktop_libs=(libatk-wrapper.so libawt_xawt.so libjawt.so libsplashscreen.so libjsound.so)
excl=(--exclude=./jmods --exclude=./include --exclude=./man --exclude=./docs --exclude=./demo
      --exclude=./lib/src.zip --exclude=./lib/ct.sym --exclude=./lib/server/classes_nocoops.jsa
      --exclude=./bin/javac --exclude=./bin/javadoc --exclude=./bin/jlink --exclude=./bin/jmod
      --exclude=./bin/jdeps --exclude=./bin/jshell --exclude=./bin/jpackage --exclude=./bin/jdeprscan)
for l in "${desktop_libs[@]}"; do excl+=("--exclude=./lib/$l"); done
mkdir -p "$root$JDK"
tar -C "$JDK" -c "${excl[@]}" . | tar -C "$root$JDK" -x
# /usr/lib/jvm aliases Debian provides
jdk_name=$(basename "$JDK")
[ -L /usr/lib/jvm/java-1.17.0-openjdk-amd64 ] && ln -s "$jdk_name" "$root/usr/lib/jvm/java-1.17.0-openjdk-amd64"
[ -d "$JDK_ETC" ] && mkdir -p "$root$JDK_ETC" && cp -a "$JDK_ETC/." "$root$JDK_ETC/"
# lib/security/cacerts -> /etc/ssl/certs/java/cacerts
if [ -f /etc/ssl/certs/java/cacerts ]; then cp -L /etc/ssl/certs/java/cacerts "$root/etc/ssl/certs/java/cacerts"; fi

# --- shared libraries -------------------------------------------------------------------------------
# canonical path under merged /usr
canon() { case "$1" in /lib/*|/lib64/*|/bin/*|/sbin/*) echo "/usr$1" ;; *) echo "$1" ;; esac; }
copy_path() { # copy a host path (following symlink chains as symlinks) into $root
  local p c t
  c=$(canon "$1")
  [ -e "$root$c" ] || [ -L "$root$c" ] && return 0
  mkdir -p "$root$(dirname "$c")"
  if [ -L "$c" ]; then
    t=$(readlink "$c")
    ln -s "$t" "$root$c"
    case "$t" in /*) p=$t ;; *) p=$(dirname "$c")/$t ;; esac
    copy_path "$p"
  else
    cp -p "$c" "$root$c"
  fi
}
mapfile -t elves < <(
  echo "$JDK/bin/java"
  find "$JDK/lib" -name '*.so' -type f | grep -v -F -f <(printf '/%s\n' "${desktop_libs[@]}")
)
libs=$(for f in "${elves[@]}"; do ldd "$f"; done |
  awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
if ldd "${elves[@]}" 2>/dev/null | grep -q 'not found'; then
  log "WARNING: unresolved libraries:"; ldd "${elves[@]}" | grep 'not found' | sort -u >&2
fi
interp=$(readelf -l "$JDK/bin/java" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
for l in $libs $interp; do copy_path "$l"; done
# ld.so.cache so the libraries are found regardless of the loader's built-in search path
printf '/usr/lib/x86_64-linux-gnu\n/usr/local/lib\n' >"$root/etc/ld.so.conf"
ldconfig -r "$root" 2>/dev/null || log "WARNING: ldconfig -r failed (the loader's default path still works)"

# --- busybox shell + applets -------------------------------------------------------------------------
cp /bin/busybox "$root/usr/bin/busybox"
for a in $(/bin/busybox --list); do
  [ -e "$root/usr/bin/$a" ] || ln -s busybox "$root/usr/bin/$a"
done
ln -sf busybox "$root/usr/bin/sh"
ln -sf "$JDK/bin/java" "$root/usr/bin/java"
[ -x "$JDK/bin/keytool" ] && ln -sf "$JDK/bin/keytool" "$root/usr/bin/keytool"

# --- minimal /etc -----------------------------------------------------------------------------------
cat >"$root/etc/passwd" <<'E'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
E
cat >"$root/etc/group" <<'E'
root:x:0:
nogroup:x:65534:
E
echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"

# --- import + push --------------------------------------------------------------------------------
path_env="PATH=$JDK/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
log "rootfs $(du -sh "$root" | cut -f1); importing as $BASE_IMAGE"
tar -C "$root" --numeric-owner --owner=0 --group=0 -c . |
  docker import --platform linux/amd64 \
    --change "ENV $path_env" --change "ENV JAVA_HOME=$JDK" --change 'WORKDIR /' \
    --message "JRE 17 from the host JDK (image-publish CI)" - "$BASE_IMAGE" >/dev/null

docker run --rm --network host "$BASE_IMAGE" java -version 2>&1 | sed 's/^/[base-image]   /' >&2
docker run --rm --network host "$BASE_IMAGE" sh -c 'test -d /tmp && echo ok' >/dev/null

if ! out=$(printf '%s' "$REGISTRY_PASSWORD" | docker login "$REGISTRY_HTTP" -u "$REGISTRY_USER" --password-stdin 2>&1); then
  echo "$out" >&2; exit 1
fi
docker push -q "$BASE_IMAGE" >/dev/null
docker logout "$REGISTRY_HTTP" >/dev/null
log "pushed $BASE_IMAGE ($(docker image inspect -f '{{.Size}}' "$BASE_IMAGE") bytes) in $((SECONDS - t0))s"
# Drop the local copy (unless BASE_IMAGE_KEEP_LOCAL=1), like a fresh runner: with the image in the local
# store, `docker buildx build` (default docker driver) uses it WITHOUT asking the registry, so a missing
# `docker login` would go unnoticed.
if [ "${BASE_IMAGE_KEEP_LOCAL:-0}" != 1 ]; then docker image rm "$BASE_IMAGE" >/dev/null; fi
