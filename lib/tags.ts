import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ResourceMeta } from '../core/manifest/types';

/** AWS tag values allow letters, digits, spaces and `_ . : / = + - @` only, up to 256 characters. */
export function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{N} _.:/=+\-@]/gu, '_').slice(0, 256);
}

/**
 * Tags every resource under `scope` with the manifest's resource-meta: `icefloe:name`, `icefloe:tags`
 * (the manifest's tags, space separated: commas are not allowed in tag values), `icefloe:owner`, `icefloe:layer`,
 * `icefloe:workspace`. `icefloe start` finds state machines by these tags.
 */
export function tagWithManifest(scope: IConstruct, meta: ResourceMeta, kind: string): void {
  const tags = Tags.of(scope);
  tags.add('icefloe:kind', kind);
  tags.add('icefloe:name', tagValue(meta.name));
  if (meta.tags && meta.tags.length > 0) tags.add('icefloe:tags', tagValue(meta.tags.join(' ')));
  if (meta.owner) tags.add('icefloe:owner', tagValue(meta.owner));
  if (meta.layer) tags.add('icefloe:layer', tagValue(meta.layer));
  if (meta.workspace) tags.add('icefloe:workspace', tagValue(meta.workspace));
}

export { stackName } from '../core/aws/names';
