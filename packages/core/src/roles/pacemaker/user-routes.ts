import { hashPassword } from '../../auth/password-hash';
import { PaasmakerError as ApiError, type PaasmakerError } from '../../kernel/errors';
import type { UserInput } from '../../model/user-repository';
import { apiKeyData, issuedApiKeyData, listOf, meData, userData } from './api-data-schemas';
import { type ApiContext, type ApiRoute, defineRoute } from './api-route';
import { apiKeyCreateBody, idParams, userCreateBody, userUpdateBody } from './api-schemas';
import { apiKeyView, userView } from './api-views';

interface UserBody {
  login: string;
  email: string;
  name: string;
  password: string;
  enabled?: boolean;
}

function apiKeyNotFound(id: number, userId: number): PaasmakerError {
  return new ApiError('E_MODEL_NOT_FOUND', `User ${userId} has no API key ${id}.`);
}

/** The caller, users, and their API keys. */
export function userRoutes({ model }: ApiContext): ApiRoute<never, never, never>[] {
  const routes = [
    defineRoute({
      method: 'GET',
      path: '/me',
      schema: { data: meData },
      async handler({ caller }) {
        if (caller.kind !== 'user') return { kind: caller.kind };
        return {
          kind: 'user',
          user: userView(await model.users.get(caller.userId)),
          grants: caller.grants,
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/users',
      schema: { data: listOf(userData) },
      handler: async () => (await model.users.list()).map(userView),
    }),
    defineRoute<Record<string, never>, UserBody>({
      method: 'POST',
      path: '/users',
      status: 201,
      schema: { body: userCreateBody, data: userData },
      async handler({ body }) {
        const { password, ...fields } = body;
        return userView(await model.users.create({ ...fields, ...(await hashPassword(password)) }));
      },
    }),
    defineRoute<{ userId: number }>({
      method: 'GET',
      path: '/users/:userId',
      schema: { params: idParams('userId'), data: userData },
      handler: async ({ params }) => userView(await model.users.get(params.userId)),
    }),
    defineRoute<{ userId: number }, Partial<UserBody>>({
      method: 'PATCH',
      path: '/users/:userId',
      schema: { params: idParams('userId'), body: userUpdateBody, data: userData },
      async handler({ params, body }) {
        const { password, ...fields } = body;
        const changes: Partial<UserInput> = { ...fields };
        if (password !== undefined) Object.assign(changes, await hashPassword(password));
        return userView(await model.users.update(params.userId, changes));
      },
    }),
    defineRoute<{ userId: number }>({
      method: 'DELETE',
      path: '/users/:userId',
      schema: { params: idParams('userId') },
      async handler({ params }) {
        await model.users.delete(params.userId);
      },
    }),
    defineRoute<{ userId: number }>({
      method: 'GET',
      path: '/users/:userId/api-keys',
      schema: { params: idParams('userId'), data: listOf(apiKeyData) },
      async handler({ params }) {
        await model.users.get(params.userId);
        return (await model.users.apiKeys(params.userId)).map(apiKeyView);
      },
    }),
    defineRoute<{ userId: number }, { label?: string } | undefined>({
      method: 'POST',
      path: '/users/:userId/api-keys',
      status: 201,
      schema: { params: idParams('userId'), body: apiKeyCreateBody, data: issuedApiKeyData },
      async handler({ params, body }) {
        await model.users.get(params.userId);
        const { key, apiKey } = await model.users.issueApiKey(params.userId, body?.label ?? '');
        return { key, apiKey: apiKeyView(apiKey) };
      },
    }),
    defineRoute<{ userId: number; apiKeyId: number }>({
      method: 'DELETE',
      path: '/users/:userId/api-keys/:apiKeyId',
      schema: { params: idParams('userId', 'apiKeyId') },
      async handler({ params }) {
        const keys = await model.users.apiKeys(params.userId);
        if (!keys.some((key) => key.id === params.apiKeyId))
          throw apiKeyNotFound(params.apiKeyId, params.userId);
        await model.users.revokeApiKey(params.apiKeyId);
      },
    }),
  ];
  return routes as unknown as ApiRoute<never, never, never>[];
}
