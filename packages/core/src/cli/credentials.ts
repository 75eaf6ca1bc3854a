import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { CliError } from './errors';

/** What `paasmaker login` stores. */
export interface Credentials {
  url: string;
  apiKey: string;
  /** Set when the key is a user API key the CLI created (so `logout` can revoke it). */
  userId?: number;
  apiKeyId?: number;
}

/** `$PAASMAKER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/paasmaker`, else `~/.config/paasmaker`. */
export function configDirectory(env: Record<string, string | undefined>): string {
  if (env.PAASMAKER_CONFIG_DIR) return path.resolve(env.PAASMAKER_CONFIG_DIR);
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  return path.join(base, 'paasmaker');
}

export function credentialsFile(env: Record<string, string | undefined>): string {
  return path.join(configDirectory(env), 'credentials.json');
}

/** Writes the credentials readable by their owner only: folder 0700, file 0600 (atomically). */
export async function saveCredentials(env: Record<string, string | undefined>, credentials: Credentials) {
  const file = credentialsFile(env);
  const folder = path.dirname(file);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
  return file;
}

export async function loadCredentials(env: Record<string, string | undefined>): Promise<Credentials | null> {
  const file = credentialsFile(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<Credentials>;
    if (typeof parsed.url === 'string' && typeof parsed.apiKey === 'string') return parsed as Credentials;
  } catch {}
  throw new CliError(`${file} is not a credentials file: remove it and run paasmaker login again`);
}

export async function removeCredentials(env: Record<string, string | undefined>): Promise<boolean> {
  const file = credentialsFile(env);
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw new CliError(`cannot remove ${file}: ${(error as Error).message}`);
  }
}
