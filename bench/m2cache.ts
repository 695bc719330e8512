/**
 * setup-java's Maven cache, as its main and post steps do it, for the bench's Jib contender (run as a child
 * process on Node 24, with the Actions cache service's env):
 *   node bench/m2cache.ts restore <workspace>   → prints {"key":…,"hit":true|false}
 *   node bench/m2cache.ts save <workspace> <key>
 * Key `setup-java-Linux-maven-<hashFiles of every pom.xml>`, path ~/.m2/repository, restore by the exact key
 * only (setup-java passes no restore-keys), and no save after an exact hit (setup-java's post skips it).
 */
import * as cache from '@actions/cache';
import * as glob from '@actions/glob';

const PATHS = ['~/.m2/repository'];

async function main(): Promise<void> {
  const [op, workspace, savedKey] = process.argv.slice(2);
  if (!workspace) throw new Error('usage: m2cache.ts restore|save <workspace> [key]');
  process.env.GITHUB_WORKSPACE = workspace;
  if (op === 'restore') {
    const hash = await glob.hashFiles('**/pom.xml', workspace);
    if (!hash) throw new Error(`no pom.xml under ${workspace}`);
    const key = `setup-java-Linux-maven-${hash}`;
    const hit = await cache.restoreCache([...PATHS], key);
    console.log(`BENCH_RESULT ${JSON.stringify({ key, hit: hit === key })}`);
  } else if (op === 'save') {
    if (!savedKey) throw new Error('save needs the key');
    const id = await cache.saveCache([...PATHS], savedKey);
    console.log(`BENCH_RESULT ${JSON.stringify({ key: savedKey, saved: id !== -1 })}`);
  } else throw new Error(`unknown op ${op}`);
}

main().catch((e: unknown) => {
  console.error(`m2cache: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
