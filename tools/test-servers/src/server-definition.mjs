// @ts-check

/**
 * A server the test run can start as a throwaway instance.
 *
 * @typedef {object} ServerDefinition
 * @property {string} name Name used on the command line and in servers-used-by-tests.mjs.
 * @property {string[]} debianPackages Packages that provide the binaries.
 * @property {() => boolean} isInstalled Whether every binary and module it needs is present.
 * @property {(options: ServerStartOptions) => Promise<RunningServer>} start
 */

/**
 * @typedef {object} ServerStartOptions
 * @property {string} dataDir An empty folder of its own; its `server.log` is shown when the start fails.
 * @property {number} port A free TCP port on 127.0.0.1.
 * @property {boolean} [persistent] Keep what was written across a stop and a start on the same
 *   `dataDir` (Redis: an append-only file synced on every write), for tests that restart a server
 *   of their own; throwaway servers skip it for speed. PostgreSQL always keeps its data.
 */

/**
 * @typedef {object} RunningServer
 * @property {Record<string, string>} env The environment variables the tests read.
 * @property {() => Promise<void>} stop
 */

export {};
