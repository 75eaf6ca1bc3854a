import type { components } from './generated/pacemaker-api-types';

/**
 * The records the pacemaker API answers with, by the names its OpenAPI document gives them
 * (`components.schemas`): `PacemakerApiSchemas['Version']` is a version as JSON carries it.
 */
export type PacemakerApiSchemas = components['schemas'];
