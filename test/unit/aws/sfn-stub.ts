import { Readable } from 'node:stream';
import { SFNClient } from '@aws-sdk/client-sfn';

/** One request as the SFN client sent it. */
export interface SentRequest {
  method: string;
  hostname: string;
  path: string;
  headers: Record<string, string>;
  target: string;
  body: unknown;
}

/** Canned reply per `x-amz-target` operation (e.g. `StartExecution`): status and JSON body. */
export type Replies = Record<string, Array<{ status?: number; body: unknown }>>;

/**
 * A real SFNClient whose transport is a stub: requests are recorded and answered from `replies` in order,
 * no socket is opened. Exercises the SDK's real serializers, signing and deserializers.
 */
export function stubbedSfn(replies: Replies): { client: SFNClient; sent: SentRequest[] } {
  const { requestHandler, sent } = stubTransport(replies, 'application/x-amz-json-1.0');
  const client = new SFNClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler,
    maxAttempts: 1,
  });
  return { client, sent };
}

/** A recording, canned-reply HTTP handler for any AWS JSON-protocol client (`requestHandler` option). */
export function stubTransport(replies: Replies, contentType: string) {
  const sent: SentRequest[] = [];
  const requestHandler = {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: {
      method: string;
      hostname: string;
      path: string;
      headers: Record<string, string>;
      body?: unknown;
    }) {
      const target = request.headers['x-amz-target'] ?? '';
      const op = target.split('.').pop() ?? '';
      const raw =
        request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : String(request.body ?? '');
      sent.push({
        method: request.method,
        hostname: request.hostname,
        path: request.path,
        headers: request.headers,
        target,
        body: JSON.parse(raw || '{}'),
      });
      const reply = replies[op]?.shift();
      if (!reply) throw new Error(`stub: no reply queued for ${op}`);
      const body = Buffer.from(JSON.stringify(reply.body));
      return {
        response: {
          statusCode: reply.status ?? 200,
          reason: '',
          headers: { 'content-type': contentType, 'content-length': String(body.length) },
          body: Readable.from([body]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
  return { requestHandler, sent };
}
