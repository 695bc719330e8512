import { existsSync, readFileSync } from 'node:fs';
import { execute } from '../exec.js';
import { assertRegistryHost } from '../oci/host.js';
import { dockerdProcesses, findDaemon, type Daemon } from './daemon.js';
import { removeFile, signal, writeFile } from './trust.js';

/** What this job added to the engine's daemon.json (`file`) insecure-registries: post removes exactly these, nothing else. */
export interface DaemonChange {
  file: string;
  added: string[];
  /** There was no file before this job wrote one: post removes it again once nothing else is in it. */
  created?: boolean;
}

function parseConf(daemonJson: string | undefined): Record<string, unknown> {
  if (!daemonJson?.trim()) return {};
  const parsed: unknown = JSON.parse(daemonJson);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the engine\'s daemon.json is not a JSON object');
  return parsed as Record<string, unknown>;
}

/** The insecure-registries list of a daemon.json text ([] when it has none). Pure. */
export function insecureList(daemonJson: string | undefined): string[] {
  try {
    const v = parseConf(daemonJson)['insecure-registries'];
    return Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

/** Serialises like the text it replaces (compact or indented, trailing newline or not), so a round trip is byte-exact. Pure. */
function serialise(conf: Record<string, unknown>, like: string | undefined): string {
  if (!like?.trim()) return `${JSON.stringify(conf, null, 2)}\n`;
  const indent = /\n([ \t]+)"/.exec(like)?.[1];
  return `${JSON.stringify(conf, null, indent)}${like.endsWith('\n') ? '\n' : ''}`;
}

/** daemon.json with these registries added to insecure-registries, everything else kept; and which were new. Pure. */
export function addInsecure(daemonJson: string | undefined, registries: readonly string[]): { text: string; added: string[] } {
  const conf = parseConf(daemonJson);
  const current = insecureList(daemonJson);
  const added = [...new Set(registries.map(assertRegistryHost))].filter((r) => !current.includes(r));
  conf['insecure-registries'] = [...current, ...added];
  return { text: serialise(conf, daemonJson), added };
}

/**
 * daemon.json as it is now, less exactly the registries this job added (another job's stay). An empty list keeps
 * its key when `keepEmpty` (a reload ignores an absent key, so the engine must first see []), else the key goes.
 * undefined when there is no file. Pure.
 */
export function removeInsecure(daemonJson: string | undefined, added: readonly string[], keepEmpty = false): string | undefined {
  if (daemonJson === undefined) return undefined;
  const conf = parseConf(daemonJson);
  const left = insecureList(daemonJson).filter((r) => !added.includes(r));
  if (left.length || (keepEmpty && 'insecure-registries' in conf)) conf['insecure-registries'] = left;
  else delete conf['insecure-registries'];
  return serialise(conf, daemonJson);
}

/** Nothing but an empty object. Pure. */
function emptyConf(daemonJson: string | undefined): boolean {
  return daemonJson !== undefined && Object.keys(parseConf(daemonJson)).length === 0;
}

/** The engine the docker client of this job talks to (DOCKER_HOST), with the daemon.json it was started with. */
export function engineDaemon(dockerEnv: Record<string, string>): Daemon {
  return findDaemon(dockerdProcesses(), dockerEnv.DOCKER_HOST ?? process.env.DOCKER_HOST ?? '');
}

/** The registries the engine now treats as insecure (beyond its built-in 127.0.0.0/8). */
async function engineInsecure(dockerEnv: Record<string, string>): Promise<Set<string>> {
  const r = await execute('docker', ['info', '--format', '{{json .RegistryConfig.IndexConfigs}}'], { env: dockerEnv, timeoutMs: 30 * 1000 });
  if (r.code !== 0) return new Set();
  const configs = JSON.parse(r.stdout || '{}') as Record<string, { Secure?: boolean }>;
  return new Set(Object.entries(configs).filter(([, c]) => c.Secure === false).map(([name]) => name));
}

/** Reloads dockerd and waits (bounded) until the engine's view satisfies `done`; reloads are asynchronous. */
async function reloadUntil(done: (insecure: Set<string>) => boolean, dockerEnv: Record<string, string>): Promise<boolean> {
  await signal(engineDaemon(dockerEnv).pid, 'HUP');
  for (let i = 0; i < 40; i++) {
    if (done(await engineInsecure(dockerEnv))) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function readDaemonJson(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/**
 * Lets the engine speak plain HTTP to these registries until post. `record` gets what this job adds before the
 * file is written, so a post step after a crash still knows what to take out.
 */
export async function allowInsecure(registries: readonly string[], record: (change: DaemonChange) => void, dockerEnv: Record<string, string> = {}): Promise<DaemonChange> {
  const file = engineDaemon(dockerEnv).configFile;
  const before = readDaemonJson(file);
  const { text, added } = addInsecure(before, registries);
  const change = { file, added, created: before === undefined };
  record(change);
  if (added.length) await writeFile(file, text);
  try {
    if (!(await reloadUntil((s) => registries.every((r) => s.has(r)), dockerEnv))) throw new Error('the engine did not take up the new insecure-registries after a reload');
  } catch (e) {
    await removeDaemonChange(change, dockerEnv);
    throw e;
  }
  return change;
}

async function writeOrRemove(file: string, before: string | undefined, text: string | undefined): Promise<void> {
  if (text === before) return;
  if (text === undefined) await removeFile(file, false);
  else await writeFile(file, text);
}

/**
 * Post: takes out of daemon.json, read afresh, exactly what this job added, and reloads the engine; an emptied
 * list is shown to the engine as [] first, then its key goes too.
 */
export async function removeDaemonChange(change: DaemonChange, dockerEnv: Record<string, string> = {}): Promise<void> {
  if (!change.added.length) return;
  const now = readDaemonJson(change.file);
  await writeOrRemove(change.file, now, removeInsecure(now, change.added, true));
  await reloadUntil((s) => change.added.every((r) => !s.has(r)), dockerEnv);
  const after = readDaemonJson(change.file);
  const text = removeInsecure(after, change.added);
  // a file this job created goes again when nothing else was put into it; any other file stays, even as {}
  await writeOrRemove(change.file, after, change.created && emptyConf(text) ? undefined : text);
}
