/**
 * Authentication of REST catalog requests: none, a static bearer token, OAuth2 client credentials
 * (`POST <oauth uri | base/v1/oauth/tokens>`, token cached until shortly before expiry), and AWS SigV4
 * (AWS Glue's Iceberg endpoint `glue`, S3 Tables `s3tables`) signed with `@smithy/signature-v4`.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { IcefloeError } from '../../errors';

export type RestAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'oauth2'; clientId: string; clientSecret: string; scope?: string; tokenUri?: string }
  | {
      type: 'sigv4';
      region: string;
      /** @default 'glue' */
      service?: string;
      credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    };

function toBytes(d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof d === 'string') return d;
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Node's crypto as the `HashConstructor` Smithy expects (HMAC when given a secret). */
class NodeSha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {}
}

export interface AuthRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Adds authentication headers to requests of one catalog client. */
export class Authenticator {
  private token?: { value: string; expiresAt: number };

  constructor(
    private readonly auth: RestAuth,
    private readonly baseUrl: string,
  ) {}

  async apply(req: AuthRequest): Promise<Record<string, string>> {
    switch (this.auth.type) {
      case 'none':
        return req.headers;
      case 'bearer':
        return { ...req.headers, authorization: `Bearer ${this.auth.token}` };
      case 'oauth2':
        return { ...req.headers, authorization: `Bearer ${await this.oauthToken(this.auth)}` };
      case 'sigv4':
        return this.sign(req, this.auth);
    }
  }

  /** Forgets a cached token (after a 401). */
  reset(): void {
    this.token = undefined;
  }

  private async oauthToken(a: Extract<RestAuth, { type: 'oauth2' }>): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: a.clientId,
      client_secret: a.clientSecret,
    });
    form.set('scope', a.scope ?? 'catalog');
    const uri = a.tokenUri ?? `${this.baseUrl}/v1/oauth/tokens`;
    const res = await fetch(uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (!res.ok) throw new IcefloeError(`oauth2 token request to ${uri} failed with http ${res.status}`);
    const body = (await res.json()) as { access_token: string; expires_in?: number };
    this.token = {
      value: body.access_token,
      expiresAt: Date.now() + Math.max(0, (body.expires_in ?? 3600) - 60) * 1000,
    };
    return body.access_token;
  }

  private async sign(req: AuthRequest, a: Extract<RestAuth, { type: 'sigv4' }>): Promise<Record<string, string>> {
    const credentials = a.credentials ?? {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
      ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
    };
    const signer = new SignatureV4({ service: a.service ?? 'glue', region: a.region, credentials, sha256: NodeSha256 });
    const query: Record<string, string> = {};
    req.url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const signed = await signer.sign({
      method: req.method,
      protocol: req.url.protocol,
      hostname: req.url.hostname,
      ...(req.url.port ? { port: Number(req.url.port) } : {}),
      path: req.url.pathname,
      query,
      headers: { ...req.headers, host: req.url.host },
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    return signed.headers as Record<string, string>;
  }
}
