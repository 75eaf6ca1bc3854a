import type { Logger } from 'pino';
import { isTreeEvent, type JobEvent, type SubscribeOptions } from '../job-store';

/** A function that receives job events. */
export type JobEventListener = (event: JobEvent) => void;

/**
 * The listeners of one place events come from (a SQLite file in this process, or a PostgreSQL
 * channel). A listener that throws is logged and does not stop the others.
 */
export class JobEventHub {
  private readonly listeners = new Map<JobEventListener, Logger>();
  private readonly resubscribers = new Map<JobEventListener, () => void>();

  /**
   * Adds `listener` (only for tree events with `options.treeEventsOnly`); `log` records its
   * errors; `options.onResubscribed` is called by {@link JobEventHub.resubscribed}. Returns the
   * function that removes it.
   */
  add(listener: JobEventListener, log: Logger, options: SubscribeOptions = {}): () => void {
    const { onResubscribed, treeEventsOnly } = options;
    // The same function may subscribe twice; wrap it so that each subscription is its own entry.
    const entry: JobEventListener = treeEventsOnly
      ? (event) => {
          if (isTreeEvent(event)) listener(event);
        }
      : (event) => listener(event);
    this.listeners.set(entry, log);
    if (onResubscribed) this.resubscribers.set(entry, onResubscribed);
    return () => {
      this.listeners.delete(entry);
      this.resubscribers.delete(entry);
    };
  }

  /** The events' connection listens again after a loss: tells every subscriber that asked. */
  resubscribed(): void {
    for (const [entry, onResubscribed] of this.resubscribers) {
      try {
        onResubscribed();
      } catch (error) {
        this.listeners.get(entry)?.error({ err: error }, 'a job event resubscription callback threw');
      }
    }
  }

  /** How many listeners there are. */
  get size(): number {
    return this.listeners.size;
  }

  /** Calls every listener with every event, in order. */
  emit(events: readonly JobEvent[]): void {
    for (const event of events) {
      for (const [listener, log] of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          log.error({ err: error, event: event.kind, treeId: event.treeId }, 'a job event listener threw');
        }
      }
    }
  }
}

/** Longest NOTIFY payload PostgreSQL accepts is 8000 bytes; stay below it. */
export const maxNotifyBytes = 7_900;

/** Longest summary carried in an event; a summary is one line, the full text stays in the store. */
const maxEventSummaryChars = 1_000;

const byteLength = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** Splits one event into events whose JSON fits in `maxBytes` (long lists are halved). */
function splitEvent(event: JobEvent, maxBytes: number): JobEvent[] {
  if (byteLength(event) <= maxBytes) return [event];
  const halves = <T>(list: T[]): [T[], T[]] => [list.slice(0, list.length / 2), list.slice(list.length / 2)];
  switch (event.kind) {
    case 'state':
      if (event.summary === undefined) return [event];
      return [{ ...event, summary: `${event.summary.slice(0, maxEventSummaryChars)}…` }];
    case 'created':
      if (event.jobIds.length < 2) return [event];
      return halves(event.jobIds).flatMap((jobIds) => splitEvent({ ...event, jobIds }, maxBytes));
    case 'ready':
      if (event.jobs.length < 2) return [event];
      return halves(event.jobs).flatMap((jobs) => splitEvent({ ...event, jobs }, maxBytes));
    case 'aborted': {
      const summary = event.summary.slice(0, maxEventSummaryChars);
      if (event.running.length < 2) return [{ ...event, summary }];
      return halves(event.running).flatMap((running) => splitEvent({ ...event, summary, running }, maxBytes));
    }
  }
}

/**
 * Packs events into as few JSON-array payloads as possible, each at most `maxBytes` long,
 * keeping their order; an event too big on its own is split first (a `created` or `ready`
 * event with a thousand jobs becomes several events with shorter lists).
 */
export function packJobEvents(events: readonly JobEvent[], maxBytes = maxNotifyBytes): string[] {
  const payloads: string[] = [];
  let batch: string[] = [];
  let batchBytes = 2;
  for (const event of events.flatMap((each) => splitEvent(each, maxBytes - 2))) {
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json) + 1;
    if (batch.length > 0 && batchBytes + bytes > maxBytes) {
      payloads.push(`[${batch.join(',')}]`);
      batch = [];
      batchBytes = 2;
    }
    batch.push(json);
    batchBytes += bytes;
  }
  if (batch.length > 0) payloads.push(`[${batch.join(',')}]`);
  return payloads;
}
