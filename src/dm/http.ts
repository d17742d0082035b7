/**
 * The HTTP(S) binding of OMA DM (OMA-TS-DM_Protocol 11 / SyncML HTTP binding): each message is
 * the body of a POST whose Content-Type names its encoding; the answer comes in the response.
 * The HMAC credential, when used, travels in the x-syncml-hmac header (DM_Security 5.5.3).
 */
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { DmError } from '../secure/dm/errors.js';
import { DM_MAX_MESSAGE } from './message.js';

export interface DmHttpAnswer {
  status: number;
  contentType: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export interface DmHttpOptions {
  /** CA (PEM) for an https:// server */
  ca?: string | Buffer;
  timeoutMs?: number;
  /**
   * Connect elsewhere than the URL's host and port (like curl --connect-to): "host:port" ->
   * "addr:port". The TLS server name and the Host header stay the URL's (tests, staging).
   */
  connectTo?: Record<string, string>;
}

function target(url: URL, map: Record<string, string> | undefined): { host: string; port: number } | undefined {
  const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  const to = map?.[`${url.hostname}:${port}`];
  if (!to) return undefined;
  const i = to.lastIndexOf(':');
  return { host: to.slice(0, i), port: Number(to.slice(i + 1)) };
}

/** Parses curl-style HOST:PORT:ADDR:PORT into a connectTo entry. */
export function parseConnectTo(spec: string): [string, string] {
  const m = /^([^:]+):(\d{1,5}):([^:]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(spec.trim());
  if (!m) throw new DmError('dm.param', `--connect-to takes HOST:PORT:ADDR:PORT (got ${spec.slice(0, 60)})`);
  return [`${m[1]}:${m[2]}`, `${m[3]}:${m[4]}`];
}

/** POSTs one DM message; rejects with DmError('dm.transport') when the server cannot be reached. */
export function postDm(url: URL, body: Uint8Array, headers: Record<string, string>, opts: DmHttpOptions = {}): Promise<DmHttpAnswer> {
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const to = target(url, opts.connectTo);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ...(to ? { hostname: to.host, host: to.host, port: to.port, servername: url.hostname } : {}),
        method: 'POST',
        headers: { 'content-length': String(body.length), accept: headers['content-type'] ?? '*/*', ...(to ? { host: url.host } : {}), ...headers },
        ...(opts.ca && url.protocol === 'https:' ? { ca: opts.ca } : {}),
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > DM_MAX_MESSAGE) req.destroy(new Error(`answer longer than ${DM_MAX_MESSAGE} bytes`));
          else chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], headers: res.headers, body: new Uint8Array(Buffer.concat(chunks)) }),
        );
        res.on('error', (e) => reject(new DmError('dm.transport', `DM server ${url.host}: ${e.message}`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => reject(new DmError('dm.transport', `DM server ${url.host} unreachable: ${e.message}`)));
    req.end(body);
  });
}
