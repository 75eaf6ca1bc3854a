import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { PaasmakerError } from '../kernel/errors';
import { definePlugin, KERNEL_API_VERSION } from '../kernel/plugin-definition';
import type { ScmProvider } from '../kernel/providers/scm-provider';
import { unpackArchive } from './unpack-archive';

/** Name of the upload SCM plugin, and of the SCM it provides. */
export const UPLOAD_SCM_NAME = 'paasmaker.scm.upload';

/**
 * The upload SCM: `location` is the path of a `.tar.gz` a client uploaded to the pacemaker
 * (`paasmaker deploy ./dir`). It must lie inside `uploadDirectory` (else `E_SCM_UNSAFE_INPUT`)
 * and is unpacked into the working copy with the same checks as a package.
 */
export function createUploadScm(uploadDirectory: string): ScmProvider {
  return {
    parametersSchema: {
      type: 'object',
      properties: { location: { type: 'string', minLength: 1 } },
      required: ['location'],
    },
    async checkout(request, call) {
      const location = request.parameters.location;
      if (typeof location !== 'string' || location === '') {
        throw new PaasmakerError(
          'E_SCM_UNSAFE_INPUT',
          `${UPLOAD_SCM_NAME}: parameter "location" must be a file path.`,
        );
      }
      const archive = await insideUploads(uploadDirectory, location);
      await unpackArchive(archive, request.workingDirectory, { signal: call.signal });
      call.log.info({ workingDirectory: request.workingDirectory }, 'uploaded archive unpacked');
      return { outputParameters: { location: 'uploaded archive' } };
    },
  };
}

/** The real path of `location`, refused unless it is a file inside `uploadDirectory`. */
async function insideUploads(uploadDirectory: string, location: string): Promise<string> {
  const root = await realpath(uploadDirectory).catch((error: unknown) => {
    throw new PaasmakerError(
      'E_PACKAGE_NOT_FOUND',
      `${UPLOAD_SCM_NAME}: upload folder "${uploadDirectory}" does not exist.`,
      {
        cause: error,
      },
    );
  });
  const lexical = path.resolve(root, location);
  const outside = (candidate: string) => {
    const relative = path.relative(root, candidate);
    return (
      relative === '' ||
      relative === '..' ||
      relative.startsWith(`..${path.sep}`) ||
      path.isAbsolute(relative)
    );
  };
  const refused = () =>
    new PaasmakerError(
      'E_SCM_UNSAFE_INPUT',
      `${UPLOAD_SCM_NAME}: location "${location}" is not inside the upload folder; only uploaded archives can be deployed.`,
    );
  if (outside(lexical)) throw refused();
  const real = await realpath(lexical).catch((error: unknown) => {
    throw new PaasmakerError(
      'E_PACKAGE_NOT_FOUND',
      `${UPLOAD_SCM_NAME}: no uploaded archive at "${location}".`,
      {
        cause: error,
      },
    );
  });
  if (outside(real)) throw refused();
  return real;
}

const options = {
  type: 'object',
  properties: { uploadDirectory: { type: 'string', minLength: 1 } },
  required: ['uploadDirectory'],
  additionalProperties: false,
} as const;

/**
 * `paasmaker.scm.upload`: registers the upload SCM (see {@link createUploadScm}) under its own
 * name. Options: `uploadDirectory`, the pacemaker's folder for uploaded archives.
 */
export const uploadScmPlugin = definePlugin({
  name: UPLOAD_SCM_NAME,
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  options,
  setup(kernel, settings) {
    const scm = createUploadScm(settings.uploadDirectory);
    kernel.hooks.scm.for(UPLOAD_SCM_NAME).tap(UPLOAD_SCM_NAME, () => scm);
  },
});
