// A heart in a process of its own, for the kill -9 test: registers and starts one instance,
// prints `{ instanceId, port }` as one JSON line, then waits to be killed.

import { pino } from 'pino';
import { createKernel } from '../../../src/kernel/kernel';
import type { InstanceRegistration } from '../../../src/roles/heart/heart-types';
import { createHeart } from '../../../src/roles/heart/index';
import { registrationFor } from './heart-test-apps';
import { heartTestPlugin } from './heart-test-plugins';

const env = (name: string) => process.env[name] as string;
const heart = createHeart({
  nodeName: 'node-a',
  dataFolder: env('HEART_DATA'),
  portRange: JSON.parse(env('HEART_PORTS')),
});
await createKernel({ plugins: [heartTestPlugin, heart.plugin] });
await heart.start();
const call = { log: pino({ level: 'silent' }), signal: new AbortController().signal };
const registration = registrationFor(JSON.parse(env('HEART_PACKAGE')) as InstanceRegistration['package']);
await heart.register(registration, call);
const instance = await heart.startInstance(registration.instanceId, call);
process.stdout.write(`${JSON.stringify({ instanceId: instance.instanceId, port: instance.port })}\n`);
setInterval(() => {}, 60_000);
