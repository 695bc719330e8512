/** Lines docker prints while it works: progress, not the cause of a failure. */
const PROGRESS = [
  /^[0-9a-f]{12}: (Waiting|Preparing|Pushing|Pushed|Layer already exists|Mounted from .*|Retrying in .*|Already exists|Downloading|Download complete|Pull complete|Verifying Checksum|Extracting)/i,
  /^The push refers to repository/,
  /^Using default tag/,
  /^WARNING!/,
  /^Configure a credential helper/,
  /^https:\/\/docs\.docker\.com\//,
  /^[\w.-]+: digest: sha256:/,
];

const ERROR = /error|denied|unauthori[sz]ed|forbidden|refused|failed|timeout|timed out|closed network connection|no such host|connection reset|EOF|certificate|x509|toomanyrequests|unknown|invalid|not found|does not exist|no basic auth/i;

/** `{"errors":[{"code":"DENIED","message":"…"}]}` as the registry sent it, in one line: `DENIED: …`. */
function registryJson(line: string): string | undefined {
  const start = line.indexOf('{"errors"');
  if (start < 0) return undefined;
  try {
    const body = JSON.parse(line.slice(start)) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
    const parts = (body.errors ?? []).map((e) => [e.code, e.message].filter(Boolean).join(': ')).filter(Boolean);
    return parts.length ? `${line.slice(0, start)}${parts.join('; ')}`.trim() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Docker's own words for why a command failed, from its whole output (stderr and stdout in any order): the last line
 * that reads as an error, past the progress lines; registry JSON errors shortened to `CODE: message`. Undefined when
 * the output has nothing but progress. Pure.
 */
export function dockerError(output: string): string | undefined {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !PROGRESS.some((re) => re.test(l)));
  const line = [...lines].reverse().find((l) => ERROR.test(l)) ?? lines[lines.length - 1];
  if (line === undefined) return undefined;
  return registryJson(line) ?? line;
}
