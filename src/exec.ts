import { spawn } from 'node:child_process';

export interface ExecOptions {
  cwd?: string;
  /** Extra environment on top of process.env (secrets travel here, never in argv). */
  env?: Record<string, string | undefined>;
  /** Written to the child's stdin, then closed (passwords for --password-stdin). */
  input?: string;
  /** Hard limit: the process group gets SIGTERM, then SIGKILL 5 s later. */
  timeoutMs: number;
  /** Echo the command line and its output to the log as they come (build tools); quiet commands keep it captured only. */
  stream?: boolean;
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

/** The one way this action runs a process: an argv array (no shell), bounded in time, output captured. */
export function execute(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const keep = opts.tailLines ?? 40;
  // argv never holds a secret (those travel on stdin or in the environment), so it may be shown
  if (opts.stream) process.stdout.write(`[command]${[file, ...args].join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
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
      if (opts.stream) process.stdout.write(text);
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
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      hardKill = setTimeout(() => kill('SIGKILL'), 5000);
    }, opts.timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      clearTimeout(hardKill);
      reject(err.code === 'ENOENT' ? new Error(`'${file}' was not found on PATH`) : err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(hardKill);
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
