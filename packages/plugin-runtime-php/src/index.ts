export { type ApacheInstanceConfig, apacheConfig, resolveDocumentRoot } from './apache-config';
export {
  DEBIAN_APACHE_MODULES,
  findPhpModule,
  missingPhpHost,
  type PhpHostOptions,
  phpVersions,
} from './php-install';
export {
  createPhpRuntime,
  PHP_RUNTIME,
  type PhpRuntimeOptions,
  phpRuntimeParametersSchema,
} from './php-runtime';
export { phpRuntimePlugin, phpRuntimePlugin as default } from './php-runtime-plugin';
