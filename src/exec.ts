import { spawn } from 'node:child_process';
import { commandRelay, type Relay } from './sandbox/relay.js';

/** Variables every child may see, by exact name: what tools need to run, never what the runner gave the action alone. */
const PASSED = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'TZ', 'LANG', 'LANGUAGE', 'TMPDIR', 'TMP', 'TEMP', 'CI',
  'JAVA_HOME', 'JAVA_OPTS', 'JDK_JAVA_OPTIONS', 'JAVA_TOOL_OPTIONS', 'MAVEN_OPTS', 'MAVEN_ARGS', 'MAVEN_HOME', 'M2_HOME', 'MAVEN_CONFIG',
  'SOURCE_DATE_EPOCH', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_BUILDKIT', 'BUILDKIT_PROGRESS',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy',
]);
/** Name families passed whole: locale, tool homes (JAVA_HOME_17_X64), Gradle, buildx, the runner's facts. */
const PASSED_PREFIXES = ['LC_', 'XDG_', 'JAVA_HOME_', 'GRADLE_', 'BUILDX_', 'RUNNER_', 'GITHUB_', 'DOCKER_METADATA_'];
/**
 * Never passed, even within a family: tokens, and the command files through which a child could rewrite
 * this action's outputs, state (what post deletes and saves) or later steps' environment.
 */
const WITHHELD = /TOKEN|PASSWORD|SECRET|^GITHUB_(OUTPUT|STATE|ENV|PATH|STEP_SUMMARY)$/i;

/** The environment a child process starts from: the allow-list above, nothing else (no INPUT_*, no ACTIONS_*). Pure. */
export function childEnv(parent: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined || WITHHELD.test(k)) continue;
    if (PASSED.has(k) || PASSED_PREFIXES.some((p) => k.startsWith(p))) out[k] = v;
  }
  return out;
}

/** What a child started with `extra` sees: this process's allow-listed environment, `extra` on top (undefined unsets). */
export function childEnvWith(extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
  const out: Record<string, string> = childEnv(process.env);
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

export interface ExecOptions {
  cwd?: string;
  /** Extra environment on top of the allow-listed part of process.env (secrets travel here, never in argv). */
  env?: Record<string, string | undefined>;
  /** Written to the child's stdin, then closed (passwords for --password-stdin). */
  input?: string;
  /** Hard limit: the process group gets SIGTERM, then SIGKILL 5 s later. */
  timeoutMs: number;
  /**
   * Echo the command line and its output to the log as they come (build tools), with workflow commands stopped
   * (see sandbox/relay.ts); quiet commands keep it captured only.
   */
  stream?: boolean;
  /** The command line the log shows, when `file args` is a wrapper around it (the sandbox). */
  display?: string;
  /**
   * When the process exits, SIGKILL what is left of its process group, and stop waiting for output from
   * descendants that left the group but hold its pipes (after PIPE_GRACE_MS).
   */
  reap?: boolean;
  /** Lines kept from the end of the combined output, for error messages. */
  tailLines?: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The last lines of stdout+stderr, in arrival order. */
  tail: string[];
  timedOut: boolean;
  durationMs: number;
}

const MAX_CAPTURE = 4 * 1024 * 1024;
/** How long output may still arrive after the process exited, from descendants that hold its pipes. */
const PIPE_GRACE_MS = 2000;

/** The one way this action runs a process: an argv array (no shell), bounded in time, output captured. */
export function execute(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const keep = opts.tailLines ?? 40;
  // argv never holds a secret (those travel on stdin or in the environment), so it may be shown
  if (opts.stream) process.stdout.write(`[command]${opts.display ?? [file, ...args].join(' ')}\n`);
  const relay: Relay | undefined = opts.stream ? commandRelay((t) => process.stdout.write(t)) : undefined;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: childEnvWith(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    const tail: string[] = [];
    let partial = '';
    let timedOut = false;
    const collect = (chunk: Buffer, isErr: boolean): void => {
      const text = chunk.toString('utf8');
      if (isErr) stderr = (stderr + text).slice(-MAX_CAPTURE);
      else stdout = (stdout + text).slice(-MAX_CAPTURE);
      relay?.write(text);
      const lines = (partial + text).split(/\r?\n/);
      partial = lines.pop() ?? '';
      tail.push(...lines);
      if (tail.length > keep) tail.splice(0, tail.length - keep);
    };
    child.stdout.on('data', (c: Buffer) => collect(c, false));
    child.stderr.on('data', (c: Buffer) => collect(c, true));
    const kill = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    };
    let hardKill: NodeJS.Timeout | undefined;
    let pipeGrace: NodeJS.Timeout | undefined;
    child.on('exit', () => {
      if (!opts.reap) return;
      kill('SIGKILL');
      pipeGrace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_GRACE_MS);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      hardKill = setTimeout(() => kill('SIGKILL'), 5000);
    }, opts.timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      clearTimeout(hardKill);
      relay?.end();
      reject(err.code === 'ENOENT' ? new Error(`'${file}' was not found on PATH`) : err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(hardKill);
      clearTimeout(pipeGrace);
      relay?.end();
      if (partial) tail.push(partial);
      if (tail.length > keep) tail.splice(0, tail.length - keep);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout,
        stderr,
        tail,
        timedOut,
        durationMs: Date.now() - started,
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
