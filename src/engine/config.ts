import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A Docker client config directory for this job only, under RUNNER_TEMP, so credentials never land in
 * the user's ~/.docker. The user's CLI plugins, buildx builders and docker contexts stay visible through symlinks.
 */
export function createDockerConfig(runnerTemp: string, userConfigDir: string): string {
  mkdirSync(runnerTemp, { recursive: true });
  const dir = mkdtempSync(path.join(runnerTemp, 'image-publish-docker-'));
  writeFileSync(path.join(dir, 'config.json'), '{}\n', { mode: 0o600 });
  // contexts too: a buildx builder of the docker driver is a docker context
  for (const sub of ['cli-plugins', 'buildx', 'contexts']) {
    const from = path.join(userConfigDir, sub);
    if (existsSync(from)) symlinkSync(from, path.join(dir, sub));
  }
  return dir;
}

export function userDockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

export function removeDockerConfig(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
