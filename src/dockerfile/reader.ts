import path from 'node:path/posix';
import type { ConfigChange, Healthcheck, Step } from '../oci/config.js';
import { flagValue, type Instruction, type Parsed } from './parse.js';
import { execForm, keyValues, processWord, splitWords, type Vars } from './words.js';

/** Where the native builder stops: the instruction and its line, and why. */
export interface Unsupported {
  instruction: string;
  line: number;
  reason: string;
}

export class UnsupportedError extends Error {
  constructor(readonly at: Unsupported) {
    super(`line ${at.line}: ${at.instruction}: ${at.reason}`);
  }
}

/** What a step adds to the file system: a directory (WORKDIR) or files from the context (COPY/ADD). */
export type LayerOp =
  | { kind: 'mkdir'; path: string; uid: number; gid: number }
  | { kind: 'copy'; sources: string[]; dest: string; chown?: { uid: number; gid: number }; chmod?: number; line: number };

export interface ReadStep extends Step {
  op?: LayerOp;
}

export interface DockerfilePlan {
  base: string;
  steps: ReadStep[];
}

const CONFIG_ONLY = new Set(['ENV', 'LABEL', 'WORKDIR', 'USER', 'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'ENTRYPOINT', 'CMD', 'ARG']);
const ARCHIVE = /\.(tar|tgz|tar\.(gz|bz2|xz|zst)|tbz2?|txz)$/i;

function numericOwner(spec: string): { uid: number; gid: number } | undefined {
  const m = /^(\d+)(?::(\d+))?$/.exec(spec);
  return m ? { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) } : undefined;
}

/** Go duration text (30s, 1m30s, 500ms) in nanoseconds, as BuildKit stores Healthcheck times. Pure. */
export function durationNs(text: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text))) {
    total += Number(m[1]) * units[m[2]];
    end = re.lastIndex;
  }
  if (end !== text.length || !text) throw new Error(`"${text}" is not a duration`);
  return total;
}

function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const s = ns / 1e9;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = +(s % 60).toFixed(9);
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${sec}s`;
}

/** BuildKit's `HEALTHCHECK %q` of its config struct, so the history reads the same. Pure. */
function healthHistory(h: Healthcheck): string {
  const d = (n?: number): string => JSON.stringify(goDuration(n ?? 0));
  const retries = `'\\x${(h.Retries ?? 0).toString(16).padStart(2, '0')}'`;
  return `HEALTHCHECK &{[${h.Test.map((t) => JSON.stringify(t)).join(' ')}] ${d(h.Interval)} ${d(h.Timeout)} ${d(h.StartPeriod)} ${d(h.StartInterval)} ${retries}}`;
}

function healthcheck(ins: Instruction): Healthcheck {
  const words = splitWords(ins.args);
  if (words[0]?.toUpperCase() === 'NONE') return { Test: ['NONE'] };
  if (words[0]?.toUpperCase() !== 'CMD') throw new Error('HEALTHCHECK takes CMD or NONE');
  const rest = ins.args.replace(/^\s*CMD\s*/i, '');
  const exec = execForm(rest);
  const h: Healthcheck = { Test: exec ? ['CMD', ...exec] : ['CMD-SHELL', rest] };
  const fields = { interval: 'Interval', timeout: 'Timeout', 'start-period': 'StartPeriod', 'start-interval': 'StartInterval' } as const;
  for (const [flag, key] of Object.entries(fields)) {
    const v = flagValue(ins.flags, flag);
    if (v) h[key] = durationNs(v);
  }
  const retries = flagValue(ins.flags, 'retries');
  if (retries) h.Retries = Number(retries);
  return h;
}

/** Reads the supported subset into a plan; throws UnsupportedError at the first instruction it cannot build. Pure. */
export function readDockerfile(df: Parsed, buildArgs: ReadonlyMap<string, string>): DockerfilePlan {
  const { escape, instructions } = df;
  const stop = (ins: Instruction, reason: string): never => {
    throw new UnsupportedError({ instruction: ins.text.length > 60 ? `${ins.text.slice(0, 57)}...` : ins.text, line: ins.line, reason });
  };
  const metaArgs = new Map<string, string>();
  const vars = new Map<string, string>();
  const word = (w: string, ins: Instruction, v: Vars = vars): string => {
    try {
      return processWord(w, v, escape);
    } catch (e) {
      return stop(ins, (e as Error).message);
    }
  };
  let base: string | undefined;
  let workdir = '/';
  let user = '';
  const steps: ReadStep[] = [];
  for (const ins of instructions) {
    const k = ins.keyword;
    if (ins.heredocs.length) stop(ins, `the heredoc <<${ins.heredocs[0].name} needs BuildKit (builder: docker), or write the file into the context and COPY it`);
    if (k === 'FROM') {
      if (base !== undefined) stop(ins, 'multi-stage builds need BuildKit');
      if (ins.flags.length) stop(ins, `${ins.flags[0].split('=')[0]} needs BuildKit`);
      const [image, as] = splitWords(ins.args, escape);
      if (as && as.toUpperCase() !== 'AS') stop(ins, 'FROM takes an image and an optional AS name');
      base = word(image, ins, metaArgs);
      if (base === 'scratch') stop(ins, 'a scratch base needs BuildKit');
      continue;
    }
    if (k === 'ARG') {
      for (const w of splitWords(ins.args, escape)) {
        const eq = w.indexOf('=');
        const name = eq < 0 ? w : w.slice(0, eq);
        const given = buildArgs.get(name);
        const dflt = eq < 0 ? (base === undefined ? undefined : metaArgs.get(name)) : word(w.slice(eq + 1), ins, base === undefined ? metaArgs : vars);
        const value = given ?? dflt;
        if (base === undefined) {
          if (value !== undefined) metaArgs.set(name, value);
          continue;
        }
        // ENV wins over an ARG of the same name
        if (value !== undefined && !steps.some((s) => s.change?.kind === 'env' && s.change.pairs.some(([n]) => n === name))) vars.set(name, value);
        // BuildKit's history shows the ARG as written, not the value a build arg gave it
        steps.push({ createdBy: `ARG ${w}`, layer: false });
      }
      continue;
    }
    if (base === undefined) stop(ins, 'only ARG may come before FROM');
    if (!CONFIG_ONLY.has(k) && k !== 'COPY' && k !== 'ADD') stop(ins, k === 'RUN' ? 'RUN needs BuildKit' : `${k} is not supported by the native builder`);
    const knownFlags: Record<string, string[]> = { COPY: ['chown', 'chmod'], ADD: ['chown', 'chmod'], HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'] };
    for (const f of ins.flags) {
      const name = f.slice(2).split('=')[0];
      if (!(knownFlags[k] ?? []).includes(name)) stop(ins, `${f.split('=')[0]} needs BuildKit`);
    }
    let change: ConfigChange | undefined;
    let createdBy = '';
    let op: LayerOp | undefined;
    switch (k) {
      case 'ENV':
      case 'LABEL': {
        let pairs: [string, string][] = [];
        try {
          pairs = keyValues(ins.args, vars, escape, k === 'ENV');
        } catch (e) {
          stop(ins, (e as Error).message);
        }
        if (k === 'ENV') for (const [n, v] of pairs) vars.set(n, v);
        change = { kind: k === 'ENV' ? 'env' : 'label', pairs };
        createdBy = `${k} ${pairs.map(([n, v]) => `${n}=${v}`).join(' ')}`;
        break;
      }
      case 'WORKDIR': {
        workdir = path.resolve(workdir, word(ins.args, ins));
        change = { kind: 'workdir', path: workdir };
        createdBy = `WORKDIR ${workdir}`;
        if (workdir !== '/') {
          const owner = user ? numericOwner(user) : { uid: 0, gid: 0 };
          if (!owner) stop(ins, `WORKDIR after USER ${user} needs the base's /etc/passwd`);
          op = { kind: 'mkdir', path: workdir, ...owner! };
        }
        break;
      }
      case 'USER':
        user = word(ins.args, ins);
        change = { kind: 'user', user };
        createdBy = `USER ${user}`;
        break;
      case 'EXPOSE': {
        const ports = splitWords(ins.args, escape).map((w) => word(w, ins));
        const specs: string[] = [];
        for (const p of ports) {
          const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
          if (!m) stop(ins, `"${p}" is not a port`);
          for (let n = Number(m![1]); n <= Number(m![2] ?? m![1]); n++) specs.push(`${n}/${(m![3] ?? 'tcp').toLowerCase()}`);
        }
        change = { kind: 'expose', ports: specs };
        // Go's fmt of the port set: map[8080/tcp:{} 9090/udp:{}], keys sorted
        createdBy = `EXPOSE map[${[...new Set(specs)].sort().map((p) => `${p}:{}`).join(' ')}]`;
        break;
      }
      case 'VOLUME': {
        const paths = (execForm(ins.args) ?? splitWords(ins.args, escape)).map((w) => word(w, ins));
        change = { kind: 'volume', paths };
        createdBy = `VOLUME [${paths.join(' ')}]`;
        break;
      }
      case 'STOPSIGNAL':
        change = { kind: 'stopsignal', signal: word(ins.args, ins) };
        createdBy = `STOPSIGNAL ${change.signal}`;
        break;
      case 'HEALTHCHECK': {
        let check: Healthcheck = { Test: [] };
        try {
          check = healthcheck(ins);
        } catch (e) {
          stop(ins, (e as Error).message);
        }
        change = { kind: 'healthcheck', check };
        createdBy = healthHistory(check);
        break;
      }
      case 'SHELL': {
        const shell = execForm(ins.args);
        if (!shell) stop(ins, 'SHELL takes the JSON form');
        change = { kind: 'shell', shell: shell! };
        createdBy = `SHELL [${shell!.join(' ')}]`;
        break;
      }
      case 'ENTRYPOINT':
      case 'CMD': {
        const exec = execForm(ins.args);
        const kind = k === 'CMD' ? 'cmd' : 'entrypoint';
        change = exec ? { kind, args: exec } : { kind, args: [ins.args], shellForm: true };
        createdBy = k; // childConfig writes the resolved arguments
        break;
      }
      case 'COPY':
      case 'ADD': {
        const words = execForm(ins.args) ?? splitWords(ins.args, escape);
        if (words.length < 2) stop(ins, `${k} needs a source and a destination`);
        const expanded = words.map((w) => word(w, ins));
        const sources = expanded.slice(0, -1);
        const destRaw = expanded[expanded.length - 1];
        if (k === 'ADD') {
          const remote = sources.find((s) => /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(s));
          if (remote) stop(ins, `ADD of a URL (${remote}) needs BuildKit`);
          const archive = sources.find((s) => ARCHIVE.test(s));
          if (archive) stop(ins, `ADD of an archive (${archive}) needs BuildKit, which unpacks it`);
        }
        const chownRaw = flagValue(ins.flags, 'chown');
        const chown = chownRaw === undefined ? undefined : numericOwner(word(chownRaw, ins));
        if (chownRaw !== undefined && !chown) stop(ins, `--chown=${chownRaw} by name needs the base's /etc/passwd`);
        const chmodRaw = flagValue(ins.flags, 'chmod');
        if (chmodRaw !== undefined && !/^[0-7]{3,4}$/.test(chmodRaw)) stop(ins, `--chmod=${chmodRaw} is not an octal mode`);
        const dest = path.resolve(workdir, destRaw) + (destRaw.endsWith('/') || /(^|\/)\.?$/.test(destRaw) ? '/' : '');
        op = { kind: 'copy', sources, dest: dest.replace(/\/+$/, '/'), chown, chmod: chmodRaw === undefined ? undefined : parseInt(chmodRaw, 8), line: ins.line };
        createdBy = `${[k, ...ins.flags, ...sources, destRaw].join(' ')} # buildkit`;
        break;
      }
    }
    steps.push({ createdBy, change, layer: op !== undefined, op });
  }
  if (base === undefined) throw new UnsupportedError({ instruction: '(none)', line: 1, reason: 'the Dockerfile has no FROM' });
  return { base, steps };
}

/** The first instruction the native builder cannot build, or undefined when it can build them all. Pure. */
export function unsupported(df: Parsed, buildArgs: ReadonlyMap<string, string> = new Map()): Unsupported | undefined {
  try {
    readDockerfile(df, buildArgs);
    return undefined;
  } catch (e) {
    if (e instanceof UnsupportedError) return e.at;
    throw e;
  }
}
