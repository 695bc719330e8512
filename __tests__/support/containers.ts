import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';

/** A TCP port nothing listens on right now, on the loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** The body of GET url, retried until the server answers or `ms` pass. */
export async function httpGetWithin(url: string, ms: number): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return await res.text();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/**
 * Runs an image on the host network (this engine has no bridge) with a free port in `portVariable`, and
 * returns what GET `urlPath` answers; the container is removed afterwards.
 */
export async function answerOf(image: string, portVariable: string, urlPath: string, env: NodeJS.ProcessEnv = process.env, ms = 90000): Promise<string> {
  return (await answersOf(image, portVariable, [urlPath], env, ms))[0];
}

/** The same, for several paths asked of one container in turn. */
export async function answersOf(image: string, portVariable: string, urlPaths: readonly string[], env: NodeJS.ProcessEnv = process.env, ms = 90000): Promise<string[]> {
  const port = await freePort();
  const name = `ip-answer-${port}-${Date.now().toString(36)}`;
  const child = spawn('docker', ['run', '--rm', '--name', name, '--network', 'host', '-e', `${portVariable}=${port}`, image], { stdio: 'ignore', env });
  try {
    const out: string[] = [];
    for (const p of urlPaths) out.push(await httpGetWithin(`http://127.0.0.1:${port}${p}`, ms));
    return out;
  } finally {
    execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore', timeout: 60000, env });
    child.kill();
  }
}
