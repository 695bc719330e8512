import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prTargetEvent, tagEvent } from '../support/events.ts';
import { runAction, type ActionRun, type GitEvent } from '../support/runner.ts';
import { PREBUILT, prebuiltWorkspace, registryTags, services, SHADED, uniqueRepo, workspace, type Services, type Workspace } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

// A build tool that records what it can see, then builds for real.
const SPY_MVNW = `#!/bin/sh
probe="$(dirname "$0")/../probe"
mkdir -p "$probe"
env > "$probe/env"
for f in $(find "$RUNNER_TEMP" "$HOME/.docker" -type f 2>/dev/null) $(find "$RUNNER_TEMP/.." -maxdepth 1 -type f 2>/dev/null); do
  echo "== $f"; cat "$f"
done > "$probe/files" 2>&1
exec mvn "$@"
`;

function spyWorkspace(): Workspace {
  const ws = workspace(SHADED);
  writeFileSync(path.join(ws.dir, 'mvnw'), SPY_MVNW);
  chmodSync(path.join(ws.dir, 'mvnw'), 0o755);
  return ws;
}

const probe = (ws: Workspace, name: string): string => readFileSync(path.join(ws.dir, '..', 'probe', name), 'utf8');

describe('the build tool runs with no credential in reach', () => {
  const repo = uniqueRepo('spy');
  const secrets = { password: '', token: 'ghs_input_token_4c1d', buildSecret: 'build-secret-77a9', runtime: 'actions-runtime-token-5e2f', envToken: 'ghs_env_token_90b3' };
  let ws: Workspace;
  let run: ActionRun;
  beforeAll(async () => {
    secrets.password = s.password;
    ws = spyWorkspace();
    run = await runAction({
      workspace: ws.dir,
      event: tagEvent(ws.sha, 'v1.0.0'),
      env: { ...ws.env, ACTIONS_RUNTIME_TOKEN: secrets.runtime, GITHUB_TOKEN: secrets.envToken },
      inputs: {
        images: `${s.registry}/${repo}`,
        registry: s.registry,
        username: s.user,
        password: s.password,
        'github-token': secrets.token,
        secrets: `token=${secrets.buildSecret}`,
        cache: 'false',
      },
    });
  });

  it('builds the jar before logging in, then logs in and pushes', async () => {
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.outputs.pushed).toBe('true');
    expect(await registryTags(s, repo)).toContain('v1.0.0');
    expect(run.main.log.indexOf('::group::Java build')).toBeGreaterThan(-1);
    expect(run.main.log.indexOf('::group::Java build')).toBeLessThan(run.main.log.indexOf('::group::Log in to the registries'));
  });

  it('the build tool found no secret in its environment or in the files it could read', () => {
    const env = probe(ws, 'env');
    const files = probe(ws, 'files');
    // the spy did run and see things: a probe that saw nothing would prove nothing
    expect(env).toContain(`RUNNER_TEMP=${run.runnerTemp}`);
    expect(env).toMatch(/^PATH=/m);
    expect(env).toContain(`MAVEN_OPTS=`);
    expect(files).toContain('== ');
    for (const secret of Object.values(secrets)) {
      expect(env).not.toContain(secret);
      expect(files).not.toContain(secret);
    }
    expect(files).not.toContain(Buffer.from(`${s.user}:${s.password}`).toString('base64'));
    expect(env).not.toMatch(/^(INPUT_|ACTIONS_|GITHUB_TOKEN=|GITHUB_STATE=|GITHUB_OUTPUT=|GITHUB_ENV=)/m);
  });
});

describe('pull_request_target with a checkout of the pull request head', () => {
  const base = 'b'.repeat(40);
  const event = (headSha: string): GitEvent => prTargetEvent(headSha, base);
  const inputs = (repo: string, extra: Record<string, string> = {}): Record<string, string> => ({
    images: `${s.registry}/${repo}`,
    tags: 'type=raw,value=pr-9',
    registry: s.registry,
    username: s.user,
    password: s.password,
    ...extra,
  });

  it('builds a prebuilt jar with a Dockerfile that runs nothing: no login, no push and no cache', async () => {
    const repo = uniqueRepo('prt');
    // the jar comes from elsewhere (a job without secrets): none of the checkout's code runs here
    const ws = prebuiltWorkspace();
    // the base image's registry needs a login even to pull: the runner's own Docker config has one (not the action's)
    mkdirSync(path.join(ws.env.HOME, '.docker'), { recursive: true });
    writeFileSync(path.join(ws.env.HOME, '.docker', 'config.json'), JSON.stringify({ auths: { [s.registry]: { auth: Buffer.from(`${s.user}:${s.password}`).toString('base64') } } }));
    const run = await runAction({ workspace: ws.dir, event: event(ws.sha), env: ws.env, inputs: inputs(repo, PREBUILT) });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain(`::warning::pull_request_target: the workspace holds ${ws.sha.slice(0, 12)}, not the base commit ${base.slice(0, 12)}. None of its code runs here`);
    expect(run.main.log).toContain('No cache is read or written');
    expect(run.main.log).not.toContain('Logged in to');
    expect(run.outputs.pushed).toBe('false');
    expect(await registryTags(s, repo)).toEqual([]);
  });

  it('pushes when the user opts in by name', async () => {
    const repo = uniqueRepo('prt-optin');
    const ws = prebuiltWorkspace();
    const run = await runAction({ workspace: ws.dir, event: event(ws.sha), env: ws.env, inputs: inputs(repo, { 'allow-untrusted-checkout': 'true', ...PREBUILT }) });
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toContain(`Logged in to ${s.registry}`);
    expect(await registryTags(s, repo)).toEqual(['pr-9']);
  });
});

const MANIFESTS = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

/** The labels of the image a registry serves at repo@digest, read over the registry API (not through the action's code). */
async function labelsAt(repo: string, digest: string): Promise<Record<string, string>> {
  const headers = { authorization: `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`, accept: MANIFESTS };
  const get = async (kind: 'manifests' | 'blobs', ref: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`http://${s.registry}/v2/${repo}/${kind}/${ref}`, { headers, signal: AbortSignal.timeout(10000) });
    if (!res.ok) throw new Error(`${kind}/${ref}: HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  };
  let manifest = await get('manifests', digest);
  const children = manifest.manifests as { digest: string; platform?: { os?: string } }[] | undefined;
  if (children) manifest = await get('manifests', children.find((m) => m.platform?.os !== 'unknown')!.digest);
  const config = await get('blobs', (manifest.config as { digest: string }).digest);
  return (config.config as { Labels?: Record<string, string> }).Labels ?? {};
}

// image store: a push proves to be this run's image by its ID on the containerd store, by RepoDigests on the classic one
describe('four jobs on one engine push the same tags of one repository', { tags: ['image-store'] }, () => {
  it("each job's digest output is its own image", async () => {
    const repo = uniqueRepo('race');
    // one jar for all, built beforehand (shadedJar): the four jobs then reach the engine at the same moment
    const jobs = [1, 2, 3, 4].map((n) => {
      const ws = prebuiltWorkspace();
      writeFileSync(path.join(ws.dir, 'job.txt'), `job ${n}\n`);
      const git = (...a: string[]): string => execFileSync('git', ['-c', 'user.email=dev@acme.test', '-c', 'user.name=dev', ...a], { cwd: ws.dir, encoding: 'utf8' }).trim();
      git('add', 'job.txt');
      git('commit', '-q', '-m', `job ${n}`);
      return { ...ws, sha: git('rev-parse', 'HEAD') };
    });
    expect(new Set(jobs.map((j) => j.sha)).size).toBe(4);
    const runs = await Promise.all(
      jobs.map((ws) =>
        runAction({
          workspace: ws.dir,
          event: { name: 'push', ref: 'refs/heads/main', sha: ws.sha, payload: { ref: 'refs/heads/main', repository: { name: 'hello-service' } } },
          env: ws.env,
          inputs: {
            images: `${s.registry}/${repo}`,
            tags: 'type=raw,value=shared\ntype=raw,value=also\ntype=raw,value=third',
            registry: s.registry,
            username: s.user,
            password: s.password,
            cache: 'false',
            'java-tool': 'none',
            artifact: 'target/hello-*.jar',
          },
        }),
      ),
    );
    for (const [i, run] of runs.entries()) {
      expect(run.main.code, run.main.log).toBe(0);
      expect(run.outputs.digest).toMatch(/^sha256:/);
      expect((await labelsAt(repo, run.outputs.digest))['org.opencontainers.image.revision'], `job ${i + 1}`).toBe(jobs[i].sha);
    }
    expect(new Set(runs.map((r) => r.outputs.digest)).size).toBe(4);
    expect((await registryTags(s, repo)).sort()).toEqual(['also', 'shared', 'third']);
  });
});
