/**
 * #19.8 credentials in the build context: a workspace as actions/checkout (v4) leaves it, with the token in
 * .git/config, and `COPY . /app/`. With either builder the run fails before it builds or pushes anything, naming
 * .git/config and the fix; a `.git` line in .dockerignore builds an image without it; allow-credentials-in-context
 * builds with a warning (and the image does hold the file, which is why the default refuses). The same for .npmrc.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWith, contextWorkspace, lastLayers, type RegistryImage } from '../support/native.ts';
import type { ActionRun } from '../support/runner.ts';
import { registryTags, services, uniqueRepo, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

// what actions/checkout@v4 writes with persist-credentials (the default): the token, base64 in a Basic header
const TOKEN = Buffer.from('x-access-token:ghs_e2eFakeCheckoutToken0123456789').toString('base64');
const NPM_TOKEN = 'npm_e2eFakeNpmToken0123456789';
const FILES = {
  Dockerfile: 'ARG BASE\nFROM ${BASE}\nWORKDIR /app\nCOPY . /app/\n',
  'site/index.html': '<h1>hello</h1>\n',
};

/** A checkout with the token actions/checkout persists, and optionally more files left in the workspace. */
function checkout(extra: Record<string, string> = {}): { dir: string; sha: string } {
  const ws = contextWorkspace(FILES);
  execFileSync('git', ['config', '--local', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${TOKEN}`], { cwd: ws.dir });
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(ws.dir, name), text);
  return ws;
}

/** The image's last layer (the COPY), by path. */
async function copied(repo: string, image: RegistryImage | undefined): Promise<string[]> {
  return image ? (await lastLayers(s, repo, image, 1))[0].map((e) => e.path) : [];
}

describe.each(['docker', 'native'] as const)('builder: %s, COPY . /app/ of a checkout that persisted its token', (builder) => {
  const base = { refused: uniqueRepo('creds-refused'), ignored: uniqueRepo('creds-ignored'), allowed: uniqueRepo('creds-allowed'), npm: uniqueRepo('creds-npm') };
  // buildWith pushes <repo>-<builder>:t
  const repo = (k: keyof typeof base): string => `${base[k]}-${builder}`;
  const runs: Partial<Record<keyof typeof base, { run: ActionRun; image?: RegistryImage }>> = {};
  beforeAll(async () => {
    runs.refused = await buildWith(s, checkout(), base.refused, builder);
    runs.ignored = await buildWith(s, checkout({ '.dockerignore': '.git\n' }), base.ignored, builder);
    runs.allowed = await buildWith(s, checkout(), base.allowed, builder, { 'allow-credentials-in-context': 'true' });
    runs.npm = await buildWith(s, checkout({ '.dockerignore': '.git\n', '.npmrc': `//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n` }), base.npm, builder);
  });

  it('fails before building or pushing anything, naming .git/config and the fix, and quoting no token', async () => {
    const { run } = runs.refused!;
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/::error::Input 'context': COPY \. \/app\/ \(Dockerfile line 4\) would put \.git\/config of the build context into the image, and it holds an http extraheader \(the token actions\/checkout persists\); add a `\.git` line to \.dockerignore, or set `persist-credentials: false` on actions\/checkout\. Or set `allow-credentials-in-context: true`/);
    expect(run.main.log).not.toContain('::group::Build the image');
    expect(run.main.log).not.toContain('::group::Log in');
    expect(run.everything).not.toContain(TOKEN);
    expect(await registryTags(s, repo('refused'))).toEqual([]);
  });

  it('with a `.git` line in .dockerignore it builds, and the image holds no .git', async () => {
    const { run, image } = runs.ignored!;
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.outputs.pushed).toBe('true');
    const paths = await copied(repo('ignored'), image);
    expect(paths).toContain('app/site/index.html');
    expect(paths.filter((p) => p.includes('.git'))).toEqual([]);
  });

  it('with allow-credentials-in-context: true it builds with a warning, and the image does hold .git/config', async () => {
    const { run, image } = runs.allowed!;
    expect(run.main.code, run.main.log).toBe(0);
    expect(run.main.log).toMatch(/::warning::COPY \. \/app\/ \(Dockerfile line 4\) would put \.git\/config .* allow-credentials-in-context is true, so the build goes on/);
    expect(await copied(repo('allowed'), image)).toContain('app/.git/config');
  });

  it('an .npmrc with a token is refused the same way, naming it and its .dockerignore line', async () => {
    const { run } = runs.npm!;
    expect(run.main.code).not.toBe(0);
    expect(run.main.log).toMatch(/::error::Input 'context': COPY \. \/app\/ \(Dockerfile line 4\) would put \.npmrc of the build context into the image, and it holds an _authToken; add a `\.npmrc` line to \.dockerignore/);
    expect(run.everything).not.toContain(NPM_TOKEN);
    expect(await registryTags(s, repo('npm'))).toEqual([]);
  });
});
