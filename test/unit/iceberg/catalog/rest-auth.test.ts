import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Authenticator } from '../../../../core/iceberg/catalog/rest-auth';
import { RestCatalog } from '../../../../core/iceberg/catalog/rest-catalog';
import { MemoryFileIO } from '../../../../core/iceberg/io/memory';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('rest catalog authentication', () => {
  it('signs requests with SigV4 for the glue service (AWS Glue Iceberg REST endpoint)', async () => {
    const auth = new Authenticator(
      { type: 'sigv4', region: 'eu-west-1', credentials },
      'https://glue.eu-west-1.amazonaws.com/iceberg',
    );
    const url = new URL('https://glue.eu-west-1.amazonaws.com/iceberg/v1/config?warehouse=123456789012');
    const a = await auth.apply({ method: 'GET', url, headers: { accept: 'application/json' } });
    expect(a.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/glue\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(a['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    const post = await auth.apply({ method: 'POST', url, headers: {}, body: '{"a":1}' });
    const post2 = await auth.apply({ method: 'POST', url, headers: {}, body: '{"a":2}' });
    expect(post.authorization).not.toBe(post2.authorization);
  });

  it('sends bearer tokens and sigv4 headers through the client', async () => {
    const seen: Record<string, string | undefined>[] = [];
    const server = createServer((req, res) => {
      seen.push({ authorization: req.headers.authorization, date: req.headers['x-amz-date'] as string | undefined });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        req.url?.startsWith('/v1/config') ? '{"defaults":{},"overrides":{"prefix":"p1"}}' : '{"namespaces":[["a"]]}',
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const bearer = new RestCatalog({ uri, auth: { type: 'bearer', token: 't0k' } }, new MemoryFileIO());
      expect(await bearer.listNamespaces()).toEqual([['a']]);
      expect(seen.at(-1)?.authorization).toBe('Bearer t0k');
      const signed = new RestCatalog(
        { uri, auth: { type: 'sigv4', region: 'us-east-1', credentials } },
        new MemoryFileIO(),
      );
      await signed.listNamespaces();
      expect(seen.at(-1)?.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
      expect(seen.at(-1)?.date).toBeDefined();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
