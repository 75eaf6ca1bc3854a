import {
  type ClientRequest,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { performance } from 'node:perf_hooks';
import { upstreamHeaders, withoutHopByHop } from './forwarded-headers';
import { connectTimeoutError, errorText, isConnectError, type ProxyContext } from './proxy-context';
import type { Route } from './route';
import { pickRoute } from './route-picker';

/** Stale keep-alive sockets a request may run into before the router gives up on that instance. */
const MAX_STALE_RETRIES = 2;

/**
 * Answers one HTTP request: 400 without `Host`, 404 for an unknown hostname, 503 for a hostname
 * with no instances, else proxies to a random instance, trying another one when a connection is
 * refused (502 when none accepts). Bodies stream both ways; nothing is buffered.
 */
export function proxyHttp(context: ProxyContext, request: IncomingMessage, response: ServerResponse): void {
  const started = performance.now();
  request.on('error', (error) => context.logger.debug({ err: error }, 'client request error'));
  response.on('error', (error) => context.logger.debug({ err: error }, 'client response error'));

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
  response.on('close', () => {
    context.stats.record({ route: null, status, bytes: Buffer.byteLength(body), timeMs: null });
  });
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** One client request on its way to a backend, across retries. */
class HttpForward {
  readonly #tried = new Set<string>();
  readonly #headers: OutgoingHttpHeaders;
  #route: Route | null = null;
  #bodyBytes = 0;
  #responseBytes = 0;
  #responded = false;
  #clientGone = false;
  #staleRetries = 0;
  #counting = false;
  #upstream: ClientRequest | null = null;

  constructor(
    readonly context: ProxyContext,
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly routes: readonly Route[],
    readonly started: number,
  ) {
    this.#headers = upstreamHeaders(request);
    response.on('close', () => {
      if (!response.writableFinished) {
        this.#clientGone = true;
        this.#upstream?.destroy();
      }
      context.stats.record({
        route: this.#route,
        status: response.statusCode,
        bytes: this.#responseBytes,
        timeMs: performance.now() - started,
      });
    });
  }

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
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    const onConnected = (): void => {
      clearTimeout(timer);
      connected = true;
      this.#sendBody(upstream);
    };
    upstream.on('socket', (socket) => {
      if (!socket.connecting) {
        onConnected();
        return;
      }
      timer = setTimeout(
        () => upstream.destroy(connectTimeoutError(this.context.connectTimeoutMs)),
        this.context.connectTimeoutMs,
      );
      socket.once('connect', onConnected);
    });
    upstream.on('error', (error) => {
      clearTimeout(timer);
      this.request.unpipe(upstream);
      this.#onUpstreamError(route, upstream, error, connected);
    });
    upstream.on('response', (upstreamResponse) => this.#relay(route, upstreamResponse));
  }

  #sendBody(upstream: ClientRequest): void {
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

  #onUpstreamError(route: Route, upstream: ClientRequest, error: Error, connected: boolean): void {
    if (this.#clientGone) return;
    if (this.#responded) {
      // Headers already went to the client: the only honest signal left is a cut connection.
      this.context.logger.warn({ err: error, instanceId: route.instanceId }, 'backend failed mid-response');
      this.response.destroy();
      return;
    }
    if (!connected && isConnectError(error)) {
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
    upstreamResponse.on('data', (chunk: Buffer) => {
      this.#responseBytes += chunk.length;
    });
    this.response.writeHead(upstreamResponse.statusCode ?? 502, withoutHopByHop(upstreamResponse.headers));
    // pipe() rather than pipeline(): pipeline allocates an AbortController (and a DOMException on
    // finish) per request, a measurable cost on the hot path. Both directions are handled here:
    // a client that goes away destroys the upstream request (see the constructor); a backend that
    // cuts the body short cuts the client connection, the only way left to say so.
    upstreamResponse.on('error', (error) => {
      if (this.#clientGone) return;
      this.context.logger.warn({ err: error, instanceId: route.instanceId }, 'backend failed mid-response');
      this.response.destroy();
    });
    upstreamResponse.on('close', () => {
      if (!upstreamResponse.complete && !this.response.writableFinished) this.response.destroy();
    });
    upstreamResponse.pipe(this.response);
  }

  #fail(status: number, detail: string): void {
    if (this.response.headersSent) {
      this.response.destroy();
      return;
    }
    const body = errorText(status, detail);
    this.#responseBytes += Buffer.byteLength(body);
    this.response.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    this.response.end(body);
  }
}
