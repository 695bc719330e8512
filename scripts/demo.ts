// Runs the committed bundle on example/ (the Spring Boot web app; Maven takes its dependencies from Central)
// the way the runner does (main, then post) against the local registry that .ci/setup started, for a push
// of tag v1.2.3, and prints what was pushed.
// Run with Node 24 (node_modules/.bin/node), which strips the types itself.
import { runAction } from '../__tests__/support/runner.ts';
import { services, workspace } from '../__tests__/support/services.ts';

const s = services();
const ws = workspace('example');
const run = await runAction({
  workspace: ws.dir,
  event: { name: 'push', ref: 'refs/tags/v1.2.3', sha: ws.sha, payload: { ref: 'refs/tags/v1.2.3', repository: { name: 'hello-service', html_url: 'https://github.com/acme/hello-service' } } },
  env: ws.env,
  inputs: {
    images: `${s.registry}/demo/hello-service`,
    tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=semver,pattern={{major}}',
    registry: s.registry,
    username: s.user,
    password: s.password,
  },
});
process.stdout.write(run.main.log.replace(/^::add-mask::.*\n/gm, ''));
process.stdout.write(run.post.log);
if (run.main.code !== 0) {
  console.error(`\nThe action failed (exit code ${run.main.code}).`);
  process.exitCode = 1;
} else {
  console.log(`\nPushed (digest ${run.outputs.digest}):`);
  for (const ref of run.outputs.tags.split('\n')) console.log(`  ${ref}@${run.outputs.digest}`);
}
