import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { patient } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface JsonReport {
  testResults: { assertionResults: { ancestorTitles: string[]; title: string; status: string }[] }[];
}

const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

/** What each suite's tests came to, by describe block: the failed tests' titles and how many passed. */
let outcomes: Map<string, { failed: string[]; passed: number }>;

// The fixtures run the suites, in a vitest of their own, on a good plugin of each kind and on
// plugins each broken in one way: the suites must pass the good one and fail each broken one
// where it breaks the guide's contract, and only there.
let folder: string;
afterAll(() => rm(folder, { recursive: true, force: true }));
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'testkit-fixtures-'));
  const report = join(folder, 'report.json');
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      join(fixtures, 'vitest.config.ts'),
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    { cwd: fixtures, maxBuffer: 64 * 1024 * 1024 },
  ).catch(() => undefined); // it fails: the broken plugins do
  const results: JsonReport = JSON.parse(await readFile(report, 'utf8'));
  outcomes = new Map();
  for (const test of results.testResults.flatMap((file) => file.assertionResults)) {
    const block = test.ancestorTitles.join(' > ');
    const outcome = outcomes.get(block) ?? { failed: [], passed: 0 };
    if (test.status === 'passed') outcome.passed += 1;
    else outcome.failed.push(test.title);
    outcomes.set(block, outcome);
  }
}, patient(600_000));

function failedIn(block: string): string[] {
  return (outcomes.get(block) ?? expect.unreachable(`no results for ${block}`)).failed.sort();
}

describe('the runtime suite', () => {
  it('passes a runtime written as the guide says', () => {
    expect(outcomes.get('good.runtime: runtime conformance')).toEqual({ failed: [], passed: 6 });
  });
  it('fails a runtime whose stop ends only the group leader', () => {
    expect(failedIn('broken.stop-leader-only: runtime conformance')).toEqual([
      'is seen running, and stopped, by a new kernel (a restarted heart)',
      'stops the whole process group, children too, and stopping again succeeds',
    ]);
  });
  it('fails a runtime that starts a running instance again', () => {
    expect(failedIn('broken.start-again: runtime conformance')).toEqual([
      'leaves a running instance as it is when started again',
    ]);
  });
  it("fails a runtime that gives the app the heart's environment", () => {
    expect(failedIn('broken.inherits-environment: runtime conformance')).toEqual([
      "starts the app answering on its port, with the instance's environment and nothing of the heart's",
    ]);
  });
  it("fails a runtime that serves from the heart's own process", () => {
    expect(outcomes.get('broken.in-process: runtime conformance')).toMatchObject({ passed: 1 });
  });
});

describe('the service suite', () => {
  it('passes a service written as the guide says', () => {
    expect(outcomes.get('good.service: service conformance')).toEqual({ failed: [], passed: 5 });
  });
  it('fails a service that makes a new resource when provisioned again', () => {
    expect(failedIn('broken.forgets-data: service conformance')).toEqual([
      'keeps the data and the credentials when provisioned again',
    ]);
  });
  it("fails a service that gives two workspaces' services of one name the same resource", () => {
    expect(failedIn('broken.same-resource-for-a-name: service conformance')).toEqual([
      'gives a resource of its own to the same name provisioned without existing credentials',
    ]);
  });
  it('fails a service that cannot deprovision twice', () => {
    expect(failedIn('broken.deprovision-once: service conformance')).toEqual([
      'removes the resource, and removing it again succeeds',
    ]);
  });
});

describe('the SCM suite', () => {
  it('passes an SCM written as the guide says', () => {
    expect(outcomes.get('good.scm: SCM conformance')).toEqual({ failed: [], passed: 5 });
  });
  it('fails an SCM that takes any input and never fails', () => {
    expect(failedIn('broken.takes-anything: SCM conformance')).toEqual([
      'fails with E_SCM_FAILED for a source that does not exist',
      'refuses unsafe input with E_SCM_UNSAFE_INPUT',
      'rejects when the call is aborted',
    ]);
  });
});
