// @ts-check
// The router without its log phase: nothing counted. The balancer no longer tells a retry by the
// note the log phase clears, so every pick is a first pick. Measures what counting costs.
export default {
  name: 'no log phase',
  config: (/** @type {string} */ text) => text.replace(/^\s*log_by_lua_block.*$/m, ''),
  lua: (/** @type {string} */ text) => replaced(text, 'local previous = picked[r]', 'local previous = nil'),
};

/** `text` with `from` replaced; throws when the router's Lua no longer has it. */
export function replaced(/** @type {string} */ text, /** @type {string} */ from, /** @type {string} */ to) {
  if (!text.includes(from)) throw new Error(`the variant expected ${JSON.stringify(from)} in the router`);
  return text.replace(from, to);
}
