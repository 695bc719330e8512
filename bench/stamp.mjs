// Preloaded with NODE_OPTIONS=--import into the action's main and post processes (and only used there):
// appends {script, start, end} in ms to $BENCH_STAMP_FILE, so the bench can split main from post.
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_STAMP_FILE;
const script = process.argv[1] ?? '';
const step = /dist[\\/](main|post)[\\/]index\.js$/.exec(script)?.[1];
if (file && step) {
  const start = Date.now();
  process.on('exit', () => {
    try {
      appendFileSync(file, `${JSON.stringify({ step, start, end: Date.now() })}\n`);
    } catch {
      // timing only: never disturb the step
    }
  });
}
