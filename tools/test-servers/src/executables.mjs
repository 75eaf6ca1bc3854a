// @ts-check
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

// Servers live in sbin folders, which the PATH of a non-root user often leaves out.
const sbinFolders = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/**
 * @param {string} name
 * @returns {string | undefined} the absolute path of the executable, if there is one
 */
export function findExecutable(name) {
  const folders = [...(process.env.PATH ?? '').split(delimiter), ...sbinFolders];
  return folders
    .filter((folder) => folder.startsWith('/'))
    .map((folder) => join(folder, name))
    .find(isExecutable);
}

/**
 * @param {string} name
 * @returns {string}
 */
export function requireExecutable(name) {
  const path = findExecutable(name);
  if (path === undefined) throw new Error(`${name} is not installed`);
  return path;
}

/** @param {string} path */
export function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} path */
export function fileExists(path) {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export const isRoot = process.getuid?.() === 0;
