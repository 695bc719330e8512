import { describe, expect, it } from 'vitest';
import { readModel } from '../../../src/dockerfile/model.js';
import type { Job } from '../../../src/job.js';
import { recordServes } from '../../../src/stages/record.js';
import type { Target } from '../../../src/targets.js';

type Facts = Parameters<typeof recordServes>[0];
const tutorial = readModel('FROM a\nARG JAR_FILE=./*.jar\nCOPY ${JAR_FILE} app.jar\nENTRYPOINT ["java","-jar","./app.jar"]\n');
const targets = [{ image: { registry: 'r', repository: 'a', name: 'r/a' }, tags: ['1'] }] as unknown as Target[];

function job(change: { inputs?: Record<string, unknown>; reproducibleAt?: Date; wantsJar?: boolean; text?: string } = {}): Facts {
  const inputs = { artifact: '', load: false, supply: { sbom: false }, ...change.inputs } as unknown as Job['inputs'];
  return { inputs, reproducibleAt: 'reproducibleAt' in change ? change.reproducibleAt : new Date(0), wantsJar: change.wantsJar ?? true, dockerfile: change.text ? readModel(change.text) : tutorial } as Facts;
}

describe('the image record stands in for the build only where nothing else needs the jar', () => {
  it('the tutorial, pushed by the native builder', () => expect(recordServes(job(), true, targets)).toBe(true));
  it.each<[string, Facts, boolean, Target[] | undefined]>([
    ['BuildKit builds', job(), false, targets],
    ['nothing is pushed', job(), true, undefined],
    ['no targets', job(), true, []],
    ['the build is not reproducible', job({ reproducibleAt: undefined }), true, targets],
    ['the Dockerfile takes no jar', job({ wantsJar: false }), true, targets],
    ['a prebuilt artifact is given', job({ inputs: { artifact: 'x.jar' } }), true, targets],
    ['load: true wants the layers', job({ inputs: { load: true } }), true, targets],
    ['the SBOM reads the jar', job({ inputs: { supply: { sbom: true } } }), true, targets],
    ['the Dockerfile copies more than the jar', job({ text: 'FROM a\nARG JAR_FILE\nCOPY ${JAR_FILE} app.jar\nCOPY conf/ /conf/\n' }), true, targets],
  ])('not when %s', (_, facts, native, where) => expect(recordServes(facts, native, where)).toBe(false));
});
