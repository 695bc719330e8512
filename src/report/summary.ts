import type { CacheHits } from '../cache/keys.js';
import type { RegistryResult } from '../builders/buildkit/publish.js';
import type { SupplyReport } from '../stages/supply.js';

export interface ImageStats {
  /** Bytes of the layers as the registry stores them (compressed), or the local size when nothing was pushed. */
  bytes: number;
  layers: number;
  compressed: boolean;
}

/** Everything the job summary shows; filled in as the stages run, so a failed run still has its part. */
export interface RunRecord {
  timings: Record<string, number>;
  tags: string[];
  results: RegistryResult[];
  digest?: string;
  stats?: ImageStats;
  cacheHit?: CacheHits;
  reproducible?: boolean;
  pushed: boolean;
  /** Which builder made the image: native, buildx or docker build. */
  builder?: string;
  reasonNotPushed?: string;
  failure?: { stage: string; message: string; tail: string[] };
  supply?: SupplyReport;
  /** Retries after transient faults, per registry (or `GitHub API`, `cache`). */
  retries: Record<string, number>;
}

/** Counts one retry against what it was about. */
export function countRetry(r: RunRecord, scope: string | undefined): void {
  const key = scope ?? 'other';
  r.retries[key] = (r.retries[key] ?? 0) + 1;
}

export function newRecord(): RunRecord {
  return { timings: {}, tags: [], results: [], pushed: false, retries: {} };
}

const STAGE_TITLES: Record<string, string> = {
  inputs: 'Read inputs',
  metadata: 'Tags and labels',
  plan: 'Dry run',
  login: 'Login',
  restore: 'Restore caches',
  java: 'Java build',
  image: 'Image build',
  push: 'Push',
  comment: 'PR comment',
  previews: 'Preview clean-up',
  supply: 'SBOM, provenance, signatures',
};

function esc(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;');
}

function size(bytes: number): string {
  return bytes > 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

function supplyLines(s: SupplyReport): string[] {
  const out: string[] = [];
  if (s.sbom) out.push(`**SBOM:** SPDX 2.3, ${s.sbom.packages} packages`);
  if (s.provenance) out.push(`**Provenance:** SLSA v1 for ${s.provenance.subject.map((x) => `\`${x.name}\` (\`sha256:${x.digest.sha256}\`)`).join(', ')}`);
  for (const sig of s.signatures) out.push(`**Signature:** \`${sig}\``);
  for (const att of s.attestations ?? []) out.push(`**Attestation:** \`${att}\``);
  return out.length ? [out.join('<br>'), ''] : [];
}

/** The job summary as Markdown. Pure; holds references, digests and timings only, never an input value. */
export function summaryMarkdown(r: RunRecord): string {
  const out: string[] = [`## image-publish ${r.failure ? 'failed' : r.pushed ? 'published' : 'built'}`, ''];
  if (r.failure) {
    out.push(`**Stage that failed:** ${STAGE_TITLES[r.failure.stage] ?? r.failure.stage}`, '', esc(r.failure.message.split('\n')[0]), '');
    if (r.failure.tail.length) out.push('<details><summary>Last lines of its output</summary>', '', '```', ...r.failure.tail.slice(-30), '```', '', '</details>', '');
  }
  if (r.results.length) {
    out.push('| registry | reference | digest | tags | result |', '|---|---|---|---|---|');
    for (const res of r.results) {
      const outcome = res.error ? `failed: ${esc(res.error.split('\n')[0])}` : 'pushed';
      // a row per repository that got the image: its own tags, never another image's
      const rows = res.targets.length ? res.targets : [{ image: { name: '' }, tags: [] }];
      for (const t of rows) out.push(`| ${res.registry} | \`${t.image.name}\` | \`${res.digest}\` | ${t.tags.map((tag) => `\`${tag}\``).join(' ')} | ${outcome} |`);
    }
    out.push('');
  } else if (r.tags.length) {
    out.push(`Tags: ${r.tags.map((t) => `\`${t}\``).join(' ')}${r.reasonNotPushed ? ` (not pushed: ${r.reasonNotPushed})` : ''}`, '');
  }
  if (r.builder) {
    const sent = r.results.filter((x) => x.uploadedBytes !== undefined).map((x) => `${x.registry} ${size(x.uploadedBytes!)}`);
    out.push(`**Builder:** ${r.builder}${sent.length ? `. **Uploaded:** ${sent.join(', ')}` : ''}`, '');
  }
  if (r.stats) out.push(`**Image:** ${size(r.stats.bytes)} ${r.stats.compressed ? 'compressed' : 'uncompressed, in the engine'}, ${r.stats.layers} layers`, '');
  if (r.cacheHit) {
    out.push(`**Caches:** image record ${r.cacheHit.image}, jar ${r.cacheHit.jar}, dependencies ${r.cacheHit.dependencies}, layers ${r.cacheHit.layers}. **Reproducible:** ${r.reproducible ? 'yes (commit time)' : 'no'}`, '');
  }
  if (r.supply) out.push(...supplyLines(r.supply));
  const retried = Object.entries(r.retries);
  if (retried.length) out.push(`**Retries after network faults:** ${retried.map(([what, n]) => `${esc(what)} ${n}`).join(', ')}`, '');
  const stages = Object.entries(r.timings);
  if (stages.length) {
    out.push('| stage | time |', '|---|---|');
    for (const [k, ms] of stages) out.push(`| ${STAGE_TITLES[k] ?? k} | ${(ms / 1000).toFixed(1)} s |`);
    out.push('');
  }
  return out.join('\n');
}
