import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { postgresUrl, redisUrl } from '../src/index.mjs';

/** Sends RESP commands over one raw TCP connection and returns the replies, one line each. */
async function sendRedisCommands(url: string, commands: string[][]): Promise<string[]> {
  const { hostname, port } = new URL(url);
  const request = commands
    .map(
      (args) =>
        `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`,
    )
    .join('');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(request));
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5_000, () => socket.destroy(new Error('Redis did not answer within 5 s')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received += chunk;
      const replies = parseReplies(received);
      if (replies.length === commands.length) {
        socket.end();
        resolve(replies);
      }
    });
  });
}

/** Simple strings, errors, integers and bulk strings: enough for PING, SET and GET. */
function parseReplies(text: string): string[] {
  const replies: string[] = [];
  const lines = text.split('\r\n');
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('$')) {
      if (line === '$-1') replies.push('(nil)');
      else if (i + 1 < lines.length - 1) replies.push(lines[++i] ?? '');
    } else {
      replies.push(line);
    }
  }
  return replies;
}

describe('the servers started for the tests', () => {
  it('has Redis answering PING and a SET/GET round trip', async () => {
    const key = `test-servers:${process.pid}:${Date.now()}`;
    const replies = await sendRedisCommands(redisUrl(), [
      ['PING'],
      ['SET', key, 'héllo'],
      ['GET', key],
      ['DEL', key],
    ]);
    expect(replies).toEqual(['+PONG', '+OK', 'héllo', ':1']);
  });

  it('has PostgreSQL answering a query', async () => {
    const { stdout } = await promisify(execFile)('psql', [postgresUrl(), '-tAc', 'select 1 + 1'], {
      env: { ...process.env, PSQLRC: '/dev/null' },
    });
    expect(stdout.trim()).toBe('2');
  });
});
