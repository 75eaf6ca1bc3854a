import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { KeyedLock } from '../../kernel/keyed-lock';
import type { JobEvent } from '../job-store';

/** The part of a `pg` client the listener uses (the package ships no types here). */
interface PgClient {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown;
}

const firstRetryMs = 100;
const maxRetryMs = 5_000;

/**
 * Holds one dedicated PostgreSQL connection (outside knex's pool) that LISTENs on the job
 * event channel and hands every notification's events to `deliver`. When the connection is
 * lost it reconnects with backoff until stopped; events NOTIFYed while it was away are lost, so
 * `relistened` is called once it listens again (subscribers re-read).
 */
export class PostgresJobListener {
  private client: PgClient | undefined;
  private wanted = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** One step (start, stop, reconnect) at a time. */
  private readonly steps = new KeyedLock();

  constructor(
    private readonly knex: Knex,
    private readonly channel: string,
    private readonly deliver: (events: JobEvent[]) => void,
    private readonly log: Logger,
    /** Called after a lost connection LISTENs again: what was NOTIFYed meanwhile was missed. */
    private readonly relistened: () => void = () => {},
  ) {}

  /** Connects and LISTENs, unless already listening; rejects if the first connection fails. */
  start(): Promise<void> {
    return this.steps.run('listener', async () => {
      this.wanted = true;
      if (this.client || this.retryTimer) return;
      await this.connect();
    });
  }

  /** Stops listening and closes the connection. */
  stop(): Promise<void> {
    return this.steps.run('listener', async () => {
      this.wanted = false;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      const client = this.client;
      this.client = undefined;
      await client
        ?.end()
        .catch((error: unknown) => this.log.debug({ err: error }, 'closing the LISTEN connection failed'));
    });
  }

  private async connect(): Promise<void> {
    const client = (await this.knex.client.acquireRawConnection()) as PgClient;
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload) this.receive(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the connection ended')));
    try {
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  private receive(payload: string): void {
    let events: JobEvent[];
    try {
      events = JSON.parse(payload) as JobEvent[];
    } catch (error) {
      this.log.error({ err: error, channel: this.channel }, 'a job event notification is not JSON; ignored');
      return;
    }
    this.deliver(events);
  }

  private lost(client: PgClient, error: Error | undefined): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (!this.wanted) return;
    this.log.warn({ err: error, channel: this.channel }, 'lost the job event connection; reconnecting');
    this.retry(firstRetryMs);
  }

  private retry(delay: number): void {
    this.retryTimer = setTimeout(() => {
      void this.steps.run('listener', async () => {
        this.retryTimer = undefined;
        if (!this.wanted || this.client) return;
        try {
          await this.connect();
          this.log.info({ channel: this.channel }, 'job event connection restored');
          this.relistened();
        } catch (error) {
          this.log.warn({ err: error, retryInMs: delay }, 'could not reconnect the job event connection');
          this.retry(Math.min(delay * 2, maxRetryMs));
        }
      });
    }, delay);
    this.retryTimer.unref();
  }
}
