/**
 * Middy middleware: a response larger than `maxInlineBytes` is written to the staging area and replaced by
 * `{ $ref: key }` (Step Functions caps a state's payload at 256 KiB); an event that is such a reference is
 * read back before the handler runs. STYLE.md §8.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Staging } from '../../core/movement/staging';
import { toJson } from '../../core/movement/staging';
import type { OffloadedRef } from '../../core/movement/types';

export interface OffloadOptions {
  /** The staging area (resolved lazily: it is built at the first invocation). */
  staging: () => Promise<Staging>;
  /** @default 200_000 bytes */
  maxInlineBytes?: number;
  /** @default `staging/offload/` */
  prefix?: string;
}

const defaults = { maxInlineBytes: 200_000, prefix: 'staging/offload/' };

/** True for `{ $ref: string }`. */
export function isOffloadedRef(v: unknown): v is OffloadedRef {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as OffloadedRef).$ref === 'string' &&
    Object.keys(v).length === 1
  );
}

/** Checks the options (middy convention: report misuse at construction). */
export function offloadOutputValidateOptions(opts: OffloadOptions): void {
  if (typeof opts.staging !== 'function')
    throw new TypeError('offloadOutput: staging must be a function returning a Staging');
  if (opts.maxInlineBytes !== undefined && !(opts.maxInlineBytes > 0))
    throw new TypeError('offloadOutput: maxInlineBytes must be > 0');
}

export const offloadOutput = (opts: OffloadOptions): middy.MiddlewareObj<unknown, unknown, Error, Context> => {
  offloadOutputValidateOptions(opts);
  const options = { ...defaults, ...opts };
  const offloadOutputBefore = async (request: middy.Request<unknown, unknown, Error, Context>) => {
    if (isOffloadedRef(request.event)) request.event = await (await options.staging()).getJson(request.event.$ref);
  };
  const offloadOutputAfter = async (request: middy.Request<unknown, unknown, Error, Context>) => {
    const body = toJson(request.response);
    if (Buffer.byteLength(body) <= options.maxInlineBytes) return;
    const key = `${options.prefix}${request.context.awsRequestId ?? Date.now()}.json`;
    await (await options.staging()).putJson(key, request.response);
    request.response = { $ref: key } satisfies OffloadedRef;
  };
  return { before: offloadOutputBefore, after: offloadOutputAfter };
};
