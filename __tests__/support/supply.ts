import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tagEvent } from './events.ts';
import { runAction, type ActionRun } from './runner.ts';
import { fixtureHash, keepJar, SPRING_BOOT, workspace, type Services } from './services.ts';

/**
 * The Spring Boot fixture's jar, built by Maven from the machine's warmed copy of what it needs from Central once per
 * machine and fixture content (like shadedJar), and kept in the OS temp directory: the supply-chain tests read what
 * it holds, they are not about its build.
 */
export function springBootJar(): string {
  const dir = path.join(os.tmpdir(), `image-publish-jar-spring-boot-${fixtureHash(SPRING_BOOT)}`);
  const jar = path.join(dir, 'hello-service-1.0.0.jar');
  if (existsSync(jar)) return jar;
  const ws = workspace(SPRING_BOOT, { warmMavenRepository: true });
  execFileSync('mvn', ['--batch-mode', '--quiet', '-DskipTests', 'package'], { cwd: ws.dir, env: { ...process.env, ...ws.env }, stdio: 'ignore', timeout: 10 * 60 * 1000 });
  keepJar(path.join(ws.dir, 'target/hello-service-1.0.0.jar'), dir);
  return jar;
}

/** The workflow the supply-chain tests run as: release.yml of acme/hello-service, on tag v1.0.0. */
export const RELEASE_WORKFLOW_REF = 'acme/hello-service/.github/workflows/release.yml@refs/tags/v1.0.0';

/**
 * A workspace of the Spring Boot fixture with `jar` already built, published on tag v1.0.0 with `java-tool: none` to
 * `<registry>/<repo>` (the HTTP registry by default); `extra` inputs and `env` win.
 */
export async function publishRelease(s: Services, jar: string, repo: string, extra: Record<string, string>, env: Record<string, string> = {}, registry = s.registry): Promise<ActionRun & { sha: string }> {
  const ws = workspace(SPRING_BOOT);
  mkdirSync(path.join(ws.dir, 'target'), { recursive: true });
  cpSync(jar, path.join(ws.dir, 'target/hello-service-1.0.0.jar'));
  const run = await runAction({
    workspace: ws.dir,
    event: tagEvent(ws.sha, 'v1.0.0'),
    env: { ...ws.env, GITHUB_ACTION_REPOSITORY: 'acme/image-publish', GITHUB_ACTION_REF: 'v1', GITHUB_WORKFLOW_REF: RELEASE_WORKFLOW_REF, ...env },
    inputs: {
      images: `${registry}/${repo}`,
      tags: 'type=semver,pattern={{version}}',
      registry,
      username: s.user,
      password: s.password,
      'java-tool': 'none',
      artifact: 'target/hello-service-1.0.0.jar',
      ...extra,
    },
  });
  return { ...run, sha: ws.sha };
}
