import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The in-process tier runs with git and nothing else on PATH: a stage that reached for docker, a build tool, skopeo
// or cosign fails with "'docker' was not found on PATH" instead of passing on this machine and failing elsewhere.
const git = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
const bin = path.join(mkdtempSync(path.join(os.tmpdir(), 'ip-inproc-path-')), 'bin');
mkdirSync(bin);
symlinkSync(git, path.join(bin, 'git'));
process.env.PATH = bin;
