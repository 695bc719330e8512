import { InputError } from '../errors.js';

export interface PushIntent {
  /** push: true or auto, and nothing (a fork, a closed pull request) rules it out. */
  push: boolean;
  /** push: auto: no tag means build only. */
  auto: boolean;
}

/**
 * Whether to push, once the tags are known: with no tag, `push: true` is an error that names the ref and the rules
 * (as build-push-action refuses a push without tags), `push: auto` builds only and says so. Pure.
 */
export function decidePush(intent: PushIntent, tags: readonly string[], ref: string, rules: readonly string[]): { push: boolean; notice?: string } {
  if (!intent.push || tags.length > 0) return { push: intent.push };
  const ruleText = rules.length ? rules.join('; ') : '(none)';
  if (intent.auto) return { push: false, notice: `No tag results for ${ref} from the rules ${ruleText}: the image is built but not pushed (push: auto).` };
  throw new InputError(
    'tags',
    `no tag results for ${ref} from the rules ${ruleText}, so there is nothing to push. Add a rule that matches this ref (e.g. type=ref,event=branch), or set \`push: auto\` to build without pushing when no tag results, or \`push: false\`.`,
  );
}
