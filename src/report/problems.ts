/** A place in the user's files that a build tool complained about. */
export interface Problem {
  /** Absolute path, or a bare file name (test classes) that the caller resolves. */
  file: string;
  line: number;
  column?: number;
  message: string;
  severity: 'error' | 'warning';
}

const SOURCE = String.raw`(?:\/|[A-Za-z]:\\)[^:\s]*?\.(?:java|kt|groovy|scala)`;
const MAVEN_JAVAC = new RegExp(String.raw`^\[(ERROR|WARNING)\] (${SOURCE}):\[(\d+),(\d+)\] (.+)$`);
// javac as Gradle prints it; a task header may stick to the front (":compileJava/home/…/Main.java:22: error: …")
const GRADLE_JAVAC = new RegExp(String.raw`(?:^|\s|:[A-Za-z]+)(${SOURCE}):(\d+): (error|warning): (.+)$`);
const KOTLIN = /^([ew]): (?:file:\/\/)?(\/[^:]+\.kts?)(?::(\d+):(\d+)|: \((\d+), (\d+)\)):? (.+)$/;
const SUREFIRE = /^\[ERROR\]\s+(?:[\w$]+\.)*?([A-Z][\w$]*)\.([\w$]+):(\d+) (.+)$/;
const GRADLE_TEST_AT = /^\s+(?:\S+ )?at ([\w$]+\.(?:java|kt|groovy)):(\d+)\)?$/;
const GRADLE_TEST_FAILED = /^([\w.$]+) > (.+) FAILED$/;

/** Compiler errors and failed tests in Maven's or Gradle's output, each once, in order. Pure. */
export function javaProblems(output: string): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  const add = (p: Problem): void => {
    const key = `${p.file}:${p.line}:${p.column ?? ''}:${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  };
  let failedTest: string | undefined;
  for (const line of output.split(/\r?\n/)) {
    let m = MAVEN_JAVAC.exec(line);
    if (m) {
      add({ file: m[2], line: Number(m[3]), column: Number(m[4]), message: m[5], severity: m[1] === 'ERROR' ? 'error' : 'warning' });
      continue;
    }
    m = GRADLE_JAVAC.exec(line);
    if (m) {
      add({ file: m[1], line: Number(m[2]), message: m[4], severity: m[3] === 'error' ? 'error' : 'warning' });
      continue;
    }
    m = KOTLIN.exec(line);
    if (m) {
      add({ file: m[2], line: Number(m[3] ?? m[5]), column: Number(m[4] ?? m[6]), message: m[7], severity: m[1] === 'e' ? 'error' : 'warning' });
      continue;
    }
    m = SUREFIRE.exec(line);
    if (m) {
      add({ file: `${m[1]}.java`, line: Number(m[3]), message: `${m[1]}.${m[2]}: ${m[4]}`, severity: 'error' });
      continue;
    }
    m = GRADLE_TEST_FAILED.exec(line);
    if (m) {
      failedTest = `${m[1].split('.').pop()} > ${m[2]}`;
      continue;
    }
    m = GRADLE_TEST_AT.exec(line);
    if (m && failedTest) {
      add({ file: m[1], line: Number(m[2]), message: `${failedTest} failed`, severity: 'error' });
      failedTest = undefined;
    }
  }
  return out;
}

/** The Dockerfile line BuildKit blames for a failed build, with its error. Pure. */
export function dockerfileProblem(output: string): { line: number; message: string } | undefined {
  const lines = output.split(/\r?\n/);
  const at = lines.map((l) => /^(?:\S*\/)?Dockerfile[^:\s]*:(\d+)$/.exec(l.trim())).find((m) => m !== null);
  if (!at) return undefined;
  const message = lines.find((l) => /^ERROR: /.test(l))?.replace(/^ERROR: /, '') ?? 'the build failed here';
  return { line: Number(at[1]), message };
}
