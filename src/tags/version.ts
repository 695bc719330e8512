/** Applies the tag rules to the run: the version (main, partial, latest) as metadata-action computes it. */
import semver, { type SemVer } from 'semver';
import { InputError } from '../errors.js';
import { dateHelper, globalScope, isBranchRef, isPrRef, isTagRef, shortSha, stripBranchRef, stripTagRef, type Run } from './context.js';
import { floatingLine, isHighest, publishedReleases } from './highest.js';
import { cleanPep440, parsePep440, pepMajor, pepMinor, pepPatch } from './pep440.js';
import { isRawStatement, render, TemplateError, type Scope } from './template.js';
import type { Flavor, TagRule, Version } from './types.js';

export const sanitizeTag = (tag: string): string => tag.replace(/[^a-zA-Z0-9._-]+/g, '-');

class Builder {
  main: string | undefined;
  partial: string[] = [];
  latest: boolean | undefined;
  private readonly global: Scope;
  private readonly published: SemVer[] | undefined;

  constructor(
    private readonly run: Run,
    private readonly flavor: Flavor,
    published: string[] | undefined,
    readonly warnings: string[],
  ) {
    this.global = globalScope(run, m => warnings.push(m));
    this.published = published && publishedReleases(published);
  }

  private fail(rule: TagRule, message: string): never {
    throw new InputError('tags', `line ${rule.line} "${rule.source}": ${message}`);
  }

  render(rule: TagRule, template: string, scope: Scope = this.global): string {
    try {
      return render(template, scope);
    } catch (e) {
      if (e instanceof TemplateError) this.fail(rule, e.message);
      throw e;
    }
  }

  private withAffixes(val: string, rule: TagRule): string {
    const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(rule.attrs, k);
    if (has('prefix')) val = this.render(rule, rule.attrs['prefix']) + val;
    else if (this.flavor.prefix.length > 0) val = this.render(rule, this.flavor.prefix) + val;
    if (has('suffix')) val = val + this.render(rule, rule.attrs['suffix']);
    else if (this.flavor.suffix.length > 0) val = val + this.render(rule, this.flavor.suffix);
    return val;
  }

  /** Adds a value; `auto` is what latest=auto gives for this rule, `release` the version latest=highest compares. */
  add(rule: TagRule, raw: string, auto: boolean, release?: SemVer): void {
    const val = this.withAffixes(raw, rule);
    if (val.length === 0) return;
    const tag = sanitizeTag(val);
    if (this.main === undefined) this.main = tag;
    else if (tag !== this.main) this.partial.push(tag);
    if (this.latest === undefined) {
      let latest = this.flavor.latest === 'true';
      if (this.flavor.latest === 'auto') latest = auto;
      if (this.flavor.latest === 'highest') {
        latest = auto && (release === undefined || this.published === undefined || isHighest(release, this.published, 'all'));
      }
      this.latest = latest;
    }
  }

  private sourceValue(rule: TagRule): string | undefined {
    if (!isTagRef(this.run.ref) && rule.attrs['value'].length === 0) return undefined;
    return rule.attrs['value'].length > 0 ? this.render(rule, rule.attrs['value']) : stripTagRef(this.run.ref);
  }

  private regex(rule: TagRule, source: string, flags?: string): RegExp {
    try {
      return new RegExp(source, flags);
    } catch (e) {
      return this.fail(rule, `invalid regular expression: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** semver/pep440 value: the tag (or value=), narrowed by match= (group 1), '/' replaced by '-'. */
  private versionValue(rule: TagRule): string | undefined {
    let vraw = this.sourceValue(rule);
    if (vraw === undefined) return undefined;
    const match = rule.attrs['match'];
    if (match.length > 0) {
      const m = vraw.match(this.regex(rule, match));
      if (!m) this.warnings.push(`${match} does not match ${vraw}.`);
      else if (m[1] === undefined) this.fail(rule, `match=${match} has no capture group 1 for ${vraw}`);
      else vraw = m[1];
    }
    return vraw.replace(/\//g, '-');
  }

  semver(rule: TagRule): void {
    const vraw = this.versionValue(rule);
    if (vraw === undefined) return;
    const sver = semver.valid(vraw) ? semver.parse(vraw, { loose: true }) : null;
    if (!sver) {
      this.warnings.push(`${vraw} is not a valid semver. More info: https://semver.org/`);
      return;
    }
    const scope: Scope = {
      raw: sver.raw,
      version: sver.version,
      major: sver.major,
      minor: sver.minor,
      patch: sver.patch,
      prerelease: sver.prerelease,
      build: sver.build,
      loose: sver.loose,
    };
    const pattern = rule.attrs['pattern'];
    if (semver.prerelease(vraw)) {
      this.add(rule, this.render(rule, isRawStatement(pattern) ? pattern : '{{version}}', scope), false, sver);
      return;
    }
    const line = rule.attrs['floating'] === 'highest' ? floatingLine(pattern) : undefined;
    if (line && this.published && !isHighest(sver, this.published, line)) {
      this.warnings.push(`${rule.source}: not moving "${this.render(rule, pattern, scope)}" back to ${sver.version} (a higher release is published)`);
      return;
    }
    this.add(rule, this.render(rule, pattern, scope), true, sver);
  }

  pep440(rule: TagRule): void {
    const vraw = this.versionValue(rule);
    if (vraw === undefined) return;
    const v = parsePep440(vraw);
    if (!v) {
      this.warnings.push(`${vraw} does not conform to PEP 440. More info: https://www.python.org/dev/peps/pep-0440`);
      return;
    }
    const pattern = rule.attrs['pattern'];
    if (v.isPrerelease || v.isPostrelease || v.isDevrelease) {
      this.add(rule, isRawStatement(pattern) ? vraw : cleanPep440(v), false);
      return;
    }
    const scope: Scope = {
      raw: () => vraw,
      version: () => cleanPep440(v),
      major: () => String(pepMajor(v)),
      minor: () => String(pepMinor(v)),
      patch: () => String(pepPatch(v)),
    };
    this.add(rule, this.render(rule, pattern, scope), true, semver.parse(semver.clean(vraw) ?? '') ?? undefined);
  }

  match(rule: TagRule): void {
    const vraw = this.sourceValue(rule);
    if (vraw === undefined) return;
    const pattern = rule.attrs['pattern'];
    const re = /^\/(.+)\/(.*)$/.exec(pattern);
    const m = vraw.match(re ? this.regex(rule, re[1], re[2]) : this.regex(rule, pattern));
    if (!m) {
      this.warnings.push(`${pattern} does not match ${vraw}.`);
      return;
    }
    const group = (m as unknown as Record<string, string | undefined>)[rule.attrs['group']];
    if (group === undefined) {
      this.warnings.push(`Group ${rule.attrs['group']} does not exist for ${pattern} pattern.`);
      return;
    }
    this.add(rule, group, true, semver.parse(semver.clean(group) ?? '') ?? undefined);
  }

  apply(rule: TagRule): void {
    const enabled = this.render(rule, rule.attrs['enable']);
    if (enabled !== 'true' && enabled !== 'false') {
      this.fail(rule, `enable must be true or false after expression evaluation, got "${enabled}"`);
    }
    if (enabled !== 'true') return;
    const { ref } = this.run;
    switch (rule.type) {
      case 'schedule':
        if (/schedule/.test(this.run.eventName)) {
          const warn = (m: string): number => this.warnings.push(m);
          const scope: Scope = { date: dateHelper('date', this.run.now, warn), commit_date: dateHelper('commit_date', this.run.commitDate, warn) };
          this.add(rule, this.render(rule, rule.attrs['pattern'], scope), false);
        }
        return;
      case 'semver':
        return this.semver(rule);
      case 'pep440':
        return this.pep440(rule);
      case 'match':
        return this.match(rule);
      case 'ref':
        if (rule.attrs['event'] === 'branch' && isBranchRef(ref)) this.add(rule, stripBranchRef(ref), false);
        if (rule.attrs['event'] === 'tag' && isTagRef(ref)) this.add(rule, stripTagRef(ref), true, semver.parse(semver.clean(stripTagRef(ref)) ?? '') ?? undefined);
        if (rule.attrs['event'] === 'pr' && isPrRef(ref)) this.add(rule, ref.replace(/^refs\/pull\//g, '').replace(/\/merge$/g, ''), false);
        return;
      case 'edge': {
        const branch = rule.attrs['branch'].length > 0 ? rule.attrs['branch'] : this.run.repoDefaultBranch;
        if (isBranchRef(ref) && branch === stripBranchRef(ref)) this.add(rule, 'edge', false);
        return;
      }
      case 'raw':
        return this.add(rule, this.render(rule, rule.attrs['value']), false);
      case 'sha': {
        const sha = rule.attrs['pr'] === 'head' && this.run.prHeadSha ? this.run.prHeadSha : this.run.sha;
        if (sha) this.add(rule, rule.attrs['format'] === 'short' ? shortSha(sha, this.run.shortShaLength) : sha, false);
        return;
      }
    }
  }
}

/** The version of the run for the (priority sorted) rules; warnings are appended to `warnings`. */
export function computeVersion(rules: TagRule[], run: Run, flavor: Flavor, publishedTags: string[] | undefined, warnings: string[]): Version {
  const b = new Builder(run, flavor, publishedTags, warnings);
  for (const rule of rules) {
    b.apply(rule);
  }
  return { main: b.main, partial: b.partial.filter((p, i) => b.partial.indexOf(p) === i), latest: b.latest ?? false };
}
