import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDockerConfig } from '../../../src/engine/docker-config.js';
import { credentialsFor, helperServer } from '../../../src/registry/credentials.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function configDir(config: unknown): ReturnType<typeof readDockerConfig> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oci-dockercfg-'));
  writeFileSync(path.join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return readDockerConfig(dir);
}

describe('helper server names', () => {
  it('names Hub as the helpers know it', () => {
    expect(helperServer('docker.io')).toBe('https://index.docker.io/v1/');
    expect(helperServer('ghcr.io')).toBe('ghcr.io');
  });
});

describe('credentialsFor', () => {
  const logins = [{ registry: 'ghcr.io', username: 'from-input', password: 'input-pw' }];

  it('takes the inputs first, then the docker config, else anonymous', () => {
    const dir = configDir({ auths: { 'ghcr.io': { auth: b64('cfg:cfg-pw') }, 'https://index.docker.io/v1/': { auth: b64('hub:hub-pw') } } });
    expect(credentialsFor('ghcr.io', logins, dir)).toEqual({ username: 'from-input', password: 'input-pw' });
    expect(credentialsFor('docker.io', logins, dir)).toEqual({ username: 'hub', password: 'hub-pw' });
    expect(credentialsFor('index.docker.io', [], dir)).toEqual({ username: 'hub', password: 'hub-pw' });
    expect(credentialsFor('quay.io', logins, dir)).toBeUndefined();
  });

  it('is anonymous when the config is missing or not JSON', () => {
    expect(credentialsFor('ghcr.io', [], readDockerConfig(path.join(os.tmpdir(), 'no-such-docker-config-dir')))).toBeUndefined();
    expect(credentialsFor('ghcr.io', [])).toBeUndefined();
    expect(credentialsFor('ghcr.io', [], configDir('{ not json'))).toBeUndefined();
    expect(credentialsFor('ghcr.io', [], configDir('[]'))).toBeUndefined();
  });

  describe('credential helpers', () => {
    let bin: string;
    let savedPath: string | undefined;
    beforeEach(() => {
      bin = mkdtempSync(path.join(os.tmpdir(), 'oci-helpers-'));
      // a helper that records its stdin and environment, and knows one server
      const script = `#!/bin/sh\nread server\necho "$server" > "${bin}/stdin"\nenv > "${bin}/env"\nif [ "$server" = "ghcr.io" ] || [ "$server" = "https://index.docker.io/v1/" ]; then echo '{"ServerURL":"x","Username":"helper-user","Secret":"helper-secret"}'; else echo "credentials not found in native keychain"; exit 1; fi\n`;
      for (const name of ['docker-credential-fake', 'docker-credential-store']) {
        writeFileSync(path.join(bin, name), script);
        chmodSync(path.join(bin, name), 0o755);
      }
      writeFileSync(path.join(bin, 'docker-credential-tokenonly'), `#!/bin/sh\ncat >/dev/null\necho '{"Username":"<token>","Secret":"refresh"}'\n`);
      chmodSync(path.join(bin, 'docker-credential-tokenonly'), 0o755);
      savedPath = process.env.PATH;
      process.env.PATH = `${bin}:${savedPath}`;
      process.env.INPUT_PASSWORD = 'input-secret-must-not-leak';
    });
    afterEach(() => {
      process.env.PATH = savedPath;
      delete process.env.INPUT_PASSWORD;
    });

    it('asks credHelpers first, with the server on stdin and no INPUT_ variables in its environment', () => {
      const dir = configDir({ credHelpers: { 'ghcr.io': 'fake' }, auths: { 'ghcr.io': { auth: b64('cfg:cfg-pw') } } });
      expect(credentialsFor('ghcr.io', [], dir)).toEqual({ username: 'helper-user', password: 'helper-secret' });
      expect(readFileSync(path.join(bin, 'stdin'), 'utf8')).toBe('ghcr.io\n');
      expect(readFileSync(path.join(bin, 'env'), 'utf8')).not.toMatch(/INPUT_|input-secret/);
    });

    it('falls back to credsStore after the auths entries, with Hub by its v1 URL', () => {
      const dir = configDir({ credsStore: 'store', auths: { 'quay.io': { auth: b64('q:q-pw') }, 'https://index.docker.io/v1/': {} } });
      expect(credentialsFor('quay.io', [], dir)).toEqual({ username: 'q', password: 'q-pw' });
      expect(credentialsFor('docker.io', [], dir)).toEqual({ username: 'helper-user', password: 'helper-secret' });
      expect(readFileSync(path.join(bin, 'stdin'), 'utf8')).toBe('https://index.docker.io/v1/\n');
      expect(credentialsFor('unknown.test', [], dir)).toBeUndefined();
    });

    it.each([
      [{ credHelpers: { 'ghcr.io': 'missing' } }],
      [{ credHelpers: { 'ghcr.io': 'tokenonly' } }],
      [{ credHelpers: { 'ghcr.io': '../../bin/sh' } }],
    ])('a helper that is missing, gives an identity token or has a path for a name gives nothing: %j', (config) => {
      expect(credentialsFor('ghcr.io', [], configDir(config))).toBeUndefined();
    });
  });
});

