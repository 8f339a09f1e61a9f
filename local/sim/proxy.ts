import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

// Hop-by-hop headers describe one connection, not the message; Node sets its own.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
  return out;
}

/**
 * Recent SDKs gzip large request bodies (CloudWatch PutMetricData over 10 KB is
 * sent with `Content-Encoding: gzip`); moto 5.2.1 fails on those with a 500
 * (BadGzipFile). Such bodies are inflated here so handlers' calls go through.
 */
export function needsInflate(req: IncomingMessage): boolean {
  return /\bgzip\b/i.test(String(req.headers['content-encoding'] ?? '')) && !isS3(req);
}

function isS3(req: IncomingMessage): boolean {
  return /\/s3\/aws4_request/.test(req.headers.authorization ?? '');
}

export function inflate(req: IncomingMessage, body: Buffer): { headers: IncomingHttpHeaders; body: Buffer } {
  const headers = endToEnd(req.headers);
  const inflated = gunzipSync(body);
  const rest = String(headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && e.toLowerCase() !== 'gzip');
  if (rest.length) headers['content-encoding'] = rest.join(', ');
  else delete headers['content-encoding'];
  headers['content-length'] = String(inflated.length);
  return { headers, body: inflated };
}

export interface ProxyResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Forwards method, path, headers (Authorization included: moto routes on its
 * credential scope) and body to moto. Streams when `body` is not given, so large
 * S3 objects never sit in memory.
 */
export function forward(motoEndpoint: string, req: IncomingMessage, res: ServerResponse, body?: Buffer, headerOverride?: IncomingHttpHeaders): Promise<void> {
  const target = new URL(motoEndpoint);
  return new Promise((resolve) => {
    const headers = headerOverride ?? endToEnd(req.headers);
    if (body) headers['content-length'] = String(body.length);
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, endToEnd(up.headers));
        up.pipe(res);
        up.on('end', resolve);
        up.on('error', () => resolve());
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        const text = JSON.stringify({ __type: 'ServiceUnavailable', message: `moto unreachable: ${err.message}` });
        res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailable' });
        res.end(text);
      } else res.destroy();
      resolve();
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  });
}

/** Same as `forward` but buffers moto's answer so the caller can act on it before replying. */
export function forwardBuffered(motoEndpoint: string, req: IncomingMessage, body: Buffer): Promise<ProxyResult> {
  const target = new URL(motoEndpoint);
  return new Promise((resolve, reject) => {
    const headers = endToEnd(req.headers);
    headers['content-length'] = String(body.length);
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => resolve({ status: up.statusCode ?? 502, headers: endToEnd(up.headers), body: Buffer.concat(chunks) }));
        up.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

export function replay(res: ServerResponse, result: ProxyResult): void {
  res.writeHead(result.status, { ...result.headers, 'content-length': String(result.body.length) });
  res.end(result.body);
}
