/**
 * The subset of Handlebars that metadata-action's expressions use: `{{name}}`, `{{{name}}}`,
 * helper calls with quoted/number/path params and `key='value'` hash args, `{{! comments }}`, `\{{` escapes.
 * As in Handlebars (not strict mode) an unknown name renders empty, and `{{…}}` output is HTML-escaped.
 */

export type Helper = (params: string[], hash: Record<string, string>) => string;
export type ScopeValue = string | number | boolean | readonly unknown[] | Helper | undefined;
export type Scope = Record<string, ScopeValue>;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`=]/g, c => ESCAPES[c] ?? c);
}

export class TemplateError extends Error {}

interface Token {
  kind: 'string' | 'number' | 'path';
  text: string;
}

function tokenize(expr: string): Array<Token | { kind: 'hash'; key: string; value: Token }> {
  const out: Array<Token | { kind: 'hash'; key: string; value: Token }> = [];
  const re = /\s*(?:([A-Za-z_$][\w$-]*)=)?(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?)(?=\s|$)|([^\s'"=]+))/y;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) {
      break;
    }
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m) {
      throw new TemplateError(`cannot parse expression "{{${expr}}}"`);
    }
    pos = re.lastIndex;
    const tok: Token =
      m[2] !== undefined
        ? { kind: 'string', text: m[2] }
        : m[3] !== undefined
          ? { kind: 'string', text: m[3] }
          : m[4] !== undefined
            ? { kind: 'number', text: m[4] }
            : { kind: 'path', text: m[5] ?? '' };
    out.push(m[1] !== undefined ? { kind: 'hash', key: m[1], value: tok } : tok);
  }
  return out;
}

function lookup(scope: Scope, path: string): ScopeValue {
  const name = path.replace(/^(?:this\.|\.\/)/, '');
  return Object.prototype.hasOwnProperty.call(scope, name) ? scope[name] : undefined;
}

function show(v: ScopeValue): string {
  if (v === undefined || v === null || v === false) {
    return v === false ? 'false' : '';
  }
  if (typeof v === 'function') {
    return v([], {});
  }
  return String(v);
}

function evaluate(expr: string, scope: Scope): string {
  const toks = tokenize(expr.trim());
  const head = toks[0];
  if (!head || head.kind !== 'path') {
    if (head && head.kind !== 'hash' && toks.length === 1) {
      return head.text;
    }
    throw new TemplateError(`cannot parse expression "{{${expr}}}"`);
  }
  const value = lookup(scope, head.text);
  if (toks.length === 1) {
    return show(value);
  }
  if (typeof value !== 'function') {
    throw new TemplateError(`missing helper "${head.text}" in "{{${expr}}}"`);
  }
  const params: string[] = [];
  const hash: Record<string, string> = {};
  for (const t of toks.slice(1)) {
    if (t.kind === 'hash') {
      hash[t.key] = t.value.kind === 'path' ? show(lookup(scope, t.value.text)) : t.value.text;
    } else {
      params.push(t.kind === 'path' ? show(lookup(scope, t.text)) : t.text);
    }
  }
  return value(params, hash);
}

/** Renders `template` against `scope`. Throws TemplateError on syntax it does not support. */
export function render(template: string, scope: Scope): string {
  let out = '';
  let pos = 0;
  while (pos < template.length) {
    const open = template.indexOf('{{', pos);
    if (open < 0) {
      out += template.slice(pos);
      break;
    }
    if (open > 0 && template[open - 1] === '\\') {
      out += template.slice(pos, open - 1) + '{{';
      pos = open + 2;
      continue;
    }
    out += template.slice(pos, open);
    const triple = template.startsWith('{{{', open);
    const close = template.indexOf(triple ? '}}}' : '}}', open);
    if (close < 0) {
      throw new TemplateError(`unclosed "{{" in "${template}"`);
    }
    let inner = template.slice(open + (triple ? 3 : 2), close);
    pos = close + (triple ? 3 : 2);
    inner = inner.replace(/^~/, '').replace(/~$/, '');
    if (inner.startsWith('!')) {
      continue;
    }
    if (/^\s*[#/^>&]/.test(inner) || /^\s*else\b/.test(inner)) {
      throw new TemplateError(`block and partial expressions are not supported: "{{${inner}}}"`);
    }
    const value = evaluate(inner, scope);
    out += triple ? value : escapeHtml(value);
  }
  return out;
}

/** True when the pattern is a single `{{raw}}` mustache (metadata-action's isRawStatement). */
export function isRawStatement(pattern: string): boolean {
  const m = /^\{\{(\{?)~?\s*([^\s}~]+)[^}]*?~?\}\}(\}?)$/.exec(pattern);
  return m !== null && m[1].length === m[3].length && m[2] === 'raw';
}
