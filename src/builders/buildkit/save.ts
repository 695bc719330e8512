/** The engine's image as a folder: `docker save` into an OCI layout, and layers gzipped file to file. */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { execute } from '../../exec.js';

/** docker save of a large image, and its unpacking, may take minutes on a slow disk; never longer than this. */
const SAVE_TIMEOUT_MS = 15 * 60 * 1000;

async function run(file: string, args: string[], env: Record<string, string>, what: string): Promise<void> {
  const r = await execute(file, args, { env, timeoutMs: SAVE_TIMEOUT_MS, tailLines: 10 });
  if (r.code !== 0) throw new Error(`${what} failed: ${r.timedOut ? `no answer in ${SAVE_TIMEOUT_MS / 60000} minutes` : r.stderr.trim() || `exit code ${r.code}`}`);
}

/** A private folder under RUNNER_TEMP for one save; `remove` deletes it and everything in it. */
export function saveFolder(runnerTemp: string): { dir: string; remove: () => void } {
  mkdirSync(runnerTemp, { recursive: true });
  const dir = mkdtempSync(path.join(runnerTemp, 'image-publish-save-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `docker save` of `name` into `<dir>/layout` (an OCI layout on both image stores), by way of `<dir>/image.tar`. */
export async function saveImage(name: string, dir: string, dockerEnv: Record<string, string>): Promise<string> {
  const tar = path.join(dir, 'image.tar');
  const layout = path.join(dir, 'layout');
  mkdirSync(layout);
  await run('docker', ['image', 'save', '--output', tar, '--', name], dockerEnv, `docker save ${name}`);
  await run('tar', ['-x', '-f', tar, '-C', layout], {}, 'Unpacking the saved image');
  rmSync(tar, { force: true });
  return layout;
}

/** RFC 1952's OS byte for "unknown", as src/oci/gzip.ts writes it. */
const OS_UNKNOWN = 0xff;

/**
 * Gzips `src` into `dst` as a stream (never the whole layer in memory) with the fixed header of
 * src/oci/gzip.ts (mtime 0, OS unknown), so the same tar gives the same blob; returns its digest and size.
 */
export async function gzipFile(src: string, dst: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const fixHeader = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const out = Buffer.from(chunk);
      for (let i = 0; i < out.length; i++) {
        const at = size + i;
        if (at > 9) break;
        if (at >= 4 && at <= 7) out[i] = 0;
        if (at === 9) out[i] = OS_UNKNOWN;
      }
      size += out.length;
      hash.update(out);
      done(null, out);
    },
  });
  await pipeline(createReadStream(src), createGzip({ level: 6 }), fixHeader, createWriteStream(dst));
  return { digest: `sha256:${hash.digest('hex')}`, size };
}
