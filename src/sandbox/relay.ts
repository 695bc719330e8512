import { randomBytes } from 'node:crypto';

/** A fresh stop-commands token: 128 random bits, new for every relayed process, never derived from anything the build sees. */
export function stopToken(): string {
  return randomBytes(16).toString('hex');
}

export interface Relay {
  /** Passes the process's output on, as data: the runner acts on no workflow command in it. */
  write(text: string): void;
  /** Resumes workflow commands, on a line of its own. */
  end(): void;
}

/**
 * Relays a process's output with the runner's workflow commands stopped (`::stop-commands::<token>` before,
 * `::<token>::` after, GitHub's documented mechanism), so a build cannot set outputs, state, masks or errors by
 * printing them. The resume line is always at the start of a line, whatever the process left unfinished. Pure
 * but for `out`.
 */
export function commandRelay(out: (text: string) => void, token: string = stopToken()): Relay {
  if (!/^[0-9a-f]{32,}$/.test(token)) throw new Error('a stop-commands token is 32 or more random hex digits');
  let atLineStart = true;
  let ended = false;
  out(`::stop-commands::${token}\n`);
  return {
    write(text) {
      if (ended || !text) return;
      out(text);
      atLineStart = text.endsWith('\n');
    },
    end() {
      if (ended) return;
      ended = true;
      out(`${atLineStart ? '' : '\n'}::${token}::\n`);
    },
  };
}
