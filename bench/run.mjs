// Entry of `npm run bench`: runs bench/bench.ts on the bundled Node 24 (type stripping), bounded in time.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const node = path.join(here, '..', 'node_modules', '.bin', 'node');
const budgetMin = Number(process.env.BENCH_TIMEOUT_MIN ?? '90');
const child = spawn(node, ['--disable-warning=ExperimentalWarning', path.join(here, 'bench.ts')], { stdio: 'inherit', cwd: path.join(here, '..') });
const hardStop = setTimeout(() => {
  console.error(`[bench] still running after ${budgetMin + 10} min: killing it`);
  child.kill('SIGKILL');
}, (budgetMin + 10) * 60 * 1000);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('close', (code, signal) => {
  clearTimeout(hardStop);
  process.exitCode = code ?? (signal ? 1 : 0);
});
