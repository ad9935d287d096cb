/**
 * The admin HTTP API (node:http, no framework): agents and queues with their live state,
 * and agent state changes. `adminRequestHandler` is the request handler alone (tests
 * can call it on any server); `startAdminServer` listens where the `admin` section says.
 *
 * | method | path                 | body                                      | 200 reply             |
 * | ------ | -------------------- | ----------------------------------------- | --------------------- |
 * | GET    | `/agents`            |                                           | `{ "agents": [...] }` |
 * | GET    | `/agents/{id}`       |                                           | the agent             |
 * | POST   | `/agents/{id}/state` | `{ "state": "available" | "paused" |     | the agent, changed    |
 * |        |                      | "logged_out", "reason"?: "lunch" }`       |                       |
 * | GET    | `/queues`            |                                           | `{ "queues": [...] }` |
 * | GET    | `/queues/{id}`       |                                           | the queue             |
 *
 * Errors carry `{ "error": "<code>", "message": "<text>" }`:
 *
 * | status | error                | when                                                         |
 * | ------ | -------------------- | ------------------------------------------------------------ |
 * | 400    | `bad-request`        | body not JSON, not an object, unknown field, bad state/reason |
 * | 401    | `unauthorized`       | a token is configured and the request lacks `Bearer <token>`  |
 * | 404    | `not-found`          | unknown path, agent or queue                                 |
 * | 405    | `method-not-allowed` | wrong method for the path (`Allow` lists the right one)      |
 * | 409    | `illegal-transition` | the state change is not allowed now (e.g. log out on a call) |
 * | 413    | `payload-too-large`  | body over 16 KiB                                             |
 * | 500    | `internal`           | a bug; logged                                                |
 *
 * Authentication: with a token, every request needs `Authorization: Bearer <token>`; the
 * token is required when listening on a non-loopback address (the config schema refuses
 * such a file; this module refuses to start too). Tokens are compared in constant time:
 * both sides are hashed (SHA-256) and the digests compared with `timingSafeEqual`, so
 * neither the content nor the length of the token leaks through timing.
 *
 * @example
 *   const admin = await startAdminServer({ listen: config.admin.listen, token: config.admin.token, model, logger });
 *   // curl -X POST localhost:8080/agents/alice/state -d '{"state":"paused","reason":"lunch"}'
 *   await admin.close();
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentStateError, type AgentStateRequest, type RequestedAgentState } from '../acd/agent-states.js';
import { isLoopback, splitHostPort } from '../config/schema/primitives.js';
import { SwitchboardError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { AdminModel } from './admin-model.js';

export interface AdminHandlerOptions {
  readonly model: AdminModel;
  /** Bearer token; absent: no authentication (allowed on loopback only). */
  readonly token?: string | undefined;
  readonly logger?: Logger;
}

export interface AdminServerOptions extends AdminHandlerOptions {
  /** "ADDR:PORT" (`admin.listen`); port 0 picks a free port. */
  readonly listen: string;
}

export interface AdminServer {
  readonly address: { readonly host: string; readonly port: number };
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

type ErrorCode = 'bad-request' | 'unauthorized' | 'not-found' | 'method-not-allowed' | 'illegal-transition' | 'payload-too-large' | 'internal';

const STATUS: Readonly<Record<ErrorCode, number>> = {
  'bad-request': 400,
  unauthorized: 401,
  'not-found': 404,
  'method-not-allowed': 405,
  'illegal-transition': 409,
  'payload-too-large': 413,
  internal: 500,
};

const MAX_BODY_BYTES = 16 * 1024;
const MAX_REASON_LENGTH = 100;
const REQUESTABLE: readonly RequestedAgentState[] = ['available', 'paused', 'logged_out'];

/** A refusal to send as a JSON error body. */
class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function adminRequestHandler(options: AdminHandlerOptions): RequestListener {
  const model = options.model;
  const logger = options.logger ?? silentLogger;
  const tokenDigest = options.token === undefined ? undefined : sha256(options.token);

  const route = async (req: IncomingMessage): Promise<unknown> => {
    if (tokenDigest !== undefined && !authorized(req.headers.authorization, tokenDigest)) {
      throw new HttpError('unauthorized', 'a valid "Authorization: Bearer <token>" header is required', { 'WWW-Authenticate': 'Bearer realm="switchboard-admin"' });
    }
    const path = pathSegments(req.url ?? '/');
    const [collection, id, sub] = path;
    if (collection === 'agents' && path.length === 1) {
      allow(req, 'GET');
      return { agents: model.agents() };
    }
    if (collection === 'agents' && path.length === 2) {
      allow(req, 'GET');
      return model.agent(id as string) ?? notFound('agent', id as string);
    }
    if (collection === 'agents' && path.length === 3 && sub === 'state') {
      allow(req, 'POST');
      const request = parseStateRequest(await readBody(req));
      const view = model.setAgentState(id as string, request);
      logger.info({ agentId: id, state: request.state, reason: request.reason, now: view.state }, 'agent state set through the admin API');
      return view;
    }
    if (collection === 'queues' && path.length === 1) {
      allow(req, 'GET');
      return { queues: model.queues() };
    }
    if (collection === 'queues' && path.length === 2) {
      allow(req, 'GET');
      return model.queue(id as string) ?? notFound('queue', id as string);
    }
    throw new HttpError('not-found', `no such resource: ${req.url ?? '/'}`);
  };

  return (req, res) => {
    route(req).then(
      (body) => send(res, 200, body),
      (err: unknown) => {
        const failure = toHttpError(err);
        if (failure.code === 'internal') logger.error({ err, method: req.method, url: req.url }, 'admin API request failed');
        send(res, STATUS[failure.code], { error: failure.code, message: failure.message }, failure.headers);
        // A body we refused to read: do not keep a connection with unread bytes.
        if (failure.code === 'payload-too-large') res.on('finish', () => req.destroy());
      },
    );
  };
}

/** Listens on `options.listen`; refuses a non-loopback address without a token. */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const where = parseListen(options.listen);
  if (where === undefined) throw new SwitchboardError('SB_CONFIG_INVALID', `admin.listen: ${JSON.stringify(options.listen)} is not ADDR:PORT`);
  if (!isLoopback(where.host) && options.token === undefined) {
    throw new SwitchboardError('SB_CONFIG_INVALID', `admin.token is required because the admin API listens on ${options.listen}, which is not loopback`);
  }
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, adminRequestHandler(options));
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException): void =>
      reject(new SwitchboardError('SB_CONFIG_INVALID', `admin API cannot listen on ${options.listen}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}; change admin.listen`));
    server.once('error', failed);
    server.listen(where.port, where.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  (options.logger ?? silentLogger).info({ host: bound.address, port: bound.port, auth: options.token !== undefined }, 'admin API listening');
  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** "ADDR:PORT" as in the config, plus port 0 (any free port, for tests), which the config does not accept. */
function parseListen(text: string): { host: string; port: number } | undefined {
  const anyPort = text.endsWith(':0');
  const hp = splitHostPort(anyPort ? `${text.slice(0, -2)}:1` : text);
  return hp && { host: hp.host, port: anyPort ? 0 : hp.port };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function authorized(header: string | undefined, tokenDigest: Buffer): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? '');
  // Hash even a missing token so a refusal takes as long as a comparison.
  return timingSafeEqual(sha256(m?.[1] ?? ''), tokenDigest) && m !== null;
}

function pathSegments(url: string): string[] {
  const pathname = url.split('?', 1)[0] as string;
  const parts = pathname.split('/').slice(1);
  if (parts.at(-1) === '') parts.pop(); // "/agents/" is "/agents"
  try {
    return parts.map((p) => decodeURIComponent(p));
  } catch {
    throw new HttpError('bad-request', `the path ${JSON.stringify(pathname)} is not validly percent-encoded`);
  }
}

function allow(req: IncomingMessage, method: 'GET' | 'POST'): void {
  if (req.method !== method) throw new HttpError('method-not-allowed', `${req.method ?? '?'} is not allowed here; use ${method}`, { Allow: method });
}

function notFound(entity: 'agent' | 'queue', id: string): never {
  throw new HttpError('not-found', `${entity} "${id}" does not exist`);
}

function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = () => new HttpError('payload-too-large', `the body is limited to ${MAX_BODY_BYTES} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      // Stop reading but keep the socket: the 413 must still go out.
      req.off('data', onData);
      req.pause();
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
    // Settled already when the body ended; otherwise the client went away mid-body.
    req.once('close', () => reject(new HttpError('bad-request', 'the request was aborted')));
  });
}

function parseStateRequest(text: string): AgentStateRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError('bad-request', 'the body is not valid JSON; send {"state": "available" | "paused" | "logged_out", "reason"?: "..."}');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError('bad-request', 'the body must be a JSON object');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => k !== 'state' && k !== 'reason');
  if (unknown.length > 0) throw new HttpError('bad-request', `unknown field(s): ${unknown.join(', ')}; allowed: state, reason`);
  const state = fields.state;
  if (typeof state !== 'string' || !(REQUESTABLE as readonly string[]).includes(state)) {
    throw new HttpError('bad-request', `"state" must be one of ${REQUESTABLE.join(', ')}; got ${JSON.stringify(state) ?? 'nothing'}`);
  }
  const reason = fields.reason;
  if (reason === undefined) return { state: state as RequestedAgentState };
  if (state !== 'paused') throw new HttpError('bad-request', '"reason" goes with "state": "paused" only');
  if (typeof reason !== 'string' || reason.length === 0 || reason.length > MAX_REASON_LENGTH || /[\u0000-\u001f\u007f]/.test(reason)) {
    throw new HttpError('bad-request', `"reason" must be a string of 1 to ${MAX_REASON_LENGTH} characters without control characters`);
  }
  return { state: 'paused', reason };
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof AgentStateError) return new HttpError(err.code === 'SB_AGENT_UNKNOWN' ? 'not-found' : 'illegal-transition', err.message);
  return new HttpError('internal', 'internal error');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}
