export const SLSA_PREDICATE = 'https://slsa.dev/provenance/v1';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

export interface Subject {
  name: string;
  digest: { sha256: string };
}

export interface Statement<P> {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: string;
  predicate: P;
}

/** The facts of one run that provenance records; worked out by the stage from the runner's env. */
export interface BuildFacts {
  /** GITHUB_ACTION_REPOSITORY and GITHUB_ACTION_REF: who built it. */
  actionRepository: string;
  actionRef: string;
  serverUrl: string;
  repository: string;
  sha: string;
  ref: string;
  eventName: string;
  /** GITHUB_WORKFLOW_REF: owner/repo/.github/workflows/x.yml@refs/heads/main */
  workflowRef: string;
  runId?: number;
  runAttempt?: string;
  /** The inputs as resolved, without any secret. */
  inputs: Record<string, unknown>;
  base?: { ref: string; digest: string };
  jar?: { path: string; sha256: string };
  startedOn: Date;
  finishedOn: Date;
}

/** An in-toto Statement v1 about the given subjects. Pure. */
export function statement<P>(subject: Subject[], predicateType: string, predicate: P): Statement<P> {
  return { _type: STATEMENT_TYPE, subject, predicateType, predicate };
}

/** `owner/repo/.github/workflows/x.yml@refs/heads/main` -> its path and ref. Pure. */
export function splitWorkflowRef(workflowRef: string, repository: string): { path: string; ref: string } {
  const at = workflowRef.indexOf('@');
  const file = at >= 0 ? workflowRef.slice(0, at) : workflowRef;
  return { path: file.startsWith(`${repository}/`) ? file.slice(repository.length + 1) : file, ref: at >= 0 ? workflowRef.slice(at + 1) : '' };
}

/** The builder id: this action at the ref the workflow named. Pure. */
export function builderId(f: Pick<BuildFacts, 'serverUrl' | 'actionRepository' | 'actionRef'>): string {
  const repo = f.actionRepository || 'image-publish';
  return `${f.serverUrl.replace(/\/$/, '')}/${repo}${f.actionRef ? `@${f.actionRef}` : ''}`;
}

/** The SLSA v1 provenance predicate of one build (https://slsa.dev/spec/v1.0/provenance). Pure. */
export function slsaPredicate(f: BuildFacts): Record<string, unknown> {
  const server = f.serverUrl.replace(/\/$/, '');
  const workflow = splitWorkflowRef(f.workflowRef, f.repository);
  const runUrl = f.runId !== undefined ? `${server}/${f.repository}/actions/runs/${f.runId}${f.runAttempt ? `/attempts/${f.runAttempt}` : ''}` : undefined;
  const deps: Record<string, unknown>[] = [{ uri: `git+${server}/${f.repository}@${f.ref}`, digest: { gitCommit: f.sha } }];
  if (f.base) deps.push({ uri: `pkg:docker/${f.base.ref}`, digest: { sha256: f.base.digest.replace(/^sha256:/, '') }, annotations: { role: 'base image' } });
  return JSON.parse(
    JSON.stringify({
      buildDefinition: {
        buildType: `${builderId({ ...f, actionRef: '' })}/docker@v1`,
        externalParameters: {
          workflow: { ref: workflow.ref || f.ref, repository: `${server}/${f.repository}`, path: workflow.path },
          inputs: f.inputs,
        },
        internalParameters: { github: { event_name: f.eventName } },
        resolvedDependencies: deps,
      },
      runDetails: {
        builder: { id: builderId(f) },
        metadata: { invocationId: runUrl, startedOn: f.startedOn.toISOString(), finishedOn: f.finishedOn.toISOString() },
        byproducts: f.jar ? [{ name: f.jar.path, digest: { sha256: f.jar.sha256 }, annotations: { role: 'the jar copied into the image' } }] : undefined,
      },
    }),
  ) as Record<string, unknown>;
}
