import * as core from '@actions/core';
import type { StateStore } from './state.js';

/** The runner as the pipeline sees it; @actions/core in production, a recorder in tests. */
export interface ActionIO {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
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
    group: (title, fn) => core.group(title, fn),
    state: { save: (n, v) => core.saveState(n, v), get: (n) => core.getState(n) },
  };
}
