import path from 'node:path';
import { buildxArgs } from './image/args.js';
import type { Inputs } from './inputs.js';
import type { JavaPlan } from './java/build.js';
import { loginArgs } from './registry/login.js';
import type { Meta } from './tags/index.js';

/** What a dry run prints: every command that would run, with no secret in it. Pure. */
export function planText(inputs: Inputs, java: JavaPlan, meta: Meta, wantsJar: boolean, runnerTemp: string): string {
  const lines: string[] = [];
  const cmd = java.command;
  lines.push(cmd ? `Java build (${java.project?.tool}) in ${cmd.cwd ?? inputs.workingDirectory}:\n  ${[cmd.file, ...cmd.args].join(' ')}` : 'Java build: none');
  if (inputs.artifact || cmd) lines.push(`Expected jar: ${inputs.artifact || cmd?.jarPatterns.join(' or ')}`);
  for (const l of inputs.logins) {
    lines.push(`Login:\n  docker ${loginArgs(l.registry, l.username).join(' ')}  (password on stdin: ***)${l.ca ? `\n  trust the given CA for ${l.registry} in /etc/docker/certs.d` : ''}`);
  }
  const scratch = path.join(runnerTemp, 'image-publish-build-XXXX');
  const buildArgs: [string, string][] = wantsJar ? [...inputs.buildArgs, ['JAR_FILE', '<the jar, relative to the context>']] : inputs.buildArgs;
  const argv = buildxArgs({
    context: inputs.context,
    file: inputs.file,
    tags: meta.tags,
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
  });
  lines.push(`Build:\n  docker ${argv.join(' ')}`);
  lines.push(inputs.push ? `Push:\n${meta.tags.map((t) => `  docker push ${t}`).join('\n')}` : 'Push: none (push is false)');
  lines.push(`Tags:\n${meta.tags.map((t) => `  ${t}`).join('\n') || '  (none)'}`);
  lines.push(`Labels:\n${meta.labels.map((l) => `  ${l}`).join('\n')}`);
  return lines.join('\n');
}
