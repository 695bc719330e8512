#!/usr/bin/env bash
# Pushes $BASE_IMAGE_MULTI (default 127.0.0.1:5000/base/jre:17-multi): an OCI index whose linux/amd64 entry is the
# manifest of $BASE_IMAGE as it is, and whose linux/arm64/v8 entry is assembled here (a config and one tiny layer;
# nothing needs to run it). Only the registry API is used (curl), no engine. Called by `.ci/services.sh start`
# when the index is missing; needs the env from $CI_STATE_DIR/env.
set -euo pipefail

CI_STATE_DIR=${CI_STATE_DIR:-/tmp/image-publish-ci}
if [ -z "${REGISTRY_PASSWORD:-}" ] && [ -f "$CI_STATE_DIR/env" ]; then . "$CI_STATE_DIR/env"; fi
BASE_IMAGE=${BASE_IMAGE:-127.0.0.1:5000/base/jre:17}
BASE_IMAGE_MULTI=${BASE_IMAGE_MULTI:-${BASE_IMAGE}-multi}
: "${REGISTRY_USER:?REGISTRY_USER not set (run .ci/services.sh start)}"
: "${REGISTRY_PASSWORD:?REGISTRY_PASSWORD not set (run .ci/services.sh start)}"
case "$BASE_IMAGE_MULTI" in 127.*|localhost[:/]*) ;; *) echo "refusing to push outside loopback: $BASE_IMAGE_MULTI" >&2; exit 1 ;; esac

host=${BASE_IMAGE%%/*}
rest=${BASE_IMAGE#*/}
repo=${rest%:*}
tag=${rest##*:}
multi_tag=${BASE_IMAGE_MULTI##*:}
api=http://$host/v2/$repo
work=$(mktemp -d "${TMPDIR:-/tmp}/base-multi.XXXXXX")
trap 'rm -rf "$work"' EXIT
# the password goes to curl through a config file on stdin-like fd, never argv
printf 'user = "%s:%s"\n' "$REGISTRY_USER" "$REGISTRY_PASSWORD" >"$work/curlrc"
chmod 600 "$work/curlrc"
rcurl() { curl -sS --fail --max-time 60 -K "$work/curlrc" "$@"; }
log() { echo "[base-image-multi] $*" >&2; }
digest_of() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
size_of() { stat -c %s "$1"; }

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
amd64_type=$(rcurl -o "$work/amd64.json" -w '%{content_type}' -H "Accept: $OCI_MANIFEST, application/vnd.docker.distribution.manifest.v2+json" "$api/manifests/$tag")
amd64_digest=$(digest_of "$work/amd64.json")
amd64_size=$(size_of "$work/amd64.json")

put_blob() { # file
  local d loc
  d=$(digest_of "$1")
  if rcurl -o /dev/null -I "$api/blobs/$d" 2>/dev/null; then return 0; fi
  loc=$(rcurl -o /dev/null -D - -X POST "$api/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  case "$loc" in http*) ;; *) loc=http://$host$loc ;; esac
  case "$loc" in *\?*) loc="$loc&digest=$d" ;; *) loc="$loc?digest=$d" ;; esac
  rcurl -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$loc"
}

# the arm64 stand-in: one layer with a marker file
mkdir -p "$work/root/etc"
echo arm64 >"$work/root/etc/image-arch"
tar -C "$work/root" --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -cf "$work/layer.tar" etc
gzip -n -c "$work/layer.tar" >"$work/layer.tar.gz"
diff_id=$(digest_of "$work/layer.tar")
put_blob "$work/layer.tar.gz"
printf '{"architecture":"arm64","variant":"v8","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"image-publish CI: an arm64 stand-in nobody runs"}]}' "$diff_id" >"$work/config.json"
put_blob "$work/config.json"
printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
  "$OCI_MANIFEST" "$(digest_of "$work/config.json")" "$(size_of "$work/config.json")" "$(digest_of "$work/layer.tar.gz")" "$(size_of "$work/layer.tar.gz")" >"$work/arm64.json"
arm64_digest=$(digest_of "$work/arm64.json")
rcurl -o /dev/null -X PUT -H "Content-Type: $OCI_MANIFEST" --data-binary "@$work/arm64.json" "$api/manifests/$arm64_digest"

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"%s","digest":"%s","size":%s,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}' \
  "${amd64_type%%;*}" "$amd64_digest" "$amd64_size" "$OCI_MANIFEST" "$arm64_digest" "$(size_of "$work/arm64.json")" >"$work/index.json"
index_digest=$(digest_of "$work/index.json")
rcurl -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$work/index.json" "$api/manifests/$index_digest"
rcurl -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$work/index.json" "$api/manifests/$multi_tag"
log "pushed $BASE_IMAGE_MULTI ($index_digest): linux/amd64 $amd64_digest, linux/arm64/v8 $arm64_digest"
