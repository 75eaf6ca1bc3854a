import type { Logger } from 'pino';
import type { PaasmakerError } from '../../kernel/errors';
import type { JobStore } from '../job-store';
import type { JobLogFollow, JobLogSink } from './job-log-sink';
import { JobStreamClient } from './job-stream-client';

interface Relay {
  client: JobStreamClient;
  /** Follows through this relay, told when the node cannot be reached. */
  sinks: Set<JobLogSink>;
  connected: boolean;
}

/**
 * Follows logs that live on other nodes through those nodes' job streams: one connection per
 * node, shared by every follow of its logs, closed when the last one ends. A node that cannot
 * be reached the first time fails every follow waiting on it with `E_JOB_LOG_UNAVAILABLE`; once
 * it was reached, a dropped connection is re-established and the logs resume where they were.
 */
export class JobLogRelays {
  private readonly relays = new Map<string, Relay>();

  constructor(
    private readonly options: {
      store: Pick<JobStore, 'nodes'>;
      token: string | undefined;
      log: Logger;
    },
  ) {}

  /** Follows `jobId`'s log on `nodeId` for `sink`; failures reach `sink.error`. */
  async follow(
    nodeId: string,
    jobId: string,
    offset: number | undefined,
    sink: JobLogSink,
  ): Promise<JobLogFollow> {
    let relay = this.relays.get(nodeId);
    if (!relay) {
      const url = (await this.options.store.nodes())[nodeId]?.streamUrl;
      if (!url) {
        sink.error(
          'E_JOB_LOG_UNAVAILABLE',
          `Node ${nodeId} has the log of job ${jobId} but publishes no job stream URL.`,
        );
        return { close() {} };
      }
      // Another follow may have opened it while the nodes were read.
      relay = this.relays.get(nodeId) ?? this.open(nodeId, url);
    }
    const current = relay;
    current.sinks.add(sink);
    const handle = current.client.followLog(jobId, {
      ...(offset === undefined ? {} : { offset }),
      onLines: (text, end) => void sink.lines(text, end).catch(() => undefined),
      onMissing: () => sink.missing(),
      onError: (error) => {
        this.release(nodeId, current, sink);
        sink.error(error.code, error.message);
      },
    });
    return {
      close: () => {
        handle.close();
        this.release(nodeId, current, sink);
      },
    };
  }

  /** Closes every relay. */
  async close(): Promise<void> {
    const relays = [...this.relays.values()];
    this.relays.clear();
    await Promise.all(relays.map((relay) => relay.client.close()));
  }

  private open(nodeId: string, url: string): Relay {
    const relay: Relay = {
      sinks: new Set(),
      connected: false,
      client: new JobStreamClient({
        url,
        ...(this.options.token === undefined ? {} : { token: this.options.token }),
        onConnect: () => {
          relay.connected = true;
        },
        onError: (error) => this.failed(nodeId, relay, error),
      }),
    };
    this.relays.set(nodeId, relay);
    return relay;
  }

  private failed(nodeId: string, relay: Relay, error: PaasmakerError): void {
    if (relay.connected) {
      this.options.log.warn({ err: error, nodeId }, 'Lost the job stream of a node; reconnecting.');
      return;
    }
    if (this.relays.get(nodeId) === relay) this.relays.delete(nodeId);
    void relay.client.close();
    const sinks = [...relay.sinks];
    relay.sinks.clear();
    for (const sink of sinks) {
      sink.error(
        'E_JOB_LOG_UNAVAILABLE',
        `Node ${nodeId} has the log but cannot be reached: ${error.message}`,
      );
    }
  }

  private release(nodeId: string, relay: Relay, sink: JobLogSink): void {
    if (!relay.sinks.delete(sink) || relay.sinks.size > 0) return;
    if (this.relays.get(nodeId) === relay) this.relays.delete(nodeId);
    void relay.client.close();
  }
}
