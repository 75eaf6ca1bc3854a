// @ts-check
import { spawn } from 'node:child_process';

/**
 * One wrk run (one thread) against `http://127.0.0.1:<port>/` with the given Host header:
 * req/s, requests, errors (non-2xx and socket errors) and, with `latency`, p50/p99 in ms.
 * @param {{ port: number, host: string, connections: number, seconds: number, latency?: boolean }} options
 */
export async function runWrk({ port, host, connections, seconds, latency = false }) {
  const child = spawn(
    'wrk',
    [
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      ...(latency ? ['--latency'] : []),
      '-H',
      `Host: ${host}`,
      `http://127.0.0.1:${port}/`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${output}`);
  const number = (/** @type {RegExp} */ pattern) => Number(pattern.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    requests: number(/(\d+) requests in/),
    p50: latencyMs(output, '50%'),
    p99: latencyMs(output, '99%'),
    errors:
      number(/Non-2xx or 3xx responses: (\d+)/) +
      (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
  };
}

/** A percentile line of wrk's --latency distribution (`99%    1.52ms`), in milliseconds; 0 without it. */
function latencyMs(/** @type {string} */ output, /** @type {string} */ percentile) {
  const match = new RegExp(`^\\s*${percentile}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
  if (!match) return 0;
  const scale = { us: 0.001, ms: 1, s: 1000 }[/** @type {'us' | 'ms' | 's'} */ (match[2])];
  return Number(match[1]) * scale;
}
