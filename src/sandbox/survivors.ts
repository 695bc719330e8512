import { readdirSync, readFileSync } from 'node:fs';

/** The variable that marks every process of an unwalled build, so the ones that left its process group are found. */
export const BUILD_MARKER = 'IMAGE_PUBLISH_BUILD';

/** Pids under `proc` whose initial environment holds NAME=value (those of other users cannot be read, and are not ours). */
export function markedProcesses(name: string, value: string, proc = '/proc'): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const out: number[] = [];
  for (const entry of readdirSync(proc)) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (Buffer.concat([Buffer.from([0]), readFileSync(`${proc}/${entry}/environ`), Buffer.from([0])]).includes(needle)) out.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return out;
}

/**
 * Kills what is left of an unwalled build: every process still carrying its marker (double forks and setsid
 * escape the process group, not the environment they inherited). A process that rewrote its environment is
 * not found: only the PID namespace of the sandbox catches those. Returns how many were found and still live.
 */
export async function killSurvivors(marker: string): Promise<{ killed: number; left: number[] }> {
  const killed = new Set<number>();
  for (let round = 0; round < 5; round++) {
    const pids = markedProcesses(BUILD_MARKER, marker);
    if (!pids.length) return { killed: killed.size, left: [] };
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { killed: killed.size, left: markedProcesses(BUILD_MARKER, marker) };
}
