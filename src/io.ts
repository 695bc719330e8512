import * as core from '@actions/core';
import type { Annotation } from './errors.js';
import type { StateStore } from './state.js';

/** The runner as the pipeline sees it; @actions/core in production, a recorder in tests. */
export interface ActionIO {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  annotate(a: Annotation): void;
  /** Appends Markdown to the job summary. */
  writeSummary(markdown: string): Promise<void>;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  state: StateStore;
}

export function coreIO(): ActionIO {
  return {
    getInput: (name) => core.getInput(name, { trimWhitespace: false }),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    info: (m) => core.info(m),
    notice: (m) => core.notice(m),
    warning: (m) => core.warning(m),
    annotate: (a) => {
      const props = { file: a.file, startLine: a.line, startColumn: a.column, title: a.title };
      if (a.severity === 'error') core.error(a.message, props);
      else core.warning(a.message, props);
    },
    group: (title, fn) => core.group(title, fn),
    writeSummary: async (md) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(md, true).write();
    },
    state: { save: (n, v) => core.saveState(n, v), get: (n) => core.getState(n) },
  };
}
