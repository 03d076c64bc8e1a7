import { Aspects, type IAspect, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on one construct (and its children) with the reason it is accepted.
 * cdk-nag 3 matches ids exactly (`AwsSolutions-IAM5[Resource::…]` per finding, no prefix matching).
 * @example acknowledge(bucket, 'AwsSolutions-S1', 'this is the access-log bucket itself');
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`acknowledgement of ${id} needs a specific reason`);
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * How cdk-nag flattens a bucket ARN in a grant: `<Logical.Arn>` for a bucket of the same stack, or the literal
 * ARN of a named bucket (`LakehouseStorage.bucketArnForGrants`; cross-stack exports are avoided on purpose, their
 * names are only known after the aspects ran).
 */
export const ARN_REF = String.raw`(<[A-Za-z0-9]+\.Arn>|arn:<AWS::Partition>:s3:::[a-z0-9.-]+)`;

/** `arn:<AWS::Partition>:<service>:<region>:<account>:` as cdk-nag flattens a formatted ARN. */
export function arnHead(service: string): string {
  return String.raw`arn:<AWS::Partition>:${service}:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\d+):`;
}

/** A wildcard that is intended, and why. `finding` is matched against cdk-nag's `Action::…`/`Resource::…` text. */
export interface WildcardJustification {
  readonly finding: RegExp;
  readonly reason: string;
}

/**
 * Acknowledges the AwsSolutions-IAM5 findings of the policies under `scope` that match one of `justifications`,
 * each finding by its exact id with the reason of the pattern it matched. Findings matching no pattern stay
 * unacknowledged and fail the nag check: a new wildcard needs a new, deliberate justification.
 *
 * The findings are computed as cdk-nag computes them (resolved policy, `flattenCfnReference`), once the construct
 * tree is complete (an aspect), because logical ids inside the findings are only known then.
 */
export function justifyWildcards(scope: IConstruct, justifications: WildcardJustification[]): void {
  Aspects.of(scope).add(new WildcardAcknowledger(justifications));
}

class WildcardAcknowledger implements IAspect {
  constructor(private readonly justifications: WildcardJustification[]) {}

  visit(node: IConstruct): void {
    for (const finding of wildcardFindings(node)) {
      const match = this.justifications.find((j) => j.finding.test(finding));
      if (match) acknowledge(node, `AwsSolutions-IAM5[${finding}]`, match.reason);
    }
  }
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** The IAM5 findings of one CfnPolicy or CfnRole (same algorithm as cdk-nag's IAMNoWildcardPermissions). @internal */
export function wildcardFindings(node: IConstruct): string[] {
  const stack = Stack.of(node);
  let documents: Array<{ Statement?: Statement[] }> = [];
  if (node instanceof iam.CfnPolicy) documents = [stack.resolve(node.policyDocument)];
  else if (node instanceof iam.CfnRole) {
    const policies = (stack.resolve(node.policies) ?? []) as Array<{ policyDocument: unknown }>;
    documents = policies.map((p) => stack.resolve(stack.resolve(p).policyDocument));
  }
  const found = new Set<string>();
  for (const doc of documents) {
    for (const st of doc.Statement ?? []) {
      if (st.Effect !== 'Allow') continue;
      for (const a of toArray(st.Action)) if (a.includes('*')) found.add(`Action::${a}`);
      for (const r of toArray(st.Resource).map(flattenCfnReference)) if (r.includes('*')) found.add(`Resource::${r}`);
    }
  }
  return [...found];
}

function toArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
