import * as core from '@actions/core';
import { coreIO } from './io.js';
import { runMain } from './run.js';

runMain(coreIO()).catch((e: unknown) => core.setFailed(e instanceof Error ? e.message : String(e)));
