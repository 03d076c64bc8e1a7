/**
 * The key/values of the instance secret a depot names for an access level: the `-rw` (acl rw) secret for a
 * sink, the `-r` one (else rw) for a source. No secret named: empty (embedded databases, IAM roles).
 */
import { InvalidInputError } from '../../errors';
import { resolveSecret } from '../../manifest';
import type { DepotManifest, ManifestSet } from '../../manifest/types';

export function depotSecret(set: ManifestSet, depot: DepotManifest, access: 'r' | 'rw'): Record<string, string> {
  const acl = (name: string) => set.secrets.find((s) => s.name === name)?.['instance-secret'].acl;
  const names = depot.depot.secrets.map((s) => s.name);
  const name =
    access === 'rw'
      ? (names.find((n) => acl(n) === 'rw') ?? names[0])
      : (names.find((n) => acl(n) === 'r') ?? names.find((n) => acl(n) === 'rw') ?? names[0]);
  if (!name) return {};
  const r = resolveSecret(set, name);
  if (!r.ok) throw new InvalidInputError(`depot ${depot.name}: ${r.problem.message}`);
  return r.data;
}
