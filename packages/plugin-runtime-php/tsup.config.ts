// The build every plugin package shares (see the file it re-exports).
export { default } from '../../tsup.plugin.config';
