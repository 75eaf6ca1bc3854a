/**
 * The keys of one Redis job store, all under one prefix P (default `pm:jobs:`). The Lua scripts
 * in `lua/jobs/` build the same names from the prefix they receive as KEYS[1]:
 *
 * | key                     | type   | content                                                        |
 * | ----------------------- | ------ | -------------------------------------------------------------- |
 * | P job:<id>              | HASH   | JobRecord fields (parameters, result as JSON; parentId '' for a root), nChildren, nSucceeded |
 * | P job:<id>:children     | LIST   | child ids in insertion order                                   |
 * | P tree:<id>             | HASH   | createdAt, aborted ('0' / '1'), tags (JSON array); id = root id |
 * | P tree:<id>:context     | HASH   | context key -> JSON value (a merge overwrites keys)            |
 * | P tree:<id>:jobs        | SET    | every job id of the tree                                       |
 * | P tree:<id>:pending     | SET    | unfinished jobs: NEW, WAITING, RUNNING (abort is O(unfinished)) |
 * | P node:<id>:waiting     | SET    | WAITING jobs assigned to the node (readyJobs)                  |
 * | P node:<id>:running     | SET    | RUNNING jobs of the node (failRunningJobsOf)                   |
 * | P trees                 | ZSET   | every tree id by createdAt                                     |
 * | P tag:<tag>             | ZSET   | tree ids carrying the tag, by createdAt                        |
 * | P finished              | ZSET   | tree ids whose root finished, by finishedAt (pruning)          |
 * | P nodes                 | HASH   | node id -> JSON info                                           |
 * | P lease:holders         | HASH   | node id -> the process holding its lease                       |
 * | P lease:expiry          | ZSET   | node ids by when their lease lapses (ms)                        |
 * | P events                | (channel) | JSON arrays of JobEvents, one message per script call, sent only while someone listens |
 * | P events:tree           | (channel) | the same calls' tree events only (isTreeEvent): what engines listen to |
 *
 * Single-Redis design: scripts derive most keys from ids they read, so the keys are not all
 * declared in KEYS and a Redis Cluster (hash slots) is not supported.
 */
export class RedisJobKeys {
  /** @param prefix prepended to every key and to the events channel */
  constructor(readonly prefix: string) {}

  /** The hash of one job. */
  job(jobId: string): string {
    return `${this.prefix}job:${jobId}`;
  }

  /** The list of a job's child ids. */
  children(jobId: string): string {
    return `${this.prefix}job:${jobId}:children`;
  }

  /** The hash of registered nodes. */
  get nodes(): string {
    return `${this.prefix}nodes`;
  }

  /** The pub/sub channel of every event (published only while it has subscribers). */
  get events(): string {
    return `${this.prefix}events`;
  }

  /** The pub/sub channel of tree events only (see `isTreeEvent`). */
  get treeEvents(): string {
    return `${this.prefix}events:tree`;
  }
}
