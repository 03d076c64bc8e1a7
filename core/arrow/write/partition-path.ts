/**
 * The human-readable partition folder of a data file, `name=value/…`, as Iceberg Java's
 * `PartitionSpec.partitionToPath` writes it (dates as `yyyy-MM-dd`, months `yyyy-MM`, hours
 * `yyyy-MM-dd-HH`, nulls as `null`, values URL-encoded).
 */
import type { PartitionValues } from '../../iceberg/spec/manifest';
import type { PartitionSpec } from '../../iceberg/spec/partition-spec';
import type { Schema } from '../../iceberg/spec/schema';
import { findFieldById } from '../../iceberg/spec/schema';
import { formatDate, formatTimestamp } from '../../iceberg/spec/temporal';
import type { PrimitiveValue } from '../../iceberg/spec/types';
import { primitiveKind } from '../../iceberg/spec/types';

/** `a=1/b_day=2024-01-02` for a tuple of `spec`; '' when unpartitioned. */
export function partitionPath(spec: PartitionSpec, schema: Schema, values: PartitionValues): string {
  return spec.fields
    .map((f, i) => {
      const src = findFieldById(schema, f['source-id'])?.type;
      const text = humanValue(f.transform, typeof src === 'string' ? src : 'string', values[i] ?? null);
      return `${encodeURIComponent(f.name)}=${encodeURIComponent(text)}`;
    })
    .join('/');
}

function humanValue(transform: string, source: string, v: PrimitiveValue | null): string {
  if (v === null) return 'null';
  const t = transform.toLowerCase();
  if (t === 'year') return String(1970 + Number(v));
  if (t === 'month') {
    const m = Number(v);
    const y = 1970 + Math.floor(m / 12);
    return `${y}-${String((((m % 12) + 12) % 12) + 1).padStart(2, '0')}`;
  }
  if (t === 'day') return formatDate(Number(v));
  if (t === 'hour') {
    const h = Number(v);
    return `${formatDate(Math.floor(h / 24))}-${String(((h % 24) + 24) % 24).padStart(2, '0')}`;
  }
  if (t.startsWith('bucket')) return String(v);
  const k = primitiveKind(source)?.kind;
  if (k === 'date') return formatDate(Number(v));
  if (k === 'timestamp' || k === 'timestamptz') return formatTimestamp(BigInt(v as bigint), 'us', k === 'timestamptz');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return String(v);
}
