import { beforeAll, describe, expect, it } from 'vitest';
import { buildWith, contextWorkspace, lastLayers, readImage, type FixtureFile, type RegistryImage } from '../support/native.ts';
import { services, uniqueRepo, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

const jar: FixtureFile = { content: 'PK fake jar bytes, COPY does not look inside\n'.repeat(50) };

/** One Dockerfile per feature; each is built by BuildKit and by the native builder, and the images compared. */
const CASES: [string, string, Record<string, string | FixtureFile>][] = [
  ['the tutorial: ARG JAR_FILE, COPY to app.jar, exec ENTRYPOINT', 'ARG BASE\nFROM ${BASE}\nARG JAR_FILE=./*.jar\nCOPY ${JAR_FILE} app.jar\nENTRYPOINT ["java","-jar","./app.jar"]\n', { 'target/demo-1.0.jar': jar }],
  [
    'config: ENV, LABEL, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL, shell-form CMD',
    'ARG BASE\nFROM ${BASE}\nENV APP_HOME=/opt/app JAVA_OPTS="-Xmx64m -Dx=1"\nLABEL org.example.team="core" home=$APP_HOME\nWORKDIR $APP_HOME\nCOPY --chown=1000:1000 conf/ conf/\nUSER 1000:1000\nEXPOSE 8080 9090/udp\nVOLUME ["/data"]\nSTOPSIGNAL SIGINT\nCMD echo $JAVA_OPTS\n',
    { 'conf/app.yml': 'a: 1\n', 'conf/sub/log.xml': { content: '<x/>\n', mode: 0o600 } },
  ],
  [
    'SHELL, HEALTHCHECK, shell-form ENTRYPOINT resetting CMD, then CMD',
    'ARG BASE\nFROM ${BASE}\nSHELL ["/bin/sh", "-ec"]\nHEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD wget -q -O- http://localhost:8080/ || exit 1\nCOPY app.jar /app.jar\nENTRYPOINT exec java -jar /app.jar\nCMD ["--server.port=8080"]\n',
    { 'app.jar': jar },
  ],
  [
    'COPY: globs, folders, --chmod, trailing slashes, relative to WORKDIR, ADD of a file, .dockerignore',
    'ARG BASE\nFROM ${BASE}\nWORKDIR /srv\nCOPY *.txt docs/\nCOPY --chmod=0755 bin/run.sh /usr/local/bin/run\nCOPY static /srv/www\nADD notes.md .\n',
    {
      '.dockerignore': 'secret.txt\nstatic/**/*.bak\n',
      'a.txt': 'a\n',
      'b.txt': { content: 'b\n', mode: 0o600 },
      'secret.txt': 'do not copy\n',
      'bin/run.sh': '#!/bin/sh\necho run\n',
      'static/index.html': '<h1>hi</h1>\n',
      'static/css/site.css': 'body{}\n',
      'static/css/old.bak': 'old\n',
      'notes.md': { content: '# notes\n', mode: 0o755 },
    },
  ],
];

/** The base as the registry serves it: 127.0.0.1:5000/base/jre:17 → base/jre, 17. */
function baseImage(): Promise<RegistryImage> {
  const [, repo, tag] = /^[^/]+\/(.+):([^:]+)$/.exec(s.baseImage)!;
  return readImage(s, repo, tag);
}

function comparable(img: RegistryImage, baseHistory: number): unknown {
  return {
    os: img.config.os,
    architecture: img.config.architecture,
    config: img.config.config,
    history: img.config.history.slice(baseHistory).map((h) => ({ created_by: h.created_by, empty_layer: h.empty_layer ?? false, comment: h.comment })),
  };
}

describe.each(CASES)('native = BuildKit: %s', (_, dockerfile, files) => {
  const repo = uniqueRepo('equiv');
  const images: Record<string, RegistryImage> = {};
  const logs: Record<string, string> = {};
  beforeAll(async () => {
    const ws = contextWorkspace({ ...files, Dockerfile: dockerfile });
    for (const builder of ['docker', 'native']) {
      const { run, image } = await buildWith(s, ws, repo, builder, { artifact: files['target/demo-1.0.jar'] ? 'target/demo-1.0.jar' : '' });
      logs[builder] = run.main.log;
      expect(run.main.code, run.main.log).toBe(0);
      images[builder] = image!;
    }
  });

  it('has the same config (all but times) and history', async () => {
    const n = (await baseImage()).config.history.length;
    expect(comparable(images.native, n)).toEqual(comparable(images.docker, n));
    expect(images.native.config.rootfs.diff_ids.length).toBe(images.docker.config.rootfs.diff_ids.length);
    expect(logs.native).toContain('Builder: native, as the builder input asks.');
  });

  it('adds the same files: path, type, mode, owner, size and content', async () => {
    const added = images.docker.manifest.layers.length - (await baseImage()).manifest.layers.length;
    expect(added).toBeGreaterThan(0);
    expect(images.native.manifest.layers).toHaveLength(images.docker.manifest.layers.length);
    const [docker, native] = await Promise.all([lastLayers(s, `${repo}-docker`, images.docker, added), lastLayers(s, `${repo}-native`, images.native, added)]);
    expect(native).toEqual(docker);
  });
});
