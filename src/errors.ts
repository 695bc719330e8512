/** An input the user gave is wrong: the message names the input and says how to fix it. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`Input '${input}': ${message}`);
    this.name = 'InputError';
  }
}

/** A line of the user's files to mark in the pull request (paths relative to the workspace). */
export interface Annotation {
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line: number;
  column?: number;
  title?: string;
}

/**
 * A pipeline stage failed; `tail` holds the last lines of the tool's output, for the log and summary,
 * and `annotations` the places in the user's files it points at.
 */
export class StageError extends Error {
  constructor(
    readonly stage: string,
    message: string,
    readonly tail: string[] = [],
    readonly annotations: Annotation[] = [],
  ) {
    super(message);
    this.name = 'StageError';
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
