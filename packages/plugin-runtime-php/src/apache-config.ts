import path from 'node:path';
import { PaasmakerError } from '@paasmaker/core';

/** What one instance's Apache configuration is made of. */
export interface ApacheInstanceConfig {
  /** The instance's folder and the document root within it (relative; `''` for the folder itself). */
  directory: string;
  documentRoot: string;
  port: number;
  stateDirectory: string;
  modulesDirectory: string;
  phpModule: string;
  /** Names of the environment variables PHP sees in `$_SERVER` and `getenv()`. */
  environmentNames: readonly string[];
  /** The user and group Apache's workers run as when it is started by root. */
  workerUser?: { user: string; group: string };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters that could end a quoted Apache directive argument or start a new directive. */
const UNSAFE_IN_CONFIG = /["\\\n\r\0]/;

/**
 * The document root inside the instance folder; `E_INSTANCE_START` for one that leaves it
 * (`..`, an absolute path) or that could not be written into Apache's configuration safely.
 */
export function resolveDocumentRoot(directory: string, documentRoot: string): string {
  const resolved = path.resolve(directory, documentRoot);
  const inside = resolved === directory || resolved.startsWith(`${directory}${path.sep}`);
  if (!inside || path.isAbsolute(documentRoot))
    throw new PaasmakerError(
      'E_INSTANCE_START',
      `paasmaker.runtime.php: document_root ${JSON.stringify(documentRoot)} must be a folder inside the application.`,
    );
  if (UNSAFE_IN_CONFIG.test(resolved))
    throw new PaasmakerError(
      'E_INSTANCE_START',
      `paasmaker.runtime.php: the path ${JSON.stringify(resolved)} cannot be served by Apache.`,
    );
  return resolved;
}

/** Apache's configuration for one instance: mod_php on its port, logs to stdout and stderr. */
export function apacheConfig(options: ApacheInstanceConfig): string {
  const documentRoot = resolveDocumentRoot(options.directory, options.documentRoot);
  for (const value of [options.stateDirectory, options.modulesDirectory, options.phpModule])
    if (UNSAFE_IN_CONFIG.test(value))
      throw new PaasmakerError(
        'E_INSTANCE_START',
        `paasmaker.runtime.php: the path ${JSON.stringify(value)} cannot be written into Apache's configuration.`,
      );
  const passEnv = options.environmentNames.filter((name) => ENV_NAME.test(name));
  const modules = ['mpm_prefork', 'authz_core', 'dir', 'mime', 'env']
    .map((name) => `LoadModule ${name}_module "${path.join(options.modulesDirectory, `mod_${name}.so`)}"`)
    .join('\n');
  const worker = options.workerUser
    ? `User ${options.workerUser.user}\nGroup ${options.workerUser.group}\n`
    : '';
  return `# Written by @paasmaker/plugin-runtime-php for one instance; rewritten at every start.
ServerRoot "${options.stateDirectory}"
ServerName 127.0.0.1
Listen ${options.port}
PidFile "${path.join(options.stateDirectory, 'run', 'apache.pid')}"
DefaultRuntimeDir "${path.join(options.stateDirectory, 'run')}"
ErrorLog /dev/stderr
LogLevel warn
LogFormat "%h %l %u %t \\"%r\\" %>s %b %D" paasmaker
CustomLog /dev/stdout paasmaker
${worker}${modules}
LoadModule php_module "${options.phpModule}"

StartServers 2
MinSpareServers 1
MaxSpareServers 4
MaxRequestWorkers 16

TypesConfig /etc/mime.types
DocumentRoot "${documentRoot}"
DirectoryIndex index.php index.html
<Directory "${documentRoot}">
  AllowOverride None
  Require all granted
</Directory>
<FilesMatch "\\.php$">
  SetHandler application/x-httpd-php
</FilesMatch>
${passEnv.map((name) => `PassEnv ${name}`).join('\n')}
`;
}
