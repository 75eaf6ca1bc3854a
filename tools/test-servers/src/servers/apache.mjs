// @ts-check
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findExecutable, isRoot, requireExecutable } from '../executables.mjs';
import { httpGet } from '../network-probes.mjs';
import { serverLogPath } from '../server-log.mjs';
import { spawnServerProcess } from '../server-process.mjs';
import { waitUntilReady } from '../wait-until-ready.mjs';

const modulesDir = '/usr/lib/apache2/modules';
const phpFolder = '/etc/php';

/** @type {import('../server-definition.mjs').ServerDefinition} */
export const apache = {
  name: 'apache',
  debianPackages: ['apache2', 'libapache2-mod-php', 'php-mysql'],
  isInstalled: () => findExecutable('apache2') !== undefined && findPhpModule() !== undefined && hasMysqli(),

  async start({ dataDir, port }) {
    const bin = requireExecutable('apache2');
    const phpModule = findPhpModule();
    if (phpModule === undefined) throw new Error(`no libphp*.so in ${modulesDir}`);
    const docRoot = join(dataDir, 'htdocs');
    const configFile = join(dataDir, 'httpd.conf');
    await mkdir(docRoot);
    await mkdir(join(dataDir, 'run'));
    await writeFile(join(docRoot, 'index.php'), indexPhp);
    await writeFile(configFile, config({ dataDir, docRoot, port, phpModule }));

    const server = spawnServerProcess(bin, ['-f', configFile, '-D', 'FOREGROUND'], {
      logFile: serverLogPath(dataDir),
      cwd: dataDir,
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntilReady(async () => (await httpGet(url)) !== undefined, {
        what: `Apache to answer on ${url}`,
        server,
      });
      const page = await httpGet(url);
      if (page?.body !== 'php ok\n') {
        throw new Error(`index.php did not answer "php ok": ${page?.status} ${page?.body}`);
      }
    } catch (error) {
      await server.stop();
      throw error;
    }
    return {
      env: {
        PAASMAKER_TEST_APACHE_BIN: bin,
        PAASMAKER_TEST_APACHE_MODULES_DIR: modulesDir,
        PAASMAKER_TEST_PHP_MODULE: phpModule,
        PAASMAKER_TEST_APACHE_URL: url,
      },
      stop: () => server.stop(),
    };
  },
};

const indexPhp = `<?php
echo extension_loaded('mysqli') ? "php ok\\n" : "php is missing mysqli\\n";
`;

/** @returns {string | undefined} */
function findPhpModule() {
  if (!existsSync(modulesDir)) return undefined;
  const module = readdirSync(modulesDir).find((file) => /^libphp[\d.]*\.so$/.test(file));
  return module && join(modulesDir, module);
}

function hasMysqli() {
  if (!existsSync(phpFolder)) return false;
  return readdirSync(phpFolder).some((version) =>
    existsSync(join(phpFolder, version, 'mods-available', 'mysqli.ini')),
  );
}

/**
 * @param {{ dataDir: string, docRoot: string, port: number, phpModule: string }} options
 */
function config({ dataDir, docRoot, port, phpModule }) {
  // As root Apache must hand its workers to an unprivileged user; otherwise it runs as us.
  const workerUser = isRoot ? 'User nobody\nGroup nogroup\n' : '';
  return `ServerRoot /usr/lib/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${join(dataDir, 'apache.pid')}
DefaultRuntimeDir ${join(dataDir, 'run')}
ErrorLog ${serverLogPath(dataDir)}
LogLevel warn
${workerUser}
LoadModule mpm_prefork_module modules/mod_mpm_prefork.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule dir_module modules/mod_dir.so
LoadModule mime_module modules/mod_mime.so
LoadModule env_module modules/mod_env.so
LoadModule php_module ${phpModule}

StartServers 1
MinSpareServers 1
MaxSpareServers 3
MaxRequestWorkers 20

TypesConfig /etc/mime.types
DocumentRoot ${docRoot}
DirectoryIndex index.php
<Directory ${docRoot}>
  Require all granted
</Directory>
<FilesMatch "\\.php$">
  SetHandler application/x-httpd-php
</FilesMatch>
`;
}
