import * as z from 'zod';
import { isRecord, parseMeta } from './common';
import type { DocContext } from './context';
import type { InstanceSecretManifest, ManifestSet, Problem } from './types';

const secretSchema = z.object({
  type: z.enum(['key-value', 'key-value-properties']),
  acl: z.enum(['r', 'rw']),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

/** `${NAME}` or `${NAME:-default}` (shell form); `$NAME` as the DataOS docs also write it. */
const REF_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Validates a `type: instance-secret` manifest. `data` keeps the values as written (with their
 * `${ENV_VAR}` references); `resolveSecret` interpolates them when a run needs them.
 */
export function parseInstanceSecret(ctx: DocContext, raw: Record<string, unknown>): InstanceSecretManifest | undefined {
  const meta = parseMeta(ctx, raw);
  const body = raw['instance-secret'];
  if (!isRecord(body)) {
    ctx.at(
      body === undefined ? [] : ['instance-secret'],
      "instance-secret: missing required section 'instance-secret'",
    );
    return undefined;
  }
  const s = ctx.parse(secretSchema, body, ['instance-secret']);
  if (!meta || !s) return undefined;
  const data = Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, String(v)]));
  return { ...meta, type: 'instance-secret', 'instance-secret': { type: s.type, acl: s.acl, data } };
}

/** Result of `resolveSecret`: the interpolated key/values, or a problem naming what is missing. */
export type ResolvedSecret =
  | { ok: true; secret: InstanceSecretManifest; data: Record<string, string> }
  | { ok: false; problem: Problem };

/**
 * The key/values of instance secret `name` with `${ENV_VAR}` (and `${ENV_VAR:-default}`) replaced from `env`.
 * A missing secret or environment variable is a problem that names it; values never appear in messages.
 * @example const r = resolveSecret(set, 'postgres_depot-rw'); if (r.ok) connect(r.data.username, r.data.password);
 */
export function resolveSecret(set: ManifestSet, name: string, env: NodeJS.ProcessEnv = process.env): ResolvedSecret {
  const secret = set.secrets.find((s) => s.name === name);
  if (!secret) {
    return {
      ok: false,
      problem: { file: '<manifests>', line: 1, col: 1, message: `unknown instance-secret '${name}'` },
    };
  }
  const data: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, value] of Object.entries(secret['instance-secret'].data)) {
    data[key] = value.replace(
      REF_RE,
      (_m, braced: string | undefined, dflt: string | undefined, bare: string | undefined) => {
        const v = env[(braced ?? bare) as string];
        // Shell semantics: `${X:-d}` uses d when X is unset or empty; `${X}` fails only when X is unset.
        if (v !== undefined && (v !== '' || dflt === undefined)) return v;
        if (dflt !== undefined) return dflt;
        missing.push(`${key} (\${${braced ?? bare}})`);
        return '';
      },
    );
  }
  if (missing.length > 0) {
    const message = `instance-secret '${name}': environment variable not set for ${missing.join(', ')}`;
    return { ok: false, problem: { ...secret.source, message } };
  }
  return { ok: true, secret, data };
}
