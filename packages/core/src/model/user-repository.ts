import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import {
  fromJson,
  type JsonObject,
  type ModelDatabase,
  ModelTable,
  type Row,
  rowTimestamps,
  toDateOrNull,
  toFlagIfDefined,
  toJson,
  toJsonIfDefined,
} from './model-database';
import { notFound } from './model-errors';
import { ModelRepository } from './model-repository';
import { INTERNAL_AUTH_SOURCE } from './model-states';
import { modelTables } from './model-tables';

/** A person (or program) that logs in. The password hash never leaves the pacemaker. */
export interface User {
  readonly id: number;
  readonly login: string;
  readonly email: string;
  readonly name: string;
  /** The auth plugin that checks this user, `paasmaker.auth.internal` for local passwords. */
  readonly authSource: string;
  readonly enabled: boolean;
  /** As the password hasher produced it; null for users with no local password. */
  readonly passwordHash: string | null;
  /** What the hasher needs to check it again (algorithm, salt, cost...). */
  readonly passwordParameters: JsonObject | null;
  /** Free per-user data of the console. */
  readonly userdata: JsonObject;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a new user needs. */
export interface UserInput {
  login: string;
  email: string;
  name: string;
  authSource?: string;
  enabled?: boolean;
  passwordHash?: string | null;
  passwordParameters?: JsonObject | null;
  userdata?: JsonObject;
}

/** An API key of a user; only its hash and a visible prefix are stored. */
export interface ApiKey {
  readonly id: number;
  readonly userId: number;
  /** The start of the key, shown so a person can tell keys apart. */
  readonly prefix: string;
  readonly label: string;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

function toUser(row: Row): User {
  return {
    id: Number(row.id),
    login: String(row.login),
    email: String(row.email),
    name: String(row.name),
    authSource: String(row.auth_source),
    enabled: Number(row.enabled) === 1,
    passwordHash: (row.password_hash as string | null) ?? null,
    passwordParameters:
      row.password_parameters == null ? null : fromJson<JsonObject>(row.password_parameters),
    userdata: fromJson<JsonObject>(row.userdata),
    ...rowTimestamps(row),
  };
}

function toApiKey(row: Row): ApiKey {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    prefix: String(row.prefix),
    label: String(row.label),
    lastUsedAt: toDateOrNull(row.last_used_at),
    revokedAt: toDateOrNull(row.revoked_at),
    ...rowTimestamps(row),
  };
}

/** The SHA-256 of an API key, as stored: keys carry 256 random bits, so a fast hash is enough. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Users and their API keys; login and email are unique. Deleting a user deletes its keys and role allocations. */
export class UserRepository extends ModelRepository<User> {
  private readonly keys: ModelTable<ApiKey>;

  /** @param source the knex instance (`better-sqlite3` or `pg`) of a migrated model, or its ModelDatabase */
  constructor(source: Knex | ModelDatabase) {
    super(source, modelTables.users, 'user', toUser);
    this.keys = new ModelTable(this.db, modelTables.apiKeys, 'API key', toApiKey);
  }

  /** Creates a user; `E_MODEL_CONFLICT` naming the login or email when taken. */
  create(input: UserInput): Promise<User> {
    return this.rows.insert(
      this.columns({
        authSource: INTERNAL_AUTH_SOURCE,
        enabled: true,
        userdata: {},
        passwordHash: null,
        ...input,
      }),
    );
  }

  /** The user with `login`, or undefined. */
  findByLogin(login: string): Promise<User | undefined> {
    return this.rows.findBy({ login });
  }

  /** Every user. */
  list(): Promise<User[]> {
    return this.rows.list();
  }

  /** Changes the given fields. */
  update(id: number, changes: Partial<UserInput>): Promise<User> {
    return this.rows.update(id, this.columns(changes));
  }

  /** Deletes the user with its API keys and role allocations. */
  delete(id: number): Promise<void> {
    return this.rows.delete(id);
  }

  /**
   * Makes a new API key for a user: `pmk_<prefix>_<secret>`. The key is returned once, here;
   * only its hash is kept.
   */
  async issueApiKey(userId: number, label = ''): Promise<{ key: string; apiKey: ApiKey }> {
    const prefix = randomBytes(4).toString('hex');
    const key = `pmk_${prefix}_${randomBytes(32).toString('base64url')}`;
    const apiKey = await this.keys.insert({ user_id: userId, prefix, key_hash: hashApiKey(key), label });
    return { key, apiKey };
  }

  /**
   * The unrevoked key `key` and its user, recording the use; undefined for an unknown or
   * revoked key. Looked up by hash, so the key itself is never compared.
   */
  findApiKey(key: string): Promise<{ apiKey: ApiKey; user: User } | undefined> {
    return this.db.run('look up API key', async (knex) => {
      const row = await knex(modelTables.apiKeys)
        .where({ key_hash: hashApiKey(key) })
        .whereNull('revoked_at')
        .first();
      if (!row) return undefined;
      const apiKey = await this.keys.update(Number(row.id), { last_used_at: Date.now() });
      return { apiKey, user: await this.rows.get(apiKey.userId) };
    });
  }

  /** The API keys of a user, revoked ones included. */
  apiKeys(userId: number): Promise<ApiKey[]> {
    return this.keys.list({ user_id: userId });
  }

  /** Revokes an API key: it no longer authenticates (revoking twice keeps the first time). */
  async revokeApiKey(id: number): Promise<ApiKey> {
    const apiKey = await this.keys.find(id);
    if (!apiKey) throw notFound('API key', id);
    if (apiKey.revokedAt) return apiKey;
    return this.keys.update(id, { revoked_at: Date.now() });
  }

  private columns(input: Partial<UserInput>): Row {
    return {
      login: input.login,
      email: input.email,
      name: input.name,
      auth_source: input.authSource,
      enabled: toFlagIfDefined(input.enabled),
      password_hash: input.passwordHash,
      password_parameters:
        input.passwordParameters === undefined
          ? undefined
          : input.passwordParameters === null
            ? null
            : toJson(input.passwordParameters),
      userdata: toJsonIfDefined(input.userdata),
    };
  }
}
