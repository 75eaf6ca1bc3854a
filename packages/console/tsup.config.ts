import { defineConfig } from 'tsup';
import shared from '../../tsup.plugin.config';

// The shared plugin build, with `import.meta.url` shimmed in the CommonJS output: the plugin
// finds its built browser app beside itself.
export default defineConfig({ ...(shared as object), shims: true });
