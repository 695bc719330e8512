import { maskPieces, secretTexts } from './secrets.js';

/** `password:` values of a registry-auth text, read line by line (quotes dropped), before the YAML is parsed. Pure. */
export function registryAuthPasswords(raw: string): string[] {
  const out: string[] = [];
  for (const line of raw.split(/\r?\n/)) {
    const m = /^[\s-]*["']?password["']?\s*:\s*(.*?)\s*$/.exec(line);
    if (!m || !m[1] || /^[|>][-+]?$/.test(m[1])) continue;
    out.push(m[1].replace(/^(["'])(.*)\1$/, '$2'));
  }
  return out;
}

/**
 * Everything to mask in the inputs that may hold a secret, before any of them is parsed (a parse error could quote
 * one): password and github-token whole, registry-auth's passwords, every value of `secrets`; each also line by line. Pure.
 */
export function secretInputPieces(read: (name: string) => string): string[] {
  const values = [read('password'), read('github-token'), ...registryAuthPasswords(read('registry-auth')), ...secretTexts(read('secrets'))];
  return [...new Set(values.flatMap(maskPieces))];
}
