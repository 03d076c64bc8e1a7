/**
 * The local ItemBatcher: groups items as Step Functions does for a Distributed Map with `ItemBatcher`
 * (`MaxItemsPerBatch`, `MaxInputBytesPerBatch` measured on the batch's JSON, `BatchInput` added to each),
 * so a local Move receives exactly the payload a Lambda would.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
 */
import type { Json } from '../../statemachines/asl';

export interface BatcherConfig {
  maxItemsPerBatch?: number;
  maxInputBytesPerBatch?: number;
  /** False when the map has no ItemBatcher: each item is its own input, unwrapped. */
  batched: boolean;
}

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/** The inputs of the item processor's executions. */
export function batchItems(items: Json[], config: BatcherConfig, batchInput?: Json): Json[] {
  if (!config.batched) return items;
  const maxItems =
    config.maxItemsPerBatch && config.maxItemsPerBatch > 0 ? config.maxItemsPerBatch : Number.POSITIVE_INFINITY;
  const maxBytes = config.maxInputBytesPerBatch ?? 262_144;
  const wrap = (batch: Json[]): Json =>
    batchInput === undefined ? { Items: batch } : { Items: batch, BatchInput: batchInput };
  const overhead = bytes(wrap([]));
  const out: Json[] = [];
  let batch: Json[] = [];
  let size = overhead;
  for (const item of items) {
    const b = bytes(item) + 1;
    if (batch.length > 0 && (batch.length >= maxItems || size + b > maxBytes)) {
      out.push(wrap(batch));
      batch = [];
      size = overhead;
    }
    batch.push(item);
    size += b;
  }
  if (batch.length > 0) out.push(wrap(batch));
  return out;
}
