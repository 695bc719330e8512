#!/usr/bin/env bash
# Local services for the image-publish tests (loopback only, nothing pulled from the internet).
#
#   .ci/services.sh start   # idempotent: dockerd + 2 registries + base image; writes $CI_STATE_DIR/env
#   .ci/services.sh stop    # stops the registries and the dockerd that `start` launched
#   .ci/services.sh status
#   .ci/services.sh start-classic  # a second dockerd with the classic image store (no containerd snapshotter),
#                                  # as GitHub's ubuntu-24.04 runners have it, on its own socket; writes
#                                  # $CI_STATE_DIR/classic/env (DOCKER_HOST, DOCKER_DAEMON_CONFIG)
#   .ci/services.sh stop-classic   # stops it and removes its data: the machine is as before start-classic
#
# After `start`:  source /tmp/image-publish-ci/env
#   REGISTRY_HTTP=127.0.0.1:5000  plain HTTP, htpasswd auth, delete API on
#   REGISTRY_TLS=registry.image-publish.test:5443
#                                 HTTPS on [::1]:5443 (cert signed by $REGISTRY_CA_FILE, SAN DNS:registry.image-publish.test,
#                                 IP:::1, IP:127.0.0.1, DNS:localhost). /etc/hosts maps the name to ::1: the engine skips TLS
#                                 checks for 127.0.0.0/8, and its containerd pusher speaks plain HTTP to any IP loopback
#                                 address or "localhost", so only a name on ::1 makes it verify the certificate.
#   REGISTRY_V6_HTTP=[::1]:5001   plain HTTP on IPv6 loopback: the engine refuses it unless told it is insecure
#                                 htpasswd auth, delete API on. The CA is NOT installed anywhere.
#   REGISTRY_USER / REGISTRY_PASSWORD  same credentials for both registries
#   BASE_IMAGE=127.0.0.1:5000/base/jre:17 (pushed by .ci/base-image.sh)
# Never creates docker networks; never talks to anything outside 127.0.0.0/8.
set -euo pipefail

CI_STATE_DIR=${CI_STATE_DIR:-/tmp/image-publish-ci}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REG_HTTP_PORT=5000
REG_TLS_PORT=5443
REG_V6_HTTP_PORT=5001
TLS_HOST=registry.image-publish.test
REG_USER=ci-user
BASE_IMAGE_REF=127.0.0.1:${REG_HTTP_PORT}/base/jre:17
DOCKERD_LOG=$CI_STATE_DIR/dockerd.log
DOCKERD_PIDFILE=$CI_STATE_DIR/dockerd.pid   # only present when *we* started dockerd

log() { echo "[services] $*" >&2; }
die() { echo "[services] ERROR: $*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

ensure_buildx_plugin() {
  # /usr/local/bin/docker (docker 28) is first on PATH; Debian's plugin lives in /usr/libexec/docker/cli-plugins,
  # which that client also searches. Only add a symlink if the first docker on PATH cannot find buildx.
  if docker buildx version >/dev/null 2>&1; then return 0; fi
  local plugin
  for plugin in /usr/libexec/docker/cli-plugins/docker-buildx /usr/lib/docker/cli-plugins/docker-buildx; do
    if [ -x "$plugin" ]; then
      mkdir -p /usr/local/lib/docker/cli-plugins
      ln -sf "$plugin" /usr/local/lib/docker/cli-plugins/docker-buildx
      break
    fi
  done
  docker buildx version >/dev/null 2>&1 || die "'$(command -v docker) buildx version' does not work"
}

start_dockerd() {
  mkdir -p /etc/docker
  local want='{"features":{"containerd-snapshotter":true}}'
  if [ ! -f /etc/docker/daemon.json ] || [ "$(tr -d ' \n\t' </etc/docker/daemon.json)" != "$want" ]; then
    if docker info >/dev/null 2>&1 && ! alive "$DOCKERD_PIDFILE"; then
      log "WARNING: a foreign dockerd is running; not touching /etc/docker/daemon.json"
    else
      echo "$want" >/etc/docker/daemon.json
    fi
  fi
  if docker info >/dev/null 2>&1; then
    log "dockerd already answers"
    return 0
  fi
  if alive "$DOCKERD_PIDFILE"; then
    log "dockerd (pid $(cat "$DOCKERD_PIDFILE")) started earlier but not answering yet"
  else
    command -v dockerd >/dev/null || die "dockerd not installed (run .ci/provision.sh)"
    log "starting dockerd (log: $DOCKERD_LOG)"
    setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$DOCKERD_PIDFILE"
  fi
  local i
  for i in $(seq 1 120); do
    if docker info >/dev/null 2>&1; then log "dockerd ready after ~$((i / 2))s"; return 0; fi
    alive "$DOCKERD_PIDFILE" || { tail -n 30 "$DOCKERD_LOG" >&2; die "dockerd exited; see $DOCKERD_LOG"; }
    sleep 0.5
  done
  tail -n 30 "$DOCKERD_LOG" >&2
  die "dockerd did not answer 'docker info' within 60s; see $DOCKERD_LOG"
}

# The classic-store daemon: its own socket, data-root, exec-root (so its own managed containerd), pidfile and
# daemon.json; it never touches the shared daemon or /etc/docker/daemon.json. It runs as a copy of dockerd named
# dockerd-classic, so that `pidof dockerd` on this machine still names only the shared daemon.
CLASSIC_DIR=$CI_STATE_DIR/classic
CLASSIC_SOCK=/run/docker-classic.sock
CLASSIC_HOST=unix://$CLASSIC_SOCK
CLASSIC_DATA=/var/lib/docker-classic
CLASSIC_EXEC=/run/docker-classic
CLASSIC_PIDFILE=$CLASSIC_DIR/dockerd.pid

classic_ok() { DOCKER_HOST=$CLASSIC_HOST docker info >/dev/null 2>&1; }

cmd_start_classic() {
  mkdir -p "$CLASSIC_DIR"
  if alive "$CLASSIC_PIDFILE" && classic_ok; then log "classic-store dockerd already up on $CLASSIC_HOST"; return 0; fi
  [ -e "$CLASSIC_SOCK" ] && classic_ok && die "something else already answers on $CLASSIC_SOCK"
  echo '{}' >"$CLASSIC_DIR/daemon.json"
  cp -f "$(command -v dockerd)" "$CLASSIC_DIR/dockerd-classic"
  log "starting the classic-store dockerd on $CLASSIC_HOST (log: $CLASSIC_DIR/dockerd.log)"
  setsid nohup "$CLASSIC_DIR/dockerd-classic" --host "$CLASSIC_HOST" --config-file "$CLASSIC_DIR/daemon.json" \
    --data-root "$CLASSIC_DATA" --exec-root "$CLASSIC_EXEC" --pidfile "$CLASSIC_EXEC.pid" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    >>"$CLASSIC_DIR/dockerd.log" 2>&1 </dev/null 9>&- &
  echo $! >"$CLASSIC_PIDFILE"
  local i
  for i in $(seq 1 120); do
    if classic_ok; then
      local drivers
      drivers=$(DOCKER_HOST=$CLASSIC_HOST docker info --format '{{json .DriverStatus}}')
      case $drivers in *io.containerd.snapshotter*) die "the classic dockerd uses the containerd store: $drivers" ;; esac
      log "classic-store dockerd ready after ~$((i / 2))s; source $CLASSIC_DIR/env to use it"
      printf 'export DOCKER_HOST=%s\nexport DOCKER_DAEMON_CONFIG=%s\n' "$CLASSIC_HOST" "$CLASSIC_DIR/daemon.json" >"$CLASSIC_DIR/env"
      return 0
    fi
    alive "$CLASSIC_PIDFILE" || { tail -n 30 "$CLASSIC_DIR/dockerd.log" >&2; die "the classic dockerd exited"; }
    sleep 0.5
  done
  tail -n 30 "$CLASSIC_DIR/dockerd.log" >&2
  die "the classic dockerd did not answer within 60s"
}

cmd_stop_classic() {
  stop_pid "$CLASSIC_PIDFILE" "classic-store dockerd"
  # its managed containerd stops with it; what is left is its data
  # (and the mounts it leaves, such as the network namespace bind mount under its exec-root), deepest first
  local m
  awk -v a="$CLASSIC_DATA" -v b="$CLASSIC_EXEC" 'index($2, a) == 1 || index($2, b) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "WARNING: could not unmount $m"; done
  rm -rf "$CLASSIC_DATA" "$CLASSIC_EXEC" "$CLASSIC_EXEC.pid" "$CLASSIC_SOCK" "$CLASSIC_DIR"
}

ensure_credentials() {
  if [ ! -s "$CI_STATE_DIR/registry-password" ]; then
    (umask 077; openssl rand -hex 16 >"$CI_STATE_DIR/registry-password")
  fi
  REG_PASSWORD=$(cat "$CI_STATE_DIR/registry-password")
  if [ ! -s "$CI_STATE_DIR/htpasswd" ] || ! htpasswd -vb "$CI_STATE_DIR/htpasswd" "$REG_USER" "$REG_PASSWORD" >/dev/null 2>&1; then
    htpasswd -Bbn "$REG_USER" "$REG_PASSWORD" | sed '/^$/d' >"$CI_STATE_DIR/htpasswd"
  fi
}

ensure_tls() {
  local d=$CI_STATE_DIR/tls
  mkdir -p "$d"
  if [ -s "$d/ca.pem" ] && [ -s "$d/server.pem" ] && [ -s "$d/server-key.pem" ] \
     && openssl verify -CAfile "$d/ca.pem" "$d/server.pem" >/dev/null 2>&1 \
     && openssl x509 -in "$d/server.pem" -noout -ext subjectAltName 2>/dev/null | grep -q "$TLS_HOST"; then
    return 0
  fi
  log "creating test CA and server certificate in $d"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$d/ca-key.pem" -out "$d/ca.pem" -subj "/CN=image-publish test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$d/server-key.pem" -out "$d/server.csr" \
    -subj "/CN=localhost" 2>/dev/null
  cat >"$d/server.ext" <<'EXT'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:registry.image-publish.test,IP:127.0.0.1,IP:::1,DNS:localhost
EXT
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" -CAcreateserial \
    -days 3650 -sha256 -extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null
  rm -f "$d/server.csr"
}

write_registry_config() { # name host port tls(0/1)
  local name=$1 host=$2 port=$3 tls=$4 cfg=$CI_STATE_DIR/$1.yml
  mkdir -p "$CI_STATE_DIR/$name-data"
  {
    cat <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $CI_STATE_DIR/$name-data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
auth:
  htpasswd:
    realm: $name
    path: $CI_STATE_DIR/htpasswd
http:
  addr: "$host:$port"
  secret: $(cat "$CI_STATE_DIR/registry-password")-$name
  headers:
    X-Content-Type-Options: [nosniff]
YAML
    if [ "$tls" = 1 ]; then
      cat <<YAML
  tls:
    certificate: $CI_STATE_DIR/tls/server.pem
    key: $CI_STATE_DIR/tls/server-key.pem
YAML
    fi
  } >"$cfg"
}

registry_url() { # host port tls
  if [ "$3" = 1 ]; then echo "https://$1:$2"; else echo "http://$1:$2"; fi
}

registry_ok() { # host port tls
  curl -gfs -o /dev/null --max-time 3 --cacert "$CI_STATE_DIR/tls/ca.pem" \
    -u "$REG_USER:$REG_PASSWORD" "$(registry_url "$1" "$2" "$3")/v2/"
}

start_registry() { # name host port tls
  local name=$1 host=$2 port=$3 tls=$4 pidfile=$CI_STATE_DIR/$1.pid
  write_registry_config "$name" "$host" "$port" "$tls"
  if alive "$pidfile" && registry_ok "$host" "$port" "$tls"; then
    log "registry $name already up on $host:$port"
    return 0
  fi
  if alive "$pidfile"; then kill "$(cat "$pidfile")" 2>/dev/null || true; sleep 0.5; fi
  if curl -gs -o /dev/null --max-time 2 -k "$(registry_url "$host" "$port" "$tls")/v2/"; then
    die "something else is already listening on $host:$port"
  fi
  log "starting registry $name on $host:$port (log: $CI_STATE_DIR/$name.log)"
  # env -i: distribution reads REGISTRY_* env vars as config overrides, and our env file exports
  # REGISTRY_HTTP/REGISTRY_USER/... which would break it if the caller sourced that file.
  setsid nohup env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/bin/docker-registry serve "$CI_STATE_DIR/$name.yml" \
    >>"$CI_STATE_DIR/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
  local i
  for i in $(seq 1 60); do
    if registry_ok "$host" "$port" "$tls"; then return 0; fi
    alive "$pidfile" || { tail -n 20 "$CI_STATE_DIR/$name.log" >&2; die "registry $name exited"; }
    sleep 0.25
  done
  die "registry $name did not answer on 127.0.0.1:$port within 15s; see $CI_STATE_DIR/$name.log"
}

write_env() {
  local tmp=$CI_STATE_DIR/env.tmp
  cat >"$tmp" <<ENV
export CI_STATE_DIR=$CI_STATE_DIR
export REGISTRY_HTTP=127.0.0.1:$REG_HTTP_PORT
export REGISTRY_TLS=$TLS_HOST:$REG_TLS_PORT
export REGISTRY_V6_HTTP=[::1]:$REG_V6_HTTP_PORT
export REGISTRY_USER=$REG_USER
export REGISTRY_PASSWORD=$REG_PASSWORD
export REGISTRY_CA_FILE=$CI_STATE_DIR/tls/ca.pem
export BASE_IMAGE=$BASE_IMAGE_REF
export BASE_IMAGE_MULTI=$BASE_IMAGE_REF-multi
export MAVEN_REPO_MIRROR=file:///usr/share/maven-repo
export DOCKER_BIN=$(command -v docker)
ENV
  chmod 600 "$tmp"
  mv "$tmp" "$CI_STATE_DIR/env"
}

base_image_present() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -I -u "$REG_USER:$REG_PASSWORD" \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://127.0.0.1:$REG_HTTP_PORT/v2/base/jre/manifests/17")
  [ "$code" = 200 ]
}

cmd_start() {
  local t0=$SECONDS
  mkdir -p "$CI_STATE_DIR"
  chmod 700 "$CI_STATE_DIR"
  for t in dockerd docker docker-registry htpasswd openssl curl; do
    command -v "$t" >/dev/null || die "$t missing (run .ci/provision.sh)"
  done
  ensure_buildx_plugin
  start_dockerd
  ensure_credentials
  ensure_tls
  grep -q "[[:space:]]$TLS_HOST\$" /etc/hosts || echo "::1 $TLS_HOST" >>/etc/hosts
  start_registry registry-http 127.0.0.1 "$REG_HTTP_PORT" 0
  start_registry registry-tls '[::1]' "$REG_TLS_PORT" 1
  start_registry registry-v6http '[::1]' "$REG_V6_HTTP_PORT" 0
  write_env
  if base_image_present; then
    log "base image $BASE_IMAGE_REF already in registry"
  else
    log "base image missing; building it"
    (set -a; . "$CI_STATE_DIR/env"; set +a; "$HERE/base-image.sh")
    base_image_present || die "base image still missing after base-image.sh"
  fi
  # the multi-platform index (linux/amd64 = the base above, linux/arm64 = a stand-in); cheap, so always refreshed
  (set -a; . "$CI_STATE_DIR/env"; set +a; "$HERE/base-image-multi.sh") || die "base-image-multi.sh failed"
  log "ready in $((SECONDS - t0))s; source $CI_STATE_DIR/env"
}

stop_pid() { # pidfile label
  local pidfile=$1 pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $2 (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

cmd_stop() {
  stop_pid "$CI_STATE_DIR/registry-http.pid" "registry-http"
  stop_pid "$CI_STATE_DIR/registry-tls.pid" "registry-tls"
  stop_pid "$CI_STATE_DIR/registry-v6http.pid" "registry-v6http"
  stop_pid "$DOCKERD_PIDFILE" "dockerd"
}

cmd_status() {
  local rc=0
  if docker info >/dev/null 2>&1; then echo "dockerd: up"; else echo "dockerd: down"; rc=1; fi
  for n in registry-http registry-tls registry-v6http; do
    if alive "$CI_STATE_DIR/$n.pid"; then echo "$n: up (pid $(cat "$CI_STATE_DIR/$n.pid"))"; else echo "$n: down"; rc=1; fi
  done
  return $rc
}

lock() { mkdir -p "$CI_STATE_DIR"; exec 9>"$CI_STATE_DIR/.lock"; flock -w 300 9 || die "could not lock $CI_STATE_DIR/.lock"; }

case "${1:-}" in
  start) lock; cmd_start ;;
  stop) lock; cmd_stop_classic; cmd_stop ;;
  start-classic) lock; cmd_start_classic ;;
  stop-classic) lock; cmd_stop_classic ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status|start-classic|stop-classic" >&2; exit 2 ;;
esac
