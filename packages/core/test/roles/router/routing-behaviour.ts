import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { RoutingTable } from '../../../src/roles/router/index';
import { type Backend, startBackend } from './router-fixture';
import type { RouterUnderTest, StartRouterUnderTest } from './router-under-test';
import { balancingCases } from './routing-behaviour-balancing';
import { headerCases } from './routing-behaviour-headers';
import { hostnameCases } from './routing-behaviour-hostnames';
import { pacemakerCases } from './routing-behaviour-pacemaker';
import { streamingCases } from './routing-behaviour-streaming';
import { websocketCases } from './routing-behaviour-websockets';

/** What each group of cases gets: one router over one table, and cleanup per test. */
export interface RoutingBehaviourContext {
  /** The table the router serves; each case uses hostnames of its own. */
  readonly table: RoutingTable;
  /** The router under test (started before the first case). */
  router(): RouterUnderTest;
  /** Starts another router under test over another table, closed after the case. */
  startRouter(table: RoutingTable): Promise<RouterUnderTest>;
  /** An echo backend ({@link startBackend}), closed after the case. */
  backend(name: string): Promise<Backend>;
  /** Runs `close` after the case (last registered, first run). */
  afterCase(close: () => Promise<unknown>): void;
}

/**
 * The routing behaviour both routers must have: one suite, run by each router's test file with
 * its own {@link StartRouterUnderTest}. Where the routers honestly differ, the case asserts each
 * one's behaviour by {@link RouterUnderTest.differences}.
 */
export function describeRoutingBehaviour(name: string, start: StartRouterUnderTest): void {
  describe(`routing behaviour: ${name}`, () => {
    const table = new RoutingTable();
    let router: RouterUnderTest | undefined;
    const cleanups: (() => Promise<unknown>)[] = [];
    beforeAll(async () => {
      router = await start(table);
    });
    afterAll(async () => {
      await router?.close();
    });
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    const context: RoutingBehaviourContext = {
      table,
      router() {
        if (!router) throw new Error('the router under test did not start');
        return router;
      },
      async startRouter(other) {
        const started = await start(other);
        cleanups.push(() => started.close());
        return started;
      },
      async backend(backendName) {
        const started = await startBackend(backendName);
        cleanups.push(() => started.close());
        return started;
      },
      afterCase: (close) => {
        cleanups.push(close);
      },
    };
    hostnameCases(context);
    balancingCases(context);
    headerCases(context);
    streamingCases(context);
    websocketCases(context);
    pacemakerCases(context);
  });
}
