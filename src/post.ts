import * as core from '@actions/core';
import { coreIO } from './io.js';
import { runPost } from './cleanup.js';

runPost(coreIO()).catch((e: unknown) => core.warning(`Clean-up failed: ${e instanceof Error ? e.message : String(e)}`));
