/**
 * `SourcePlan.schemaJson` codec. A source may return an Arrow `Schema` (in-process) or its JSON form here:
 * `{ arrowIpcBase64 }`, the schema as an Arrow IPC stream of zero rows: lossless (types, nullability,
 * `PARQUET:field_id` metadata) and JSON-safe.
 */
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../errors';

/** The JSON form of an Arrow schema. */
export interface SchemaJson {
  arrowIpcBase64: string;
}

/** Arrow schema → JSON. */
export function schemaToJson(schema: arrow.Schema): SchemaJson {
  const ipc = arrow.tableToIPC(new arrow.Table(schema), 'stream');
  return { arrowIpcBase64: Buffer.from(ipc).toString('base64') };
}

/** JSON (or an Arrow schema) → Arrow schema. */
export function schemaFromJson(json: unknown): arrow.Schema {
  if (json instanceof arrow.Schema) return json;
  const b64 = (json as Partial<SchemaJson> | null)?.arrowIpcBase64;
  if (typeof b64 !== 'string')
    throw new InvalidInputError('source plan: schemaJson is neither an arrow schema nor { arrowIpcBase64 }');
  return arrow.tableFromIPC(Buffer.from(b64, 'base64')).schema;
}
