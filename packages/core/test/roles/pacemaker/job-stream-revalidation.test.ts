import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX, JOB_STREAM_PATH } from '../../../src/roles/pacemaker';
import { openStreamSocket, type StreamSocket, until } from '../../jobs/logs/job-stream-fixtures';
import { type ApiFixture, basicAuthorization, PASSWORD, startApiFixture } from './pacemaker-api-fixture';

/**
 * A job stream connection outlives the request that opened it: once its API key is revoked, its
 * user disabled or its role taken away, the pacemaker must stop serving it.
 */
describe('pacemaker job stream after credentials change', () => {
  let fx: ApiFixture;
  let streamUrl: string;
  const sockets: StreamSocket[] = [];

  beforeAll(async () => {
    fx = await startApiFixture();
    streamUrl = `${fx.url.replace(/^http/, 'ws')}${JOB_STREAM_PATH}`;
  });
  afterAll(async () => {
    for (const { socket } of sockets) socket.terminate();
    await fx?.close();
  });

  /** A user of its own holding every permission on workspace A, with an API key, connected to the stream. */
  async function streamingUser() {
    const id = randomUUID().slice(0, 8);
    const user = await fx.model.users.create({ login: `s-${id}`, email: `s-${id}@example.com`, name: id });
    const allocation = await fx.model.roles.allocate({
      userId: user.id,
      roleId: fx.roleAll.id,
      workspaceId: fx.workspaceA.id,
    });
    const { key, apiKey } = await fx.model.users.issueApiKey(user.id);
    const client = await openStreamSocket(streamUrl, { authorization: `Bearer ${key}` });
    sockets.push(client);
    // Following a tree proves the connection is served before the change.
    client.send({ type: 'tree.subscribe', treeId: fx.treeA });
    await until(() => client.received.some((message) => message.type === 'tree.snapshot'));
    return { user, allocation, apiKey, client };
  }

  const codes = (client: StreamSocket) =>
    client.received.flatMap((message) => (message.type === 'error' ? [message.code] : []));

  it('disconnects a client whose API key was revoked, at its next subscription', async () => {
    const { apiKey, client } = await streamingUser();
    await fx.model.users.revokeApiKey(apiKey.id); // not through the API: nothing else tells the stream
    client.send({ type: 'tree.subscribe', treeId: fx.treeA });
    expect(await client.closed).toEqual({ code: 1008, reason: 'credentials no longer accepted' });
    expect(codes(client)).toEqual(['E_API_UNAUTHENTICATED']);
    expect(client.received.filter((message) => message.type === 'tree.snapshot')).toHaveLength(1);
  });

  it('disconnects a client whose API key was revoked through the API, without waiting for it to ask', async () => {
    const { user, apiKey, client } = await streamingUser();
    const revoked = await fx.request('DELETE', `${API_PREFIX}/users/${user.id}/api-keys/${apiKey.id}`, {
      as: 'super',
    });
    expect(revoked.status, revoked.text).toBe(204);
    expect(await client.closed).toEqual({ code: 1008, reason: 'credentials no longer accepted' });
    expect(codes(client)).toEqual(['E_API_UNAUTHENTICATED']);
  });

  it('disconnects a client whose user was disabled', async () => {
    const { user, client } = await streamingUser();
    const disabled = await fx.request('PATCH', `${API_PREFIX}/users/${user.id}`, {
      as: 'super',
      body: { enabled: false },
    });
    expect(disabled.status, disabled.text).toBe(200);
    expect(await client.closed).toEqual({ code: 1008, reason: 'credentials no longer accepted' });
    expect(codes(client)).toEqual(['E_API_UNAUTHENTICATED']);
  });

  it('disconnects a client whose role allocation was removed', async () => {
    const { allocation, client } = await streamingUser();
    const removed = await fx.request('DELETE', `${API_PREFIX}/role-allocations/${allocation.id}`, {
      as: 'super',
    });
    expect(removed.status, removed.text).toBe(204);
    expect(await client.closed).toEqual({ code: 1008, reason: 'credentials no longer accepted' });
    expect(codes(client)).toEqual(['E_API_FORBIDDEN']);
  });

  it('ends the subscriptions of a workspace taken away and keeps the connection for the others', async () => {
    const { user, allocation, client } = await streamingUser();
    await fx.model.roles.allocate({ userId: user.id, roleId: fx.roleAll.id, workspaceId: fx.workspaceB.id });
    client.send({ type: 'tree.subscribe', treeId: fx.treeB });
    await until(() => client.received.filter((message) => message.type === 'tree.snapshot').length === 2);
    await fx.model.roles.unallocate(allocation.id); // workspace A only, behind the API's back
    await fx.api.jobStream.revalidate(); // what the periodic check does
    await until(() => codes(client).length === 1);
    expect(client.received.at(-1)).toEqual({
      type: 'error',
      code: 'E_API_FORBIDDEN',
      message: `You may no longer follow job ${fx.treeA}.`,
      treeId: fx.treeA,
    });
    // Still served: B can be followed, A no longer.
    client.send({ type: 'tree.subscribe', treeId: fx.treeB });
    client.send({ type: 'tree.subscribe', treeId: fx.treeA });
    await until(() => codes(client).length === 2);
    expect(client.received.filter((message) => message.type === 'tree.snapshot')).toHaveLength(3);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('refuses password credentials on the stream, which would be checked again with every subscription', async () => {
    const authorization = basicAuthorization(fx.users.rightWorkspace.login, PASSWORD);
    await expect(openStreamSocket(streamUrl, { authorization })).rejects.toThrow(/401/);
  });
});
