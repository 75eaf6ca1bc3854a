export {
  ALLOWED_URL_SCHEMES,
  type CheckedGitLocation,
  checkGitLocation,
  checkGitRefName,
  type GitLocationKind,
} from './git-input-safety';
export { GIT_SCM_NAME, gitScmPlugin, gitScmPlugin as default } from './git-scm-plugin';
export { createGitScmProvider, type GitScmOptions, type GitScmParameters } from './git-scm-provider';
export { gitScmOptionsSchema, gitScmParametersSchema } from './git-scm-schemas';
