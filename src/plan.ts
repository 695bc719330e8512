import path from 'node:path';
import { buildxArgs } from './builders/buildkit/args.js';
import type { Inputs } from './inputs/inputs.js';
import type { JavaPlan } from './java/build.js';
import { loginArgs } from './engine/login.js';
import type { Meta } from './tags/index.js';
import { targetRefs, type Target } from './targets.js';

/** What a dry run prints: every command that would run, with no secret in it. Pure. */
export function planText(inputs: Inputs, java: JavaPlan, meta: Meta, targets: readonly Target[], wantsJar: boolean, runnerTemp: string): string {
  const lines: string[] = [];
  const cmd = java.command;
  lines.push(cmd ? `Java build (${java.project?.tool}) in ${cmd.cwd ?? inputs.workingDirectory}:\n  ${[cmd.file, ...cmd.args].join(' ')}` : 'Java build: none');
  if (inputs.artifact || cmd) lines.push(`Expected jar: ${inputs.artifact || cmd?.jarPatterns.join(' or ')}`);
  const scratch = path.join(runnerTemp, 'image-publish-build-XXXX');
  const buildArgs: [string, string][] = wantsJar ? [...inputs.buildArgs, ['JAR_FILE', '<the jar, relative to the context>']] : inputs.buildArgs;
  const argv = buildxArgs({
    context: inputs.context,
    file: inputs.file,
    tags: ['image-publish-local/run-XXXX:build'],
    labels: meta.labels,
    buildArgs,
    target: inputs.target,
    platforms: inputs.platforms,
    secrets: inputs.secrets,
    metadataFile: path.join(scratch, 'metadata.json'),
    iidFile: path.join(scratch, 'iid'),
    cacheArgs: [],
    provenance: inputs.provenance,
    network: inputs.network,
    builder: inputs.buildxBuilder,
  });
  // the build tool has run before any login: no credential is on disk while it runs
  for (const l of inputs.logins) {
    lines.push(`Login:\n  docker ${loginArgs(l.registry, l.username).join(' ')}  (password on stdin: ***)${l.ca ? `\n  trust the given CA for ${l.registry} in /etc/docker/certs.d` : ''}`);
  }
  lines.push(`Build (under the run's own name; tags come last):\n  docker ${argv.join(' ')}`);
  const push = (t: string): string => `  docker tag <image id> ${t} && docker push ${t}  (then checked to be this run's image)`;
  lines.push(inputs.push ? `Push:\n${targetRefs(targets).map(push).join('\n')}` : 'Push: none (push is false)');
  lines.push(`Tags:\n${meta.tags.map((t) => `  ${t}`).join('\n') || '  (none)'}`);
  lines.push(`Labels:\n${meta.labels.map((l) => `  ${l}`).join('\n')}`);
  return lines.join('\n');
}
