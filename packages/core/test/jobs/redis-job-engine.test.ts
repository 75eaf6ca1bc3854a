import { describeJobEngineConformance } from './job-engine-conformance';
import { redisBackend } from './job-store-backends';

describeJobEngineConformance('Redis', redisBackend);
