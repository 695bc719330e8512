// @module-tag engine-settings (a hostile build without the wall writes to every GITHUB_OUTPUT it finds on the machine: runs alone)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagEvent } from '../support/events.ts';
import { imageText, killAll, pathWithout, plantWrapper, processesWith, readTree } from '../support/hostile.ts';
import { runAction, type ActionRun, type GitEvent } from '../support/runner.ts';
import { registryDigest, registryTags, services, SHADED, uniqueRepo, workspace, type Services, type Workspace } from '../support/services.ts';

let s: Services;
let keys: { key: string; password: string };
const started: string[] = [];

beforeAll(() => {
  s = services();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ip-cosign-'));
  const password = `cosign-pw-${Math.random().toString(36).slice(2)}`;
  execFileSync('cosign', ['generate-key-pair'], { cwd: dir, env: { ...process.env, COSIGN_PASSWORD: password }, stdio: 'ignore', timeout: 60 * 1000 });
  keys = { key: readFileSync(path.join(dir, 'cosign.key'), 'utf8'), password };
});

afterAll(() => {
  // on a bundle without the wall the survivors outlive the run: end them, by pid
  for (const id of started) killAll(processesWith(`ip-survivor-${id}`));
});

const FIXTURES = { maven: { dir: SHADED, wrapper: 'mvnw' }, gradle: { dir: '__tests__/fixtures/gradle-app', wrapper: 'gradlew' } } as const;

interface Hostile {
  id: string;
  ws: Workspace;
  victim: string;
  loot: string;
}

/** A fixture whose wrapper is hostile, a folder it names for post to delete, and a runner Docker config to steal. */
function hostileWorkspace(tool: keyof typeof FIXTURES): Hostile {
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
}

const runtimeTokens = { ACTIONS_RUNTIME_TOKEN: 'actions-runtime-token-7c1e2a', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token-93bd40', ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/oidc' };

async function publishHostile(h: Hostile, repo: string, extra: Record<string, string> = {}, env: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({
    workspace: h.ws.dir,
    event: tagEvent(h.ws.sha, 'v1.0.0'),
    env: { ...h.ws.env, ...runtimeTokens, ...env },
    inputs: {
      images: `${s.registry}/${repo}`,
      registry: s.registry,
      username: s.user,
      password: s.password,
      'github-token': 'ghs_input_token_5f0c3b1d',
      sign: 'key',
      'signing-key': keys.key,
      'signing-password': keys.password,
      cache: 'false',
      ...extra,
    },
  });
}

/** Every secret of the step, as the build could have found it. */
function secrets(): string[] {
  const keyBody = keys.key.split('\n').filter((l) => l && !l.startsWith('-----'));
  return [s.password, Buffer.from(`${s.user}:${s.password}`).toString('base64'), 'ghs_input_token_5f0c3b1d', keys.password, runtimeTokens.ACTIONS_RUNTIME_TOKEN, runtimeTokens.ACTIONS_ID_TOKEN_REQUEST_TOKEN, ...keyBody];
}

describe.each(['maven', 'gradle'] as const)('a hostile %s wrapper behind the wall', (tool) => {
  const repo = uniqueRepo(`hostile-${tool}`);
  let h: Hostile;
  let run: ActionRun;
  beforeAll(async () => {
    h = hostileWorkspace(tool);
    run = await publishHostile(h, repo);
  }, 10 * 60 * 1000);

  it('ran, and the run went on to log in, push and sign', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(readFileSync(path.join(h.loot, 'ran'), 'utf8')).toBe('ran\n');
    expect(run.main.log).toMatch(/Build isolation: the Java build runs in its own PID and mount namespaces \((root|sudo|userns|userns-root),/);
    expect(run.main.log).toContain(`Logged in to ${s.registry}`);
    expect(await registryTags(s, repo)).toEqual(expect.arrayContaining(['v1.0.0']));
  });

  it('found no secret: not in what it collected, not in what its survivor read, not in the pushed image', async () => {
    const collected = readTree(h.loot);
    // it did read processes' environments and files: a probe that saw nothing would prove nothing
    expect(collected).toMatch(/^PATH=/m);
    expect(readTree(path.join(h.ws.dir, 'hostile'))).toMatch(/^PATH=/m);
    // by tag, not by the digest output: that output is one of the things the build tries to forge
    const image = await imageText(s, repo, 'v1.0.0');
    expect(image).toContain('hostile/environ');
    for (const secret of secrets()) {
      expect(collected, 'in /tmp').not.toContain(secret);
      expect(readTree(path.join(h.ws.dir, 'hostile')), 'in the workspace').not.toContain(secret);
      expect(image, 'in the image').not.toContain(secret);
    }
  });

  it('wrote nothing into the outputs, state, env and path files, and printed no command the runner acted on', async () => {
    expect(run.outputs.digest).toBe(await registryDigest(s, repo, 'v1.0.0'));
    for (const f of ['output', 'state', 'env', 'path']) {
      const text = readFileSync(path.join(path.dirname(run.stateFile), f), 'utf8');
      expect(text, f).not.toMatch(/forged|NODE_OPTIONS|ip-hostile|ip-victim/);
    }
    // it did find them and write: to /dev/null, which covers them inside the sandbox
    expect(readFileSync(path.join(h.loot, 'wrote'), 'utf8')).toContain(path.join(path.dirname(run.stateFile), 'output'));
    const token = /^::stop-commands::([0-9a-f]{32})$/m.exec(run.main.log)?.[1];
    expect(token).toBeDefined();
    const stopped = run.main.log.slice(run.main.log.indexOf(`::stop-commands::${token}`), run.main.log.indexOf(`::${token}::`));
    for (const line of ['::set-output name=digest::sha256:forged', '::save-state name=image-publish::', '::add-mask::sha256', '::error::the hostile build was here']) expect(stopped).toContain(line);
  });

  it('post deleted nothing it named, and no process of the build is left', () => {
    expect(run.post.code, run.post.log).toBe(0);
    expect(readFileSync(path.join(h.victim, 'keep-me'), 'utf8')).toContain('post must not delete this');
    expect(processesWith(`ip-survivor-${h.id}`)).toEqual([]);
  });
});

describe('pull_request_target with the pull request head checked out', () => {
  it('runs no repository code, and names allow-untrusted-checkout', async () => {
    const h = hostileWorkspace('maven');
    const repo = uniqueRepo('prt-hostile');
    const base = 'b'.repeat(40);
    const event: GitEvent = {
      name: 'pull_request_target',
      ref: 'refs/heads/main',
      sha: base,
      payload: { number: 9, pull_request: { number: 9, head: { sha: h.ws.sha, repo: { full_name: 'stranger/hello-service' } }, base: { sha: base, repo: { full_name: 'acme/hello-service' } } }, repository: { name: 'hello-service', full_name: 'acme/hello-service' } },
    };
    const run = await runAction({ workspace: h.ws.dir, event, env: { ...h.ws.env, ...runtimeTokens }, inputs: { images: `${s.registry}/${repo}`, tags: 'type=raw,value=pr-9', registry: s.registry, username: s.user, password: s.password } });
    expect(run.main.code).toBe(1);
    expect(existsSync(h.loot)).toBe(false);
    expect(run.main.log).toContain(`::error::Input 'allow-untrusted-checkout': pull_request_target: the workspace holds ${h.ws.sha.slice(0, 12)}, not the base commit ${base.slice(0, 12)}, and this run would execute that code: the Java build (./mvnw`);
    expect(run.main.log).not.toContain('::group::Java build');
    expect(await registryTags(s, repo)).toEqual([]);
  });
});

describe('a runner without isolation (no unshare, setpriv or sudo on the action\'s PATH)', () => {
  let bare: string;
  beforeAll(() => {
    bare = pathWithout(mkdtempSync(path.join(os.tmpdir(), 'ip-bare-path-')), ['unshare', 'setpriv', 'sudo']);
  });

  it('build-isolation: required fails before the build', async () => {
    const h = hostileWorkspace('maven');
    const repo = uniqueRepo('required');
    const run = await publishHostile(h, repo, { 'build-isolation': 'required' }, { PATH: bare });
    expect(run.main.code).toBe(1);
    expect(run.main.log).toContain("::error::Input 'build-isolation': is required, but this runner cannot isolate the build: unshare, setpriv are not on PATH (util-linux)");
    expect(existsSync(h.loot)).toBe(false);
    expect(run.main.log).not.toContain('::group::Compute tags and labels');
    expect(await registryTags(s, repo)).toEqual([]);
  });

  it('auto warns once, naming what the build can read, and kills what the build left running', async () => {
    const h = hostileWorkspace('maven');
    const run = await publishHostile(h, uniqueRepo('unwalled'), { push: 'false', sign: 'none' }, { PATH: bare });
    expect(run.main.code, run.main.log).toBe(0);
    expect(existsSync(path.join(h.loot, 'ran'))).toBe(true);
    const warnings = run.main.log.split('\n').filter((l) => l.startsWith('::warning::The Java build runs without isolation'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('unshare, setpriv are not on PATH');
    expect(warnings[0]).toContain('GITHUB_OUTPUT');
    expect(run.main.log).toMatch(/::warning::\d+ process(es)? of the build outlived it and (was|were) killed/);
    expect(processesWith(`ip-survivor-${h.id}`)).toEqual([]);
    // the relay still holds without the wall: the build's own printed commands do nothing
    expect(run.outputs.digest).not.toContain('forged');
  });
});
