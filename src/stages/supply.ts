import { createHash } from 'node:crypto';
import path from 'node:path';
import { errorMessage, StageError } from '../errors.js';
import type { RegistryResult } from '../builders/buildkit/publish.js';
import type { PushResult } from '../builders/buildkit/push.js';
import { secretLookingArgs } from '../inputs/registry-auth.js';
import { DOCKER_HUB } from '../oci/name.js';
import type { Attestation } from '../supply/attest.js';
import { platformName, type Platform } from '../oci/manifest.js';
import { attach, type PushedImage } from '../supply/attach.js';
import { keylessSigner, keySigner, type Signer } from '../supply/signer.js';
import { SignOnce } from '../supply/store.js';
import { runtimeFacts, type BaseImage } from '../supply/base.js';
import { parseBaseRef } from '../builders/native/base.js';
import type { ResolvedBase } from '../builders/base.js';
import { readJar } from '../supply/jar.js';
import { readRegular } from '../untrusted/file.js';
import { bytesText, LIMITS } from '../untrusted/limits.js';
import { ZipError } from '../untrusted/zip.js';
import { slsaPredicate, SLSA_PREDICATE, statement, type BuildFacts, type Subject } from '../supply/provenance.js';
import { SupplyRegistry } from '../supply/registry.js';
import type { RetryPolicy } from '../retry/retry.js';
import { SPDX_PREDICATE, spdxDocument } from '../supply/spdx.js';
import { registryPool, type Job } from '../job.js';

/** What the supply-chain step attached: for the `metadata` output and the job summary. */
export interface SupplyReport {
  sbom?: { packages: number };
  provenance?: { subject: Subject[] };
  signatures: string[];
  /** Signed attestations (`.att` tags, bundle referrers) and referrer attestations. */
  attestations?: string[];
}

type Registries = (registry: string) => SupplyRegistry;

/**
 * The base the builder built on (never the Dockerfile read again), with what its config says about Java and the
 * OS: the config of the first built platform, fetched by the digest the builder recorded. Best effort: a warning.
 */
async function baseImage(job: Job, client: Registries, built: ResolvedBase | undefined): Promise<BaseImage | undefined> {
  if (!built) return undefined;
  const first = built.platforms[0];
  try {
    const b = parseBaseRef(built.name);
    const config = first ? (await client(b.registry).getBlob(b.repository, first.config)).toString('utf8') : '{}';
    return { ref: built.name, digest: built.digest, runtime: runtimeFacts(config) };
  } catch (e) {
    job.io.warning(`The config of the base image ${built.name}@${built.digest} could not be read (${errorMessage(e)}): the SBOM names no Java or OS for it.`);
    return { ref: built.name, digest: built.digest, runtime: {} };
  }
}

/** The run's signer: the opened key, or keyless against the endpoints worked out before the build; none without `sign`. */
function supplySigner(job: Job): Signer | undefined {
  const { supply } = job.inputs;
  if (supply.sign === 'key' && supply.key) return keySigner(supply.key);
  if (supply.sign !== 'keyless') return undefined;
  if (!job.sigstore) throw new Error('keyless signing has no Sigstore endpoints (worked out before the build)');
  return keylessSigner({ env: job.env, endpoints: job.sigstore, policy: job.policy, mask: (v) => job.io.setSecret(v), log: (m) => job.io.info(m) });
}

/** The inputs as provenance records them: what shaped the build, never a secret (secret ids only, secret-looking build-args hidden). */
export function provenanceInputs(job: Job): Record<string, unknown> {
  const { inputs, ctx } = job;
  const rel = (p: string): string => path.relative(ctx.workspace, p) || '.';
  const hidden = new Set(secretLookingArgs(inputs.buildArgs));
  return {
    'java-tool': inputs.javaTool,
    'working-directory': rel(inputs.workingDirectory),
    artifact: inputs.artifact || undefined,
    context: rel(inputs.context),
    file: rel(inputs.file),
    'build-args': Object.fromEntries(inputs.buildArgs.map(([k, v]) => [k, hidden.has(k) ? '***' : v])),
    target: inputs.target || undefined,
    platforms: inputs.platforms,
    secrets: inputs.secrets.map((s) => s.id),
    images: inputs.images.map((i) => i.name),
    tags: inputs.tags.filter((t) => t.trim()),
    labels: inputs.labels.filter((t) => t.trim()),
    reproducible: inputs.reproducible,
    sbom: inputs.supply.sbom,
    provenance: inputs.supply.provenance,
    sign: inputs.supply.sign,
    'signature-format': inputs.supply.sign !== 'none' ? inputs.supply.signatureFormat : undefined,
    attestations: inputs.supply.attestations,
  };
}

/** The pushed repositories, each with the tags that went to it. Pure. */
export function pushedImages(pushes: readonly PushResult[]): PushedImage[] {
  const out = new Map<string, PushedImage>();
  for (const p of pushes) {
    const { image } = p;
    const dockerReference = image.registry === DOCKER_HUB ? `index.docker.io/${image.repository}` : image.name;
    const e = out.get(image.name) ?? { name: image.name, registry: image.registry, repository: image.repository, dockerReference, digest: p.digest, tags: [] };
    if (p.tag !== undefined) e.tags.push(p.tag);
    out.set(image.name, e);
  }
  return [...out.values()];
}

/**
 * After the push: attaches the SBOM and provenance as BuildKit does (an index of the image and its attestation
 * manifests) and signs the final digest as cosign does, on every registry that got the image.
 */
export async function supplyStage(
  job: Job,
  jar: string | undefined,
  published: { pushes: PushResult[]; results: RegistryResult[] },
  startedOn: Date,
  policy: RetryPolicy,
  base: ResolvedBase | undefined,
): Promise<{ pushes: PushResult[]; results: RegistryResult[]; supply: SupplyReport }> {
  const pool = registryPool(job, policy);
  try {
    return await attachEverywhere(job, jar, published, startedOn, (registry) => new SupplyRegistry(pool.client(registry)), base);
  } finally {
    pool.close();
  }
}

/** What the jar is made of, for the SBOM; a jar past a zip cap fails the stage, naming it. */
function jarContents(bytes: Buffer, rel: string): ReturnType<typeof readJar> {
  try {
    return readJar(bytes, rel);
  } catch (e) {
    if (!(e instanceof ZipError)) throw e;
    throw new StageError('supply', `The jar ${rel} cannot be read for the SBOM: ${e.message}. This action inflates at most ${bytesText(LIMITS.zip.totalBytes)} from a jar, ${LIMITS.zip.entries} entries per archive, and ${LIMITS.zip.ratio}:1 per entry past ${bytesText(LIMITS.zip.ratioGraceBytes)}.`);
  }
}

async function attachEverywhere(
  job: Job,
  jar: string | undefined,
  published: { pushes: PushResult[]; results: RegistryResult[] },
  startedOn: Date,
  client: Registries,
  built: ResolvedBase | undefined,
): Promise<{ pushes: PushResult[]; results: RegistryResult[]; supply: SupplyReport }> {
  const { io, inputs, ctx, env } = job;
  const opts = inputs.supply;
  const jarBytes = jar ? readRegular(jar, { cap: LIMITS.contextFileBytes, name: path.relative(ctx.workspace, jar) }) : undefined;
  const contents = opts.sbom && jarBytes && jar ? jarContents(jarBytes, path.relative(ctx.workspace, jar)) : undefined;
  if (opts.sbom && !jar) io.warning('No jar was built or given, so the SBOM lists the base image only.');
  const base = opts.sbom || opts.provenance ? await baseImage(job, client, built) : undefined;
  const created = job.commitDate ?? (opts.provenance ? startedOn : new Date(0));
  const actionRef = env.GITHUB_ACTION_REF ?? '';
  const actionRepository = env.GITHUB_ACTION_REPOSITORY ?? '';
  const report: SupplyReport = { signatures: [] };
  const digestByName = new Map<string, string>();
  const facts: BuildFacts = {
    actionRepository,
    actionRef,
    serverUrl: ctx.serverUrl,
    repository: ctx.repository,
    sha: ctx.sha,
    ref: ctx.ref,
    eventName: ctx.eventName,
    workflowRef: env.GITHUB_WORKFLOW_REF ?? '',
    runId: ctx.runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT,
    inputs: provenanceInputs(job),
    base: base?.digest ? { ref: base.ref, digest: base.digest } : undefined,
    jar: jar && jarBytes ? { path: path.relative(ctx.workspace, jar), sha256: createHash('sha256').update(jarBytes).digest('hex') } : undefined,
    startedOn,
    finishedOn: new Date(),
  };
  // every registry gets the same documents, named after the first image, so the index has one digest everywhere
  const images = pushedImages(published.pushes);
  const primary = images[0]?.name ?? '';
  const statements = (image: { digest: string; platform?: Platform }): Attestation[] => {
    const platform = image.platform ? `?platform=${encodeURIComponent(platformName(image.platform))}` : '';
    const subject = [{ name: `pkg:docker/${primary}@${images[0]?.tags[0] ?? image.digest}${platform}`, digest: { sha256: image.digest.replace(/^sha256:/, '') } }];
    const list: Attestation[] = [];
    if (opts.sbom) {
      const doc = spdxDocument({ image: primary, jar: contents, base, created, tool: `Tool: image-publish${actionRef ? `-${actionRef}` : ''}`, namespaceBase: `${ctx.serverUrl.replace(/\/$/, '')}/${actionRepository || 'image-publish'}/spdx` });
      report.sbom = { packages: doc.packages.length };
      list.push({ predicateType: SPDX_PREDICATE, statement: statement(subject, SPDX_PREDICATE, doc) });
    }
    if (opts.provenance) {
      const known = report.provenance?.subject ?? [];
      report.provenance = { subject: [...known, ...subject.filter((x) => !known.some((k) => k.name === x.name && k.digest.sha256 === x.digest.sha256))] };
      list.push({ predicateType: SLSA_PREDICATE, statement: statement(subject, SLSA_PREDICATE, slsaPredicate(facts)) });
    }
    return list;
  };
  const signer = supplySigner(job);
  const once = signer ? new SignOnce(signer) : undefined;
  for (const img of images) {
    try {
      const done = await attach(client(img.registry), img, { statements: opts.sbom || opts.provenance ? statements : undefined, once, signatureFormat: opts.signatureFormat, placement: opts.attestations, log: (m) => io.info(m) });
      digestByName.set(img.name, done.digest);
      if (done.signature) report.signatures.push(done.signature);
      if (done.attestations.length) report.attestations = [...(report.attestations ?? []), ...done.attestations];
    } catch (e) {
      throw new StageError('supply', `Attaching the SBOM, provenance or signature to ${img.name} failed: ${errorMessage(e)}. Tags not yet moved still point at ${img.digest}.`);
    }
  }
  const moved = (name: string | undefined, digest: string): string => (name !== undefined ? digestByName.get(name) : undefined) ?? digest;
  const pushes = published.pushes.map((p) => ({ ...p, digest: moved(p.image.name, p.digest) }));
  const results = published.results.map((r) => ({ ...r, digest: moved(r.targets[0]?.image.name, r.digest) }));
  return { pushes, results, supply: report };
}
