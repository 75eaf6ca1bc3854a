import {
  type ClientRequest,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { responseRawHeaders, upstreamRawHeaders } from './forwarded-headers';
import { errorText, isConnectError, type ProxyContext } from './proxy-context';
import type { Route } from './route';
import { pickRoute } from './route-picker';
import { UpstreamAgent } from './upstream-agent';

/** Stale keep-alive sockets a request may run into before the router gives up on that instance. */
const MAX_STALE_RETRIES = 2;

/**
 * Answers one HTTP request: 400 without `Host`, 404 for an unknown hostname, 503 for a hostname
 * with no instances, else proxies to a random instance, trying another one when a connection is
 * refused (502 when none accepts). Bodies stream both ways; nothing is buffered.
 */
export function proxyHttp(context: ProxyContext, request: IncomingMessage, response: ServerResponse): void {
  const started = performance.now();
  request.on('error', context.onClientRequestError);
  response.on('error', context.onClientResponseError);

  const host = request.headers.host;
  if (!host) {
    answerUncaught(context, response, 400, 'Bad Request: no Host header.');
    return;
  }
  const found = context.table.lookup(host);
  if (!found.known) {
    answerUncaught(context, response, 404, `Not Found: no route for ${found.hostname}.`);
    return;
  }
  if (found.routes.length === 0) {
    answerUncaught(context, response, 503, `Service Unavailable: no instances for ${found.hostname}.`);
    return;
  }
  new HttpForward(context, request, response, found.routes, started).attempt(null);
}

function answerUncaught(
  context: ProxyContext,
  response: ServerResponse,
  status: number,
  detail: string,
): void {
  const body = errorText(status, detail);
  response.on('close', () => context.stats.record(null, status, Buffer.byteLength(body), null));
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Whether `request` has no body to forward (the parser has seen a complete message with none). */
function isBodiless(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (length === undefined || length === '0') && request.headers['transfer-encoding'] === undefined;
}

/**
 * One client request on its way to a backend, across retries. The hot path (a bodiless request
 * on a pooled connection) adds no per-attempt listener beyond `error` and `response`: a request
 * without a body is ended at once (the agent sends it when a connection is free), the connect
 * timeout lives in {@link UpstreamAgent}, and the response is relayed chunk by chunk rather than
 * with `pipe()` (whose listeners and cleanup cost more than the write itself for small bodies).
 */
class HttpForward {
  readonly #tried = new Set<string>();
  readonly #headers: string[];
  readonly #bodiless: boolean;
  #route: Route | null = null;
  #bodyBytes = 0;
  #responseBytes = 0;
  #responded = false;
  #clientGone = false;
  #staleRetries = 0;
  #counting = false;
  /** Set when the router answered itself (502): no instance answered. */
  #routerMade = false;
  #upstream: ClientRequest | null = null;
  #upstreamResponse: IncomingMessage | null = null;

  constructor(
    readonly context: ProxyContext,
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly routes: readonly Route[],
    readonly started: number,
  ) {
    this.#headers = upstreamRawHeaders(request);
    this.#bodiless = isBodiless(request);
    response.on('close', this.#onClientClose);
  }

  #onClientClose = (): void => {
    const response = this.response;
    if (!response.writableFinished) {
      this.#clientGone = true;
      this.#upstream?.destroy();
    }
    this.context.stats.record(
      this.#route,
      response.statusCode,
      this.#responseBytes,
      performance.now() - this.started,
      this.#routerMade,
    );
  };

  /** Sends the request to `again` (a stale keep-alive retry) or to a newly picked instance. */
  attempt(again: Route | null): void {
    const route = again ?? pickRoute(this.routes, this.#tried, this.context.dead);
    if (!route) {
      this.#fail(502, 'Bad Gateway: no instance accepted the connection.');
      return;
    }
    this.#tried.add(route.instanceId);
    this.#route = route;
    const upstream = httpRequest({
      host: route.host,
      port: route.port,
      method: this.request.method,
      path: this.request.url,
      headers: this.#headers,
      agent: this.context.agent,
    });
    this.#upstream = upstream;
    upstream.on('error', (error) => this.#onUpstreamError(route, upstream, error));
    upstream.on('response', (upstreamResponse) => this.#relay(route, upstreamResponse));
    if (this.#bodiless) {
      upstream.end();
      return;
    }
    // A body goes out only once connected: until then it stays paused in the client request, so
    // a retry on another instance (connection refused) still has all of it.
    upstream.on('socket', (socket: Socket) => {
      if (socket.connecting) socket.once('connect', () => this.#sendBody(upstream));
      else this.#sendBody(upstream);
    });
  }

  #sendBody(upstream: ClientRequest): void {
    if (upstream.destroyed) return;
    if (this.request.readableEnded) {
      upstream.end();
      return;
    }
    if (!this.#counting) {
      // Counted from the first pipe on: before it the body is paused, so a retry loses nothing.
      this.#counting = true;
      this.request.on('data', (chunk: Buffer) => {
        this.#bodyBytes += chunk.length;
      });
    }
    this.request.pipe(upstream);
  }

  #onUpstreamError(route: Route, upstream: ClientRequest, error: Error): void {
    if (!this.#bodiless) this.request.unpipe(upstream);
    if (this.#clientGone) return;
    if (this.#responded) {
      // Headers already went to the client: the only honest signal left is a cut connection.
      this.context.logger.warn({ err: error, instanceId: route.instanceId }, 'backend failed mid-response');
      this.response.destroy();
      return;
    }
    if (!upstream.reusedSocket && !UpstreamAgent.isConnected(upstream.socket) && isConnectError(error)) {
      this.context.dead.mark(route.instanceId);
      this.context.logger.warn(
        { err: error, instanceId: route.instanceId },
        'backend refused; trying another instance',
      );
      this.attempt(null);
      return;
    }
    if (upstream.reusedSocket && this.#bodyBytes === 0 && this.#staleRetries < MAX_STALE_RETRIES) {
      // The backend closed an idle pooled connection just as we reused it; nothing reached it.
      this.#staleRetries += 1;
      this.attempt(route);
      return;
    }
    this.context.logger.warn({ err: error, instanceId: route.instanceId }, 'backend request failed');
    this.#fail(502, 'Bad Gateway: the instance failed to answer.');
  }

  #relay(route: Route, upstreamResponse: IncomingMessage): void {
    this.#responded = true;
    if (this.#clientGone) {
      upstreamResponse.destroy();
      return;
    }
    this.context.dead.clear(route.instanceId);
    this.#upstreamResponse = upstreamResponse;
    this.response.writeHead(upstreamResponse.statusCode ?? 502, responseRawHeaders(upstreamResponse));
    // Relayed by hand rather than with pipe(): see the class comment. A client that goes away
    // destroys the upstream request (#onClientClose); a backend that cuts the body short cuts the
    // client connection, the only way left to say so.
    upstreamResponse.on('data', this.#onResponseData);
    upstreamResponse.on('end', this.#onResponseEnd);
    upstreamResponse.on('error', (error) => {
      if (this.#clientGone) return;
      this.context.logger.warn({ err: error, instanceId: route.instanceId }, 'backend failed mid-response');
      this.response.destroy();
    });
    upstreamResponse.on('close', this.#onResponseClose);
  }

  #onResponseData = (chunk: Buffer): void => {
    this.#responseBytes += chunk.length;
    if (!this.response.write(chunk)) {
      this.#upstreamResponse?.pause();
      this.response.once('drain', this.#onClientDrain);
    }
  };

  #onClientDrain = (): void => {
    this.#upstreamResponse?.resume();
  };

  #onResponseEnd = (): void => {
    this.response.end();
  };

  #onResponseClose = (): void => {
    if (!this.#upstreamResponse?.complete && !this.response.writableFinished) this.response.destroy();
  };

  #fail(status: number, detail: string): void {
    if (this.response.headersSent) {
      this.response.destroy();
      return;
    }
    const body = errorText(status, detail);
    this.#routerMade = true;
    this.#responseBytes += Buffer.byteLength(body);
    this.response.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    this.response.end(body);
  }
}
