/**
 * The small file a push-by-digest leg leaves for the merge job: named for its platform (`linux-arm64`), one JSON
 * line with the platform, the digest every registry got, the commit it was built from and the images. The merge
 * also takes the empty files docker's own distributed-build recipe writes (named by the digest's hex). Pure.
 */
import { platformProblem } from '../inputs/platform.js';

export interface LegDigest {
  /** os/arch[/variant] of the leg's image. */
  platform: string;
  /** sha256:… of the manifest the leg pushed by digest to every image. */
  digest: string;
  /** The commit the leg built (its org.opencontainers.image.revision). */
  commit: string;
  /** The image names it was pushed to. */
  images: string[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]{64}$/;

export function isSha256Digest(s: string): boolean {
  return DIGEST.test(s);
}

/** `linux/arm/v7` → `linux-arm-v7`: what `actions/upload-artifact` can name an artifact and a file. */
export function digestFileName(platform: string): string {
  return platform.replace(/\//g, '-');
}

export function formatDigestFile(leg: LegDigest): string {
  return `${JSON.stringify({ platform: leg.platform, digest: leg.digest, commit: leg.commit, images: leg.images })}\n`;
}

/** What a folder file says: a whole leg (our format) or only a digest (docker's empty file named by the hex). */
export type ParsedDigestFile = { leg: LegDigest } | { digest: string } | { error: string };

export function parseDigestFile(name: string, text: string): ParsedDigestFile {
  const body = text.trim();
  if (!body) return HEX.test(name) ? { digest: `sha256:${name}` } : { error: 'the file is empty and its name is no sha256 hex digest' };
  if (isSha256Digest(body)) return { digest: body };
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { error: 'it is neither a digest nor the JSON line a push-by-digest leg writes' };
  }
  const o = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const str = (k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
  const leg: LegDigest = { platform: str('platform'), digest: str('digest'), commit: str('commit'), images: Array.isArray(o.images) ? o.images.filter((i): i is string => typeof i === 'string') : [] };
  if (!isSha256Digest(leg.digest)) return { error: `"digest" is not a sha256 digest: "${leg.digest}"` };
  const bad = platformProblem(leg.platform);
  if (bad) return { error: `"platform" "${leg.platform}" is not a platform: ${bad}` };
  return { leg };
}

/** A line of `merge-digests`: `sha256:<hex>` or the bare hex. Undefined when it is neither. */
export function digestOfLine(line: string): string | undefined {
  const t = line.trim();
  if (isSha256Digest(t)) return t;
  if (HEX.test(t)) return `sha256:${t}`;
  return undefined;
}
