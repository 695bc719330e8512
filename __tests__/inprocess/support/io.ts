import type { Annotation } from '../../../src/errors.ts';
import type { ActionIO } from '../../../src/io.ts';

/**
 * The runner as the pipeline sees it, kept in memory: inputs in, outputs, state, masks, annotations and the job
 * summary out. The log holds what @actions/core would print, in its command syntax (`::warning::…`,
 * `::group::…`), so the assertions read like the end-to-end ones. Nothing is masked: a secret that reaches a
 * line is there to be found.
 */
export class RecordingIO implements ActionIO {
  readonly outputs: Record<string, string> = {};
  readonly secrets: string[] = [];
  readonly annotations: Annotation[] = [];
  readonly lines: string[] = [];
  summary = '';
  readonly state;

  constructor(
    private readonly inputs: Readonly<Record<string, string>>,
    private readonly saved: Record<string, string> = {},
  ) {
    this.state = { save: (name: string, value: string) => void (this.saved[name] = value), get: (name: string) => this.saved[name] ?? '' };
  }

  /** The state main saved, by name: what post gets. */
  get stateValues(): Record<string, string> {
    return { ...this.saved };
  }

  get log(): string {
    return this.lines.join('\n');
  }

  // arrow functions: the pipeline may hand a method on (`io.info`) as @actions/core's functions can be
  readonly getInput = (name: string): string => this.inputs[name] ?? '';
  readonly setOutput = (name: string, value: string): void => void (this.outputs[name] = value);
  readonly setSecret = (value: string): void => void this.secrets.push(value);
  readonly info = (message: string): void => void this.lines.push(message);
  readonly notice = (message: string): void => void this.lines.push(`::notice::${message}`);
  readonly warning = (message: string): void => void this.lines.push(`::warning::${message}`);
  readonly annotate = (a: Annotation): void => {
    this.annotations.push(a);
    this.lines.push(`::${a.severity} file=${a.file},line=${a.line}::${a.message}`);
  };
  readonly writeSummary = async (markdown: string): Promise<void> => void (this.summary += markdown);
  readonly group = async <T>(title: string, fn: () => Promise<T>): Promise<T> => {
    this.lines.push(`::group::${title}`);
    try {
      return await fn();
    } finally {
      this.lines.push('::endgroup::');
    }
  };
}
