// Vitest global setup: after the run, removes the system users that test nodes made for their
// applications (`pm-` + 12 hex digits, comment "paasmaker …") whose home folder — inside a
// test's temporary data folder — is gone, so runs do not pile users up in /etc/passwd.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const TENANT_USER = /^pm-[0-9a-f]{12}$/;

export default function setup() {
  return function teardown() {
    if (process.getuid?.() !== 0) return;
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , , , comment = '', home = ''] = line.split(':');
      if (!name || !TENANT_USER.test(name) || !comment.startsWith('paasmaker ') || existsSync(home)) continue;
      try {
        execFileSync('userdel', [name], { stdio: 'ignore' });
      } catch {
        // Another run removed it, or it is in use: the next run tries again.
      }
    }
  };
}
