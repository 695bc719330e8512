import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tagEvent } from './events.ts';
import { killAll, plantWrapper, processesWith } from './hostile.ts';
import { runAction, type ActionRun } from './runner.ts';
import { SHADED, workspace, type Services, type Workspace } from './services.ts';

/** The jobs of the sandbox tests: a release of a fixture whose wrapper is hostile (hostile.ts), signed with a key. */

const FIXTURES = { maven: { dir: SHADED, wrapper: 'mvnw' }, gradle: { dir: '__tests__/fixtures/gradle-app', wrapper: 'gradlew' } } as const;

export interface Hostile {
  id: string;
  ws: Workspace;
  victim: string;
  loot: string;
}

export const RUNTIME_TOKENS = { ACTIONS_RUNTIME_TOKEN: 'actions-runtime-token-7c1e2a', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token-93bd40', ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/oidc' };
const INPUT_TOKEN = 'ghs_input_token_5f0c3b1d';

export interface HostileJobs {
  /** A fixture whose wrapper is hostile, a folder it names for post to delete, and a runner Docker config to steal. */
  workspace(tool: keyof typeof FIXTURES): Hostile;
  /** A release of v1.0.0 with every secret of a real job: registry login, GitHub token, signing key, runtime tokens. */
  publish(h: Hostile, repo: string, extra?: Record<string, string>, env?: Record<string, string>): Promise<ActionRun>;
  /** Every secret of the step, as the build could have found it. */
  secrets(): string[];
  /** Ends what the builds left running (on a bundle without the wall the survivors outlive the run), by pid. */
  killSurvivors(): void;
}

/** A fresh cosign key pair and the jobs that use it. */
export function hostileJobs(s: Services): HostileJobs {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-cosign-'));
  const password = `cosign-pw-${Math.random().toString(36).slice(2)}`;
  execFileSync('cosign', ['generate-key-pair'], { cwd: dir, env: { ...process.env, COSIGN_PASSWORD: password }, stdio: 'ignore', timeout: 60 * 1000 });
  const keys = { key: readFileSync(path.join(dir, 'cosign.key'), 'utf8'), password };
  const started: string[] = [];
  return {
    workspace(tool) {
      const id = `${tool}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
      started.push(id);
      const victim = mkdtempSync(path.join(os.tmpdir(), 'ip-victim-'));
      writeFileSync(path.join(victim, 'keep-me'), 'post must not delete this\n');
      const ws = workspace(FIXTURES[tool].dir);
      plantWrapper(ws.dir, FIXTURES[tool].wrapper, id, victim);
      execFileSync('git', ['add', '-A'], { cwd: ws.dir });
      execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', 'commit', '-q', '-m', 'a pull request'], { cwd: ws.dir });
      mkdirSync(path.join(ws.env.HOME, '.docker'));
      writeFileSync(path.join(ws.env.HOME, '.docker', 'config.json'), JSON.stringify({ auths: { [s.registry]: { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') } } }));
      return { id, ws: { ...ws, sha: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ws.dir, encoding: 'utf8' }).trim() }, victim, loot: `/tmp/ip-hostile-${id}` };
    },
    publish(h, repo, extra = {}, env = {}) {
      return runAction({
        workspace: h.ws.dir,
        event: tagEvent(h.ws.sha, 'v1.0.0'),
        env: { ...h.ws.env, ...RUNTIME_TOKENS, ...env },
        inputs: {
          images: `${s.registry}/${repo}`,
          registry: s.registry,
          username: s.user,
          password: s.password,
          'github-token': INPUT_TOKEN,
          sign: 'key',
          'signing-key': keys.key,
          'signing-password': keys.password,
          cache: 'false',
          ...extra,
        },
      });
    },
    secrets() {
      const keyBody = keys.key.split('\n').filter((l) => l && !l.startsWith('-----'));
      return [s.password, Buffer.from(`${s.user}:${s.password}`).toString('base64'), INPUT_TOKEN, keys.password, RUNTIME_TOKENS.ACTIONS_RUNTIME_TOKEN, RUNTIME_TOKENS.ACTIONS_ID_TOKEN_REQUEST_TOKEN, ...keyBody];
    },
    killSurvivors() {
      for (const id of started) killAll(processesWith(`ip-survivor-${id}`));
    },
  };
}
