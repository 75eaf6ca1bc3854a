// `node --import tsx --import ./lua-text-loader.mjs`: lets a child process run the TypeScript
// sources, whose Redis job store imports its Lua scripts as text (as vitest and tsup do).
import { register } from 'node:module';

register('./lua-text-hooks.mjs', import.meta.url);
