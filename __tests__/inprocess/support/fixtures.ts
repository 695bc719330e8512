import { contextWorkspace } from '../../support/native.ts';
import { MemoryRegistry } from './registry.ts';

export const USER = 'ci-user';
export const PASSWORD = 'memory-registry-password-5a1e';

/** A registry with one user, started; stop it in afterAll. */
export async function startRegistry(opts: ConstructorParameters<typeof MemoryRegistry>[0] = {}): Promise<MemoryRegistry> {
  const reg = new MemoryRegistry({ users: { [USER]: PASSWORD }, ...opts });
  await reg.start();
  return reg;
}

/** `registry`, `username`, `password` for one registry. */
export function login(reg: MemoryRegistry): Record<string, string> {
  return { registry: reg.host, username: USER, password: PASSWORD };
}

/** A committed workspace with a jar and a Dockerfile every builder accepts (no RUN), based on `base`. */
export function appWorkspace(base = '127.0.0.1:5000/base/jre:17', extra: Record<string, string> = {}): { dir: string; sha: string } {
  return contextWorkspace({ Dockerfile: `FROM ${base}\nCOPY app.jar /app.jar\nENTRYPOINT ["java","-jar","/app.jar"]\n`, 'app.jar': 'PK not really a jar\n', ...extra });
}

/** Inputs for a run that pushes the workspace's jar with the fake builder (as `native`: no engine login). */
export function pushInputs(reg: MemoryRegistry, repo: string, extra: Record<string, string> = {}): Record<string, string> {
  return { images: `${reg.host}/${repo}`, 'java-tool': 'none', builder: 'native', cache: 'false', ...login(reg), ...extra };
}
