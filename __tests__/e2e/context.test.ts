import { beforeAll, describe, expect, it } from 'vitest';
import { buildWith, contextWorkspace, lastLayers, readImage, type Listed } from '../support/native.ts';
import { services, uniqueRepo, type Services } from '../support/services.ts';

let s: Services;
beforeAll(() => {
  s = services();
});

const COPY_ALL = 'ARG BASE\nFROM ${BASE}\nCOPY . /app/\n';

interface Case {
  files: Record<string, string>;
  /** The Dockerfile's path in the repository (`file`), when it is not ./Dockerfile. */
  file?: string;
  /** Paths under /app that both images must hold, and must not. */
  present: string[];
  absent: string[];
}

// .git is left out everywhere: the runs may touch its index between the two builds
const CASES: [string, Case][] = [
  [
    'Dockerfile.dockerignore alone (the issue: the native image held app/secret.env)',
    { files: { 'Dockerfile.dockerignore': '.git\nsecret.env\n', 'secret.env': 'TOKEN=x\n', 'app.txt': 'a\n', 'conf/a.yml': 'a: 1\n' }, present: ['app.txt', 'conf/a.yml', 'Dockerfile.dockerignore'], absent: ['secret.env'] },
  ],
  [
    '.dockerignore alone',
    { files: { '.dockerignore': '.git\nsecret.env\nconf/*.bak\n', 'secret.env': 'TOKEN=x\n', 'conf/a.yml': 'a: 1\n', 'conf/old.bak': 'old\n' }, present: ['conf/a.yml', '.dockerignore'], absent: ['secret.env', 'conf/old.bak'] },
  ],
  [
    'both: the Dockerfile-specific file wins and .dockerignore is not read',
    { files: { 'Dockerfile.dockerignore': '.git\nsecret.env\n', '.dockerignore': '.git\nnotes.txt\n', 'secret.env': 'TOKEN=x\n', 'notes.txt': 'kept\n' }, present: ['notes.txt', '.dockerignore'], absent: ['secret.env'] },
  ],
  [
    'negations: an excluded folder with a re-included path, the last match decides, and patternmatcher quirks',
    {
      files: {
        '.dockerignore': '.git\ndata\n!data/keep/*.txt\n**/*.log\n!important.log\n[!a]b\n**file\n',
        'data/secret.env': 's\n',
        'data/main.txt': 'm\n',
        'data/keep/a.txt': 'a\n',
        'data/keep/b.log': 'b\n',
        'd/x.log': 'x\n',
        'important.log': 'i\n',
        '!b': 'bang\n',
        xb: 'xb\n',
        myfile: 'f\n',
      },
      // `[!a]b` has no negation in Go (it is "!" or "a", then b); `**file` is a suffix match, which takes Dockerfile too
      present: ['data/keep/a.txt', 'important.log', 'xb', 'd'],
      absent: ['data/secret.env', 'data/main.txt', 'data/keep/b.log', 'd/x.log', '!b', 'myfile', 'Dockerfile'],
    },
  ],
  [
    'a Dockerfile in a subfolder reads its own <name>.dockerignore beside it, not the root .dockerignore',
    {
      file: 'docker/app.Dockerfile',
      files: { 'docker/app.Dockerfile.dockerignore': '.git\nsecret.env\n', '.dockerignore': '.git\napp.txt\n', 'secret.env': 'TOKEN=x\n', 'app.txt': 'a\n' },
      present: ['app.txt', 'docker/app.Dockerfile'],
      absent: ['secret.env'],
    },
  ],
];

describe.each(CASES)('native context = BuildKit context: %s', (_, c) => {
  const repo = uniqueRepo('context');
  const files: Record<string, Listed[]> = {};
  const logs: Record<string, string> = {};
  beforeAll(async () => {
    const ws = contextWorkspace({ ...c.files, [c.file ?? 'Dockerfile']: COPY_ALL });
    const base = await readImage(s, ...(/^[^/]+\/(.+):([^:]+)$/.exec(s.baseImage)!.slice(1) as [string, string]));
    for (const builder of ['docker', 'native']) {
      const { run, image: pushed } = await buildWith(s, ws, repo, builder, c.file ? { file: c.file } : {});
      logs[builder] = run.main.log;
      expect(run.main.code, run.main.log).toBe(0);
      const image = pushed!;
      const added = image.manifest.layers.length - base.manifest.layers.length;
      expect(added, `${builder} adds one layer`).toBe(1);
      files[builder] = (await lastLayers(s, `${repo}-${builder}`, image, added)).flat();
    }
  });

  it('both images hold the same files: path, type, mode, owner, size and content', () => {
    expect(files.native.length).toBeGreaterThan(1);
    expect(files.native).toEqual(files.docker);
    expect(logs.native).toContain('Builder: native, as the builder input asks.');
  });

  it('both hold what the ignore file in effect keeps, and neither what it leaves out', () => {
    for (const builder of ['docker', 'native']) {
      const paths = files[builder].map((f) => f.path);
      expect(paths, builder).toEqual(expect.arrayContaining(c.present.map((p) => `app/${p}`)));
      for (const p of c.absent) expect(paths, `${builder}: app/${p}`).not.toContain(`app/${p}`);
      expect(paths.some((p) => p.startsWith('app/.git')), builder).toBe(false);
    }
  });
});
