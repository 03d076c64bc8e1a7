/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of an S3-compatible server. Each request draws from a
 * seeded generator: with probability `rate` it gets one of the enabled faults instead of (or on top of) the
 * real answer. Faults:
 *
 * - `slowdown`  503 with the S3 error `SlowDown` (what S3 answers when throttling a prefix)
 * - `internal`  500 `InternalError`
 * - `reset`     the connection is destroyed before any answer (ECONNRESET / socket hang up at the client)
 * - `slow`      forwarded after `slowMs` (latency, no failure)
 * - `lost`      forwarded and applied upstream, then the connection is destroyed: the client cannot tell
 *               whether the request took effect (the nastiest case for conditional metadata writes)
 *
 * `lost` is off by default: it is the one fault a retrying client must resolve by reading back.
 *
 * @example
 * const proxy = await startFaultProxy({ target: s3.endpoint, rate: 0.2, seed: 7 });
 * const io = new S3FileIO(s3ConfigFor(proxy.endpoint));
 * proxy.setRate(1); // every request fails from now on
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind = 'slowdown' | 'internal' | 'reset' | 'slow' | 'lost';

export interface FaultProxyOptions {
  /** `http://127.0.0.1:<port>` of the real server. */
  target: string;
  /** Probability in [0, 1] that a request gets a fault. */
  rate: number;
  /** Seed of the fault draws (same seed, same request order → same faults). @default 1 */
  seed?: number;
  /** Faults to draw from, uniformly. @default slowdown, internal, reset, slow */
  faults?: FaultKind[];
  /** Delay of a `slow` fault. @default 150 */
  slowMs?: number;
  /** Only requests for which this returns true may get a fault (e.g. only PUTs). */
  filter?: (method: string, path: string) => boolean;
}

export interface FaultProxy {
  endpoint: string;
  /** Requests seen and faults injected, by kind. */
  stats: { requests: number; faults: Record<FaultKind, number> };
  /** The last 200 faults: kind, method and path. */
  log: string[];
  setRate(rate: number): void;
  setFaults(faults: FaultKind[]): void;
  /** Replaces the request filter (undefined: every request is eligible). */
  setFilter(filter: FaultProxyOptions['filter']): void;
  stop(): Promise<void>;
}

/** mulberry32: small, seeded, good enough to spread faults. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const s3Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault</RequestId></Error>`;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Forwards a request; `onDone` gets the upstream answer (status, headers, body). */
function forward(
  target: URL,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const up = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      async (r) => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: await readBody(r) }),
    );
    up.on('error', reject);
    up.end(body);
  });
}

function answerError(res: http.ServerResponse, method: string, status: number, code: string, message: string): void {
  const text = s3Error(code, message);
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': method === 'HEAD' ? '0' : String(text.length),
  });
  res.end(method === 'HEAD' ? undefined : text);
}

/** Starts the proxy on a free loopback port. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const next = seeded(options.seed ?? 1);
  let rate = options.rate;
  let faults = options.faults ?? ['slowdown', 'internal', 'reset', 'slow'];
  let filter = options.filter;
  const log: string[] = [];
  const stats = { requests: 0, faults: { slowdown: 0, internal: 0, reset: 0, slow: 0, lost: 0 } };
  const server = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const method = req.method ?? 'GET';
      stats.requests++;
      const eligible = filter?.(method, req.url ?? '/') ?? true;
      const fault = eligible && next() < rate ? faults[Math.floor(next() * faults.length)] : undefined;
      if (fault) {
        stats.faults[fault]++;
        log.push(`${fault} ${method} ${req.url}`);
        if (log.length > 200) log.shift();
      }
      if (fault === 'slowdown') return answerError(res, method, 503, 'SlowDown', 'Please reduce your request rate.');
      if (fault === 'internal')
        return answerError(res, method, 500, 'InternalError', 'We encountered an internal error.');
      if (fault === 'reset') return void req.socket.destroy();
      if (fault === 'slow') await new Promise((r) => setTimeout(r, options.slowMs ?? 150));
      const up = await forward(target, req, body);
      if (fault === 'lost') return void req.socket.destroy();
      res.writeHead(up.status, up.headers);
      res.end(up.body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    }
  });
  // Keep-alive sockets of the SDK would hold close() open; destroy them on stop.
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    log,
    setRate(r) {
      rate = r;
    },
    setFaults(f) {
      faults = f;
    },
    setFilter(f) {
      filter = f;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
