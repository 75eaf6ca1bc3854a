import { startBuiltinRouterUnderTest } from './builtin-router-under-test';
import { describeRoutingBehaviour } from './routing-behaviour';

describeRoutingBehaviour('the built-in router', startBuiltinRouterUnderTest);
