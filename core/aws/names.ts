/**
 * Names shared by the CDK stacks (`lib/`) and the commands that find what they deployed (`icefloe start/status`).
 */

/** CloudFormation stack names: letters, digits and hyphens, up to 128 characters. */
export function stackName(...parts: string[]): string {
  return parts
    .join('-')
    .replace(/[^A-Za-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 128);
}

/** The Step Functions state machine of a workflow: `icefloe-<workspace>-<name>` (at most 80 characters). */
export function stateMachineNameOf(workflow: string, workspace = 'public'): string {
  return stackName('icefloe', workspace, workflow).slice(0, 80);
}

/**
 * A readable, unique execution name: `<workflow>-<yyyymmddThhmmss>-<rand>` in UTC, within the 80 characters and
 * the character set Step Functions allows (letters, digits, `-`, `_`).
 * @example executionName('nb-lh-aws-test-01', new Date('2026-11-22T05:01:02Z'), 'k3x9') // 'nb-lh-aws-test-01-20261122T050102-k3x9'
 */
export function executionName(workflow: string, now: Date = new Date(), rand: string = randomSuffix()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '');
  const tail = `-${stamp}-${rand}`;
  const head = workflow.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80 - tail.length);
  return `${head}${tail}`;
}

function randomSuffix(): string {
  return Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
}

/** The task functions' variable listing the deployed depot secrets: JSON `{ "<instance-secret name>": "<ARN>" }`. */
export const SECRET_ARNS_ENV = 'ICEFLOE_SECRET_ARNS';
