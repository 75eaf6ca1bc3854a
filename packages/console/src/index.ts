export { CONSOLE_ASSETS_FOLDER, type ConsoleAsset, loadConsoleAssets } from './console-assets';
export { CONSOLE_PLUGIN_NAME, consolePlugin, consolePlugin as default } from './console-plugin';
export { CONSOLE_CSP, mountConsole } from './mount-console';
