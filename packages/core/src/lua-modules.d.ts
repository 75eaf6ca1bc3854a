/**
 * Lua scripts (`lua/**.lua`) are imported as their text: tsup bundles them with
 * `loader: { '.lua': 'text' }` and vitest with the `lua-as-text` transform in vitest.config.ts.
 */
declare module '*.lua' {
  const text: string;
  export default text;
}
