/**
 * moment.js style date formatting (the common tokens) in an IANA time zone, with Intl only.
 * `[text]` is literal; characters that are not tokens are copied.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Parts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number; // 0-23
  minute: number;
  second: number;
  ms: number;
  weekday: number; // 0 = Sunday
  offsetMin: number;
  epochMs: number;
}

/** Throws RangeError for an unknown time zone. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function partsIn(date: Date, tz: string): Parts {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(date)) {
    if (part.type !== 'literal') {
      p[part.type] = Number(part.value);
    }
  }
  const year = p.year ?? 1970;
  const hour = (p.hour ?? 0) % 24;
  const asUtc = Date.UTC(year, (p.month ?? 1) - 1, p.day ?? 1, hour, p.minute ?? 0, p.second ?? 0);
  const wall = asUtc + date.getUTCMilliseconds();
  return {
    year,
    month: p.month ?? 1,
    day: p.day ?? 1,
    hour,
    minute: p.minute ?? 0,
    second: p.second ?? 0,
    ms: date.getUTCMilliseconds(),
    weekday: new Date(asUtc).getUTCDay(),
    offsetMin: Math.round((wall - date.getTime()) / 60000),
    epochMs: date.getTime(),
  };
}

const pad = (n: number, w: number): string => String(Math.abs(n)).padStart(w, '0');

function offset(min: number, sep: string): string {
  const sign = min < 0 ? '-' : '+';
  return `${sign}${pad(Math.floor(Math.abs(min) / 60), 2)}${sep}${pad(Math.abs(min) % 60, 2)}`;
}

function ordinal(n: number): string {
  const b = n % 10;
  const suffix = Math.floor((n % 100) / 10) === 1 ? 'th' : b === 1 ? 'st' : b === 2 ? 'nd' : b === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function dayOfYear(p: Parts): number {
  return Math.round((Date.UTC(p.year, p.month - 1, p.day) - Date.UTC(p.year, 0, 1)) / 86400000) + 1;
}

const TOKENS: Record<string, (p: Parts) => string> = {
  YYYY: p => (p.year > 9999 ? `+${p.year}` : pad(p.year, 4)),
  YY: p => pad(p.year % 100, 2),
  Y: p => String(p.year),
  Q: p => String(Math.ceil(p.month / 3)),
  MMMM: p => MONTHS[p.month - 1] ?? '',
  MMM: p => (MONTHS[p.month - 1] ?? '').slice(0, 3),
  MM: p => pad(p.month, 2),
  Mo: p => ordinal(p.month),
  M: p => String(p.month),
  DDDD: p => pad(dayOfYear(p), 3),
  DDD: p => String(dayOfYear(p)),
  DD: p => pad(p.day, 2),
  Do: p => ordinal(p.day),
  D: p => String(p.day),
  dddd: p => DAYS[p.weekday] ?? '',
  ddd: p => (DAYS[p.weekday] ?? '').slice(0, 3),
  dd: p => (DAYS[p.weekday] ?? '').slice(0, 2),
  d: p => String(p.weekday),
  E: p => String(p.weekday === 0 ? 7 : p.weekday),
  HH: p => pad(p.hour, 2),
  H: p => String(p.hour),
  hh: p => pad(p.hour % 12 || 12, 2),
  h: p => String(p.hour % 12 || 12),
  kk: p => pad(p.hour || 24, 2),
  k: p => String(p.hour || 24),
  mm: p => pad(p.minute, 2),
  m: p => String(p.minute),
  ss: p => pad(p.second, 2),
  s: p => String(p.second),
  SSS: p => pad(p.ms, 3),
  SS: p => pad(Math.floor(p.ms / 10), 2),
  S: p => String(Math.floor(p.ms / 100)),
  A: p => (p.hour < 12 ? 'AM' : 'PM'),
  a: p => (p.hour < 12 ? 'am' : 'pm'),
  ZZ: p => offset(p.offsetMin, ''),
  Z: p => offset(p.offsetMin, ':'),
  X: p => String(Math.floor(p.epochMs / 1000)),
  x: p => String(p.epochMs),
};

const TOKEN_RE = new RegExp(
  `\\[[^\\[]*\\]|${Object.keys(TOKENS)
    .sort((a, b) => b.length - a.length)
    .join('|')}|.`,
  'gs',
);

/** Default format of moment#format() with no argument. */
export const DEFAULT_FORMAT = 'YYYY-MM-DDTHH:mm:ssZ';

/** Formats `date` in `tz` (IANA name, default UTC) with moment tokens. */
export function formatDate(date: Date, format: string, tz = 'UTC'): string {
  const p = partsIn(date, tz);
  return format.replace(TOKEN_RE, tok => {
    if (tok.startsWith('[') && tok.endsWith(']') && tok.length >= 2) {
      return tok.slice(1, -1);
    }
    const f = TOKENS[tok];
    return f ? f(p) : tok;
  });
}
