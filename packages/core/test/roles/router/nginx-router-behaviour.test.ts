import { startNginxRouterUnderTest } from './nginx-router-under-test';
import { describeRoutingBehaviour } from './routing-behaviour';

// Real nginx with the Lua module, reading the table from the test Redis: --servers redis,nginx.
describeRoutingBehaviour('the nginx router', startNginxRouterUnderTest);
