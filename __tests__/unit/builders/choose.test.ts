import { describe, expect, it } from 'vitest';
import { readModel } from '../../../src/dockerfile/model.js';
import { checkNative, chooseBuilder } from '../../../src/builders/choose.js';
import { buildTime, labelPairs } from '../../../src/builders/native/builder.js';
import { parseBaseRef } from '../../../src/builders/native/base.js';

const tutorial = 'FROM base/jre:17\nARG JAR_FILE=./*.jar\nCOPY ${JAR_FILE} app.jar\nENTRYPOINT ["java","-jar","./app.jar"]\n';
const withRun = 'FROM base/jre:17\nCOPY a.jar /a.jar\nRUN chmod +x /a.jar\n';
const inputs = (builder: 'auto' | 'native' | 'docker', extra: { provenance?: string; target?: string } = {}) => ({ builder, provenance: 'false', target: '', buildArgs: [] as [string, string][], ...extra });

describe('chooseBuilder: the one place that picks', () => {
  it.each([
    ['auto', tutorial, true, 'native', 'supports every instruction'],
    ['auto', withRun, true, 'docker', 'cannot take line 3: RUN chmod +x /a.jar (RUN needs BuildKit)'],
    ['auto', tutorial, false, 'docker', 'nothing is pushed'],
    ['docker', tutorial, true, 'docker', 'as the builder input asks'],
    ['native', tutorial, true, 'native', 'as the builder input asks'],
  ] as const)('%s, pushed %s', (builder, df, push, kind, why) => {
    const c = chooseBuilder(inputs(builder), readModel(df), push);
    expect(c.kind).toBe(kind);
    expect(c.reason).toContain(why);
  });

  it.each([
    [{ provenance: 'true' }, 'provenance: true needs BuildKit'],
    [{ target: 'app' }, 'target: app needs BuildKit'],
  ])('auto leaves %j to BuildKit', (extra, why) => expect(chooseBuilder(inputs('auto', extra), readModel(tutorial), true).reason).toContain(why));

  it('builder: native refuses an unsupported Dockerfile, naming the line', () => {
    expect(() => checkNative(inputs('native'), readModel(withRun))).toThrow("Input 'builder': native cannot build this: line 3: RUN chmod +x /a.jar (RUN needs BuildKit). Use builder: docker");
    expect(() => checkNative(inputs('native'), readModel(tutorial))).not.toThrow();
    expect(() => checkNative(inputs('auto'), readModel(withRun))).not.toThrow();
  });
});

describe('native builder helpers', () => {
  it.each([
    [new Date('2024-05-01T10:00:00Z'), {}, '2024-05-01T10:00:00.000Z'],
    [undefined, { SOURCE_DATE_EPOCH: '1700000000' }, '2023-11-14T22:13:20.000Z'],
    [undefined, { SOURCE_DATE_EPOCH: 'x' }, '2020-01-01T00:00:00.000Z'],
  ])('build time %s %j', (at, env, want) => expect(buildTime(at, env, new Date('2020-01-01T00:00:00Z')).toISOString()).toBe(want));

  it('reads label lines', () => expect(labelPairs(['a=b=c', 'org.opencontainers.image.title=x', 'nolabel'])).toEqual([['a', 'b=c'], ['org.opencontainers.image.title', 'x']]));

  it.each([
    ['127.0.0.1:5000/base/jre:17', { registry: '127.0.0.1:5000', repository: 'base/jre', reference: '17' }],
    ['eclipse-temurin:21-jre', { registry: 'docker.io', repository: 'library/eclipse-temurin', reference: '21-jre' }],
    ['ghcr.io/o/app', { registry: 'ghcr.io', repository: 'o/app', reference: 'latest' }],
    [`r.io/a/b:1@sha256:${'a'.repeat(64)}`, { registry: 'r.io', repository: 'a/b', reference: `sha256:${'a'.repeat(64)}` }],
  ])('base %s', (ref, want) => expect(parseBaseRef(ref)).toMatchObject(want));
});
