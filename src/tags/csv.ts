/**
 * CSV handling of list inputs, as metadata-action does it (csv-parse, `,` delimiter, `"` quote, `""` escape).
 *
 * metadata-action parses each list input twice: first the whole input (relaxed quotes, `#` comment lines,
 * fields of a record re-joined with `,`), then each resulting entry (strict quotes) into its fields.
 */

/** Splits one CSV record. Throws Error with a csv-parse like message on bad quoting. */
export function splitCsv(line: string, relaxQuotes: boolean): string[] {
  const fields: string[] = [];
  let field = '';
  let quoting = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoting) {
      if (c !== '"') {
        field += c;
        continue;
      }
      const next = line[i + 1];
      if (next === '"') {
        field += '"';
        i++;
      } else if (next === undefined || next === ',') {
        quoting = false;
      } else if (relaxQuotes) {
        quoting = false;
        field = `"${field}`;
      } else {
        throw new Error(`invalid closing quote at position ${i + 1}: the character after a closing quote must be a comma`);
      }
      continue;
    }
    if (c === '"') {
      if (field.length === 0) {
        quoting = true;
      } else if (relaxQuotes) {
        field += c;
      } else {
        throw new Error(`invalid opening quote at position ${i + 1}: a quote may only start a field (quote the whole field: "key=value")`);
      }
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  if (quoting) {
    throw new Error('quote not closed');
  }
  fields.push(field);
  return fields;
}

/**
 * One input line as an entry, or undefined for a blank or `#` comment line. With `unquote`, the line goes through
 * the relaxed first pass of Util.getInputList (fields re-joined with `,`), as labels/annotations do. Tag, flavor
 * and image lines are kept as written, so a quoted field may hold a comma (`"pattern=\\d{1,3}"`), as
 * metadata-action's own tests expect.
 */
export function listEntry(line: string, unquote: boolean): string | undefined {
  const text = line.replace(/\r$/, '');
  if (text.startsWith('#') || text.trim() === '') {
    return undefined;
  }
  const entry = unquote ? splitCsv(text, true).join(',').trim() : text.trim();
  return entry === '' ? undefined : entry;
}

/** The non-empty entries of a list input, with their 1-based line numbers. */
export function listEntries(lines: string[], unquote = false): Array<{ line: number; text: string; source: string }> {
  const out: Array<{ line: number; text: string; source: string }> = [];
  lines.forEach((source, i) => {
    for (const raw of source.split(/\n/)) {
      let text: string | undefined;
      try {
        text = listEntry(raw, unquote);
      } catch {
        text = raw.trim(); // a bad quote in the relaxed pass: keep the line as written
      }
      if (text !== undefined) {
        out.push({ line: i + 1, text, source: raw });
      }
    }
  });
  return out;
}

/** Splits `key=value` at the first `=` (a field starting with `=` is a bare value); both sides trimmed. */
export function splitAttr(field: string): [string] | [string, string] {
  const idx = field.indexOf('=');
  if (idx <= 0) {
    return [field.trim()];
  }
  return [field.slice(0, idx).trim(), field.slice(idx + 1).trim()];
}
