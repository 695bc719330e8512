import { describe, expect, it } from 'vitest';
import { layerBlob, layerTars, type AppLayer } from '../../../../src/builders/native/assemble.js';
import { recordOf, withRecordedJar } from '../../../../src/builders/native/builder.js';
import type { ContextFile } from '../../../../src/builders/native/copy.js';
import { planBuild } from '../../../../src/builders/native/plan.js';
import { readModel } from '../../../../src/dockerfile/model.js';
import { readDockerfile } from '../../../../src/dockerfile/reader.js';
import { bootJar } from '../../../support/boot-jar.ts';


const jar: ContextFile = { path: 'target/app.jar', type: 'file', mode: 0o644, size: 999 };
const text = 'FROM a\nWORKDIR /app\nARG JAR_FILE=target/*.jar\nCOPY ${JAR_FILE} app.jar\nENTRYPOINT ["java","-jar","app.jar"]\n';

/** A plan, its layers as this builder makes them, and what the next run would record of them. */
function fresh(layers: 'auto' | 'single') {
  const df = readDockerfile(readModel(text), new Map([['JAR_FILE', 'target/app.jar']]));
  const plan = planBuild(df, [jar], () => bootJar(), { layers, mtime: 1700000000 });
  const tars = layerTars(plan, () => bootJar()) as AppLayer[];
  const blobs = tars.map(layerBlob);
  return { df, plan, tars, blobs, record: recordOf(plan, blobs, tars.map((t) => t.diffId)) };
}

describe('the image record stands in for the jar: the same steps and layers, no jar read', () => {
  it.each(['auto', 'single'] as const)('layers: %s', (mode) => {
    const first = fresh(mode);
    expect(first.record?.jar).toEqual({ path: 'target/app.jar', mode: 0o644, size: 999 });
    const names = first.record?.layers.map((l) => l.name) ?? [];
    if (mode === 'auto') expect(names.length > 1 && names.every((n) => n !== null) && names.at(-1) === 'application').toBe(true);
    else expect(names).toEqual([null]);
    // the next run: no jar on disk, and reading it would fail
    const again = planBuild(first.df, withRecordedJar([], first.record), () => {
      throw new Error('the jar was read');
    }, { layers: mode, mtime: 1700000000, recorded: first.record });
    expect(again.steps).toEqual(first.plan.steps);
    const made = layerTars(again, () => {
      throw new Error('the jar was read');
    });
    expect(made.map((l) => l.diffId)).toEqual(first.tars.map((t) => t.diffId));
    // WORKDIR's layer is made again; the jar's come from the record, by the digests the first run computed
    expect(made.slice(1).map((l) => ('made' in l ? l.made.digest : 'tarred'))).toEqual(first.blobs.slice(1).map((b) => b.digest));
    expect('tar' in made[0]).toBe(true);
  });

  it('a record of another jar path is not taken: the COPY plans from the disk as before', () => {
    const first = fresh('auto');
    const other = { ...first.record!, jar: { ...first.record!.jar, path: 'target/other.jar' } };
    const plan = planBuild(first.df, [jar], () => bootJar(), { layers: 'auto', mtime: 1700000000, recorded: other });
    expect(plan.layers.some((l) => l.made)).toBe(false);
  });

  it('the recorded jar replaces a file the disk holds at its path', () => {
    const first = fresh('auto');
    expect(withRecordedJar([{ ...jar, size: 5 }, { path: 'x', type: 'file', mode: 0o600, size: 1 }], first.record)).toEqual([{ path: 'x', type: 'file', mode: 0o600, size: 1 }, { ...jar, type: 'file' }]);
  });
});
